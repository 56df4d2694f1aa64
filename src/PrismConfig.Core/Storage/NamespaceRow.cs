using Microsoft.Data.Sqlite;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Storage;

/// <summary>One row of namespaces with its features folded in, as the SELECTs in <see cref="SqliteDialect"/> return it.</summary>
internal sealed class NamespaceRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Backend { get; set; } = "";
    public string Pattern { get; set; } = "";
    public string Status { get; set; } = "";
    public string Consistency { get; set; } = "";
    public long? CacheTtlSeconds { get; set; }
    public long? RateLimitRps { get; set; }
    public string BackendConfig { get; set; } = "{}";
    public string? Tags { get; set; }
    public long Version { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }
    public string? Features { get; set; }

    /// <summary>Reads the current row of a reader positioned on a SelectNamespace* result (column order is fixed).</summary>
    public static NamespaceRow Read(SqliteDataReader r) => new()
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
    };

    /// <summary>The model object. Throws FormatException or OverflowException if the stored JSON or numbers are damaged.</summary>
    public NamespaceConfig ToConfig() => new()
    {
        Name = Name,
        Description = Description,
        Backend = Backend,
        Pattern = Pattern,
        Status = Status,
        Consistency = Consistency,
        CacheTtlSeconds = CacheTtlSeconds is { } ttl ? checked((int)ttl) : null,
        RateLimitRps = RateLimitRps is { } rps ? checked((int)rps) : null,
        BackendConfig = ConfigJson.ParseObject(BackendConfig),
        Tags = Snapshot.ParseTags(Tags),
        Features = Snapshot.ParseFeatures(Features),
        Version = checked((int)Version),
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(CreatedAt),
        UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(UpdatedAt),
        CreatedBy = CreatedBy,
        UpdatedBy = UpdatedBy,
    };
}

/// <summary>A namespace as a write sees it: its row id and its current state.</summary>
internal sealed record StoredNamespace(long Id, NamespaceConfig Config);

internal sealed class HistoryRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long? Version { get; set; }
    public string Operation { get; set; } = "";
    public long ChangedAt { get; set; }
    public string? ChangedBy { get; set; }
    public string? Reason { get; set; }
    public string? OldConfig { get; set; }
    public string? NewConfig { get; set; }
}

internal sealed class AgreementRow
{
    public string Name { get; set; } = "";
    public long Version { get; set; }
    public long HistoryCount { get; set; }
    public long? MaxHistoryVersion { get; set; }
    public string? LatestSnapshot { get; set; }
}
