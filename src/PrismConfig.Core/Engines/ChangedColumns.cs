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

    /// <summary>A bit per changed column, and each changed column's new value (stored form: JSON text, or null).</summary>
    /// <remarks>
    /// Columns are compared in the model, which is exactly a comparison of their stored text, so an unchanged
    /// column's JSON is never written out, on either side.
    /// </remarks>
    public static (int Mask, object?[] Values) Compute(NamespaceConfig before, NamespaceConfig after)
    {
        var mask = 0;
        var values = new object?[Names.Length];
        for (var i = 0; i < Names.Length; i++)
        {
            if (Same(i, before, after)) continue;
            mask |= 1 << i;
            values[i] = Value(i, after);
        }
        return (mask, values);
    }

    private static bool Same(int column, NamespaceConfig a, NamespaceConfig b) => column switch
    {
        0 => Text(a.Description, b.Description),
        1 => Text(a.Backend, b.Backend),
        2 => Text(a.Pattern, b.Pattern),
        3 => Text(a.Status, b.Status),
        4 => Text(a.Consistency, b.Consistency),
        5 => a.CacheTtlSeconds == b.CacheTtlSeconds,
        6 => a.RateLimitRps == b.RateLimitRps,
        7 => ConfigJson.DeepEquals(a.BackendConfig, b.BackendConfig),
        8 => a.Tags.AsSpan().SequenceEqual(b.Tags, StringComparer.Ordinal),
        9 => Text(a.PatternVersion, b.PatternVersion),
        10 => ConfigJson.SameWhenSet(a.Behavior, b.Behavior),
        _ => ConfigJson.SameWhenSet(a.Slots, b.Slots),
    };

    private static object? Value(int column, NamespaceConfig ns) => column switch
    {
        0 => ns.Description,
        1 => ns.Backend,
        2 => ns.Pattern,
        3 => ns.Status,
        4 => ns.Consistency,
        5 => ns.CacheTtlSeconds,
        6 => ns.RateLimitRps,
        7 => ConfigJson.Serialize(ns.BackendConfig),
        8 => ConfigJson.Serialize(ns.Tags),
        9 => ns.PatternVersion,
        10 => BehaviorJson(ns),
        _ => SlotsJson(ns),
    };

    private static bool Text(string? a, string? b) => string.Equals(a, b, StringComparison.Ordinal);

    // NULL, not "{}" or "[]", when unset: a single-backend namespace's row stays exactly what schema 1 wrote.
    public static string? BehaviorJson(NamespaceConfig ns) => ns.Behavior is { Count: > 0 } b ? ConfigJson.Serialize(b) : null;

    public static string? SlotsJson(NamespaceConfig ns) => ns.Slots is { Count: > 0 } s ? ConfigJson.Serialize(s) : null;
}
