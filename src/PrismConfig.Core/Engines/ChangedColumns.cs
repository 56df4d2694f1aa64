using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Engines;

/// <summary>
/// The namespace columns an update may change, and which of them a change really changes: an engine writes only
/// those, so an unchanged indexed column costs no index write and unchanged tags or slots fire no side-table trigger.
/// </summary>
internal static class ChangedColumns
{
    /// <summary>The column names, in the bit order of <see cref="Compute"/>'s mask.</summary>
    public static readonly string[] Names =
    [
        "description", "backend", "pattern", "status", "consistency", "cache_ttl_seconds", "rate_limit_rps",
        "backend_config", "tags", "pattern_version", "behavior", "slots",
    ];

    /// <summary>A bit per changed column, and every column's new value (stored form: JSON text, or null).</summary>
    public static (int Mask, object?[] Values) Compute(NamespaceConfig before, NamespaceConfig after)
    {
        var values = Values(after);
        var old = Values(before);
        var mask = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (!Equals(values[i], old[i])) mask |= 1 << i;
        }
        return (mask, values);
    }

    private static object?[] Values(NamespaceConfig ns) =>
    [
        ns.Description, ns.Backend, ns.Pattern, ns.Status, ns.Consistency, ns.CacheTtlSeconds, ns.RateLimitRps,
        ConfigJson.Serialize(ns.BackendConfig), ConfigJson.Serialize(ns.Tags), ns.PatternVersion, BehaviorJson(ns), SlotsJson(ns),
    ];

    // NULL, not "{}" or "[]", when unset: a single-backend namespace's row stays exactly what schema 1 wrote.
    public static string? BehaviorJson(NamespaceConfig ns) => ns.Behavior is { Count: > 0 } b ? ConfigJson.Serialize(b) : null;

    public static string? SlotsJson(NamespaceConfig ns) => ns.Slots is { Count: > 0 } s ? ConfigJson.Serialize(s) : null;
}
