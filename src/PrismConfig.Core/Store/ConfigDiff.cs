using System.Collections;
using System.Globalization;
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
        // In a namespace with slots on both sides, backend and backend_config only mirror the first slot, whose
        // own changes are reported under Slots; reporting them twice would make one edit look like two.
        var mirrored = before?.Slots is { Count: > 0 } && after?.Slots is { Count: > 0 };
        if (!mirrored) Scalar(changes, nameof(NamespaceConfig.Backend), before?.Backend, after?.Backend);
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

        if (!mirrored) Table(changes, nameof(NamespaceConfig.BackendConfig), before?.BackendConfig, after?.BackendConfig);
        Table(changes, nameof(NamespaceConfig.Features), before?.Features, after?.Features);
        SlotModel(changes, before, after);
        return [.. changes];
    }

    /// <summary>
    /// Pattern version, behaviour (per key) and slots: a slot added or removed is one change (Slots.name), an edited
    /// slot one per part (Slots.name.Backend, Slots.name.Interfaces, Slots.name.Config.key), a new order one (Slots).
    /// </summary>
    private static void SlotModel(List<PropertyChange> changes, NamespaceConfig? before, NamespaceConfig? after)
    {
        Scalar(changes, nameof(NamespaceConfig.PatternVersion), before?.PatternVersion, after?.PatternVersion);
        Table(changes, nameof(NamespaceConfig.Behavior), before?.Behavior, after?.Behavior);
        var oldSlots = before?.Slots ?? new SlotTable();
        var newSlots = after?.Slots ?? new SlotTable();
        const string slots = nameof(NamespaceConfig.Slots);
        foreach (var (name, slot) in oldSlots.Entries())
        {
            if (newSlots.Get(name) is not { } now)
            {
                changes.Add(new PropertyChange($"{slots}.{name}", slot.Clone(), null));
                continue;
            }
            Scalar(changes, $"{slots}.{name}.{nameof(NamespaceSlot.Backend)}", slot.Backend, now.Backend);
            if (!slot.Interfaces.SequenceEqual(now.Interfaces, StringComparer.Ordinal))
            {
                changes.Add(new PropertyChange($"{slots}.{name}.{nameof(NamespaceSlot.Interfaces)}", slot.Interfaces.Clone(), now.Interfaces.Clone()));
            }
            Table(changes, $"{slots}.{name}.{nameof(NamespaceSlot.Config)}", slot.Config, now.Config);
        }
        foreach (var (name, slot) in newSlots.Entries())
        {
            if (oldSlots.Get(name) is null)
            {
                changes.Add(new PropertyChange($"{slots}.{name}", null, slot.Clone()));
            }
        }
        var oldOrder = oldSlots.Entries().Select(e => e.Name).Where(n => newSlots.Get(n) is not null);
        var newOrder = newSlots.Entries().Select(e => e.Name).Where(n => oldSlots.Get(n) is not null);
        if (!oldOrder.SequenceEqual(newOrder, StringComparer.Ordinal))
        {
            changes.Add(new PropertyChange(slots, oldSlots.Clone(), newSlots.Clone()));
        }
    }

    private static void Scalar(List<PropertyChange> changes, string property, object? before, object? after)
    {
        if (!Equals(before, after))
        {
            changes.Add(new PropertyChange(property, before, after));
        }
    }

    /// <remarks>
    /// Runs for every table on every write, and most tables are unchanged: keys are collected and sorted only when
    /// they changed. The tables compare keys without regard to case, so a key is reported once, as the old side spells it.
    /// </remarks>
    private static void Table(List<PropertyChange> changes, string property, Hashtable? before, Hashtable? after)
    {
        List<string>? changed = null;
        if (before is not null)
        {
            foreach (DictionaryEntry entry in before)
            {
                var key = KeyText(entry.Key);
                if (after is null || !after.ContainsKey(key) || !ConfigJson.DeepEquals(entry.Value, after[key]))
                {
                    (changed ??= []).Add(key);
                }
            }
        }
        if (after is not null)
        {
            foreach (DictionaryEntry entry in after)
            {
                var key = KeyText(entry.Key);
                if (before is null || !before.ContainsKey(key))
                {
                    (changed ??= []).Add(key);
                }
            }
        }
        if (changed is null) return;
        changed.Sort(StringComparer.Ordinal);
        foreach (var key in changed)
        {
            var oldValue = before is not null && before.ContainsKey(key) ? before[key] : null;
            var newValue = after is not null && after.ContainsKey(key) ? after[key] : null;
            changes.Add(new PropertyChange(property + "." + key, NamespaceConfig.DeepCopy(oldValue), NamespaceConfig.DeepCopy(newValue)));
        }
    }

    private static string KeyText(object key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";
}
