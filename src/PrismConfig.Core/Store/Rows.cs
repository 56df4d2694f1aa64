using PrismConfig.Core.Engines;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Store;

/// <summary>Turns an engine's plain column values into the model.</summary>
internal static class Rows
{
    /// <summary>The model object. Throws FormatException, JsonException or OverflowException if the stored JSON or numbers are damaged.</summary>
    public static NamespaceConfig ToConfig(NamespaceRow row) => new(ConfigJson.ParseObject(row.BackendConfig), Snapshot.ParseFeatures(row.Features))
    {
        Name = row.Name,
        Description = row.Description,
        Backend = row.Backend,
        Pattern = row.Pattern,
        Status = row.Status,
        Consistency = row.Consistency,
        CacheTtlSeconds = row.CacheTtlSeconds is { } ttl ? checked((int)ttl) : null,
        RateLimitRps = row.RateLimitRps is { } rps ? checked((int)rps) : null,
        Tags = Snapshot.ParseTags(row.Tags),
        Version = checked((int)row.Version),
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(row.CreatedAt),
        UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(row.UpdatedAt),
        CreatedBy = row.CreatedBy,
        UpdatedBy = row.UpdatedBy,
        PatternVersion = row.PatternVersion,
        Behavior = string.IsNullOrEmpty(row.Behavior) ? NamespaceConfig.NewTable() : ConfigJson.ParseObject(row.Behavior),
        Slots = ConfigJson.ParseSlots(row.Slots),
    };
}
