using System.Collections;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Store;

/// <summary>
/// The one diff between two namespace states, used by history, previews, write results and imports. Property
/// names are NamespaceConfig's; a dictionary change is one entry per key ("BackendConfig.connection_string").
/// Metadata (version, timestamps, authors) is not content and is not reported.
/// </summary>
internal static class ConfigDiff
{
    public static PropertyChange[] Compute(NamespaceConfig? before, NamespaceConfig? after)
    {
        var changes = new List<PropertyChange>();
        if (before is null && after is null) return [];

        if (before?.Name != after?.Name) changes.Add(new PropertyChange(nameof(NamespaceConfig.Name), before?.Name, after?.Name));
        Scalar(changes, nameof(NamespaceConfig.Description), before?.Description, after?.Description);
        Scalar(changes, nameof(NamespaceConfig.Backend), before?.Backend, after?.Backend);
        Scalar(changes, nameof(NamespaceConfig.Pattern), before?.Pattern, after?.Pattern);
        Scalar(changes, nameof(NamespaceConfig.Status), before?.Status, after?.Status);
        Scalar(changes, nameof(NamespaceConfig.Consistency), before?.Consistency, after?.Consistency);
        Scalar(changes, nameof(NamespaceConfig.CacheTtlSeconds), before?.CacheTtlSeconds, after?.CacheTtlSeconds);
        Scalar(changes, nameof(NamespaceConfig.RateLimitRps), before?.RateLimitRps, after?.RateLimitRps);

        var oldTags = before?.Tags ?? [];
        var newTags = after?.Tags ?? [];
        if (!oldTags.SequenceEqual(newTags, StringComparer.Ordinal))
        {
            changes.Add(new PropertyChange(nameof(NamespaceConfig.Tags), before is null ? null : (string[])oldTags.Clone(), after is null ? null : (string[])newTags.Clone()));
        }

        Table(changes, nameof(NamespaceConfig.BackendConfig), before?.BackendConfig, after?.BackendConfig);
        Table(changes, nameof(NamespaceConfig.Features), before?.Features, after?.Features);
        return [.. changes];
    }

    private static void Scalar(List<PropertyChange> changes, string property, object? before, object? after)
    {
        if (!Equals(before, after))
        {
            changes.Add(new PropertyChange(property, before, after));
        }
    }

    private static void Table(List<PropertyChange> changes, string property, Hashtable? before, Hashtable? after)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        if (before is not null) keys.UnionWith(ConfigJson.SortedKeys(before));
        if (after is not null) keys.UnionWith(ConfigJson.SortedKeys(after));
        foreach (var key in keys)
        {
            var hadOld = before is not null && before.ContainsKey(key);
            var hasNew = after is not null && after.ContainsKey(key);
            var oldValue = hadOld ? before![key] : null;
            var newValue = hasNew ? after![key] : null;
            if (hadOld != hasNew || !ConfigJson.DeepEquals(oldValue, newValue))
            {
                changes.Add(new PropertyChange(property + "." + key, NamespaceConfig.DeepCopy(oldValue), NamespaceConfig.DeepCopy(newValue)));
            }
        }
    }
}
