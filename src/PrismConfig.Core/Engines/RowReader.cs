using System.Data.Common;

namespace PrismConfig.Core.Engines;

/// <summary>Reads rows by column position, as every SQL engine's namespace SELECT lays them out.</summary>
/// <remarks>
/// By position rather than through Dapper's by-name mapping: on a bulk read that mapping cost about as much per row
/// as the query itself. The column order is the one of <see cref="SqlFlavor.SelectNamespaceColumns"/>.
/// </remarks>
internal static class RowReader
{
    public static NamespaceRow Namespace(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Name = r.GetString(1),
        Description = r.IsDBNull(2) ? null : r.GetString(2),
        Backend = r.GetString(3),
        Pattern = r.GetString(4),
        Status = r.GetString(5),
        Consistency = r.GetString(6),
        CacheTtlSeconds = r.IsDBNull(7) ? null : r.GetInt64(7),
        RateLimitRps = r.IsDBNull(8) ? null : r.GetInt64(8),
        BackendConfig = r.GetString(9),
        Tags = r.IsDBNull(10) ? null : r.GetString(10),
        Version = r.GetInt64(11),
        CreatedAt = r.GetInt64(12),
        UpdatedAt = r.GetInt64(13),
        CreatedBy = r.IsDBNull(14) ? null : r.GetString(14),
        UpdatedBy = r.IsDBNull(15) ? null : r.GetString(15),
        Features = r.IsDBNull(16) ? null : r.GetString(16),
        PatternVersion = r.IsDBNull(17) ? null : r.GetString(17),
        Behavior = r.IsDBNull(18) ? null : r.GetString(18),
        Slots = r.IsDBNull(19) ? null : r.GetString(19),
    };

    /// <summary>A registry row in the column order of <see cref="SqlQueries.SelectRegistry"/>.</summary>
    public static RegistryRow Registry(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Kind = r.GetString(1),
        Name = r.GetString(2),
        Document = r.GetString(3),
        Source = r.IsDBNull(4) ? null : r.GetString(4),
        Version = r.GetInt64(5),
        CreatedAt = r.GetInt64(6),
        UpdatedAt = r.GetInt64(7),
        CreatedBy = r.IsDBNull(8) ? null : r.GetString(8),
        UpdatedBy = r.IsDBNull(9) ? null : r.GetString(9),
    };
}
