using System.Collections;
using System.Globalization;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Store;

/// <summary>Applies a <see cref="NamespacePatch"/> to a namespace: the one definition of what each patch member means.</summary>
internal static class NamespacePatcher
{
    /// <summary>The patched namespace, canonical and validated.</summary>
    public static NamespaceConfig Apply(NamespaceConfig current, NamespacePatch patch)
    {
        var ns = current.Clone();
        var name = ns.Name;
        var editedDirect = patch.Edited is not null && ApplyEdited(ns, patch.Edited);
        if (patch.Description is not null) ns.Description = patch.Description.Length == 0 ? null : patch.Description;
        if (patch.Backend is not null) ns.Backend = patch.Backend;
        if (patch.Pattern is not null) ns.Pattern = patch.Pattern;
        if (patch.Status is not null) ns.Status = patch.Status;
        if (patch.Consistency is not null) ns.Consistency = patch.Consistency;
        foreach (var field in patch.Clear ?? [])
        {
            if (string.Equals(field, nameof(NamespacePatch.RateLimitRps), StringComparison.OrdinalIgnoreCase)) ns.RateLimitRps = null;
            else if (string.Equals(field, nameof(NamespacePatch.CacheTtlSeconds), StringComparison.OrdinalIgnoreCase)) ns.CacheTtlSeconds = null;
            else throw new ValidationException(name, "Clear", field, "only RateLimitRps and CacheTtlSeconds can be cleared.");
        }
        if (patch.CacheTtlSeconds is not null) ns.CacheTtlSeconds = patch.CacheTtlSeconds;
        if (patch.RateLimitRps is not null) ns.RateLimitRps = patch.RateLimitRps;

        if (patch.BackendConfig is not null)
        {
            ns.BackendConfig = NamespaceNormalizer.CanonicalTable(name, "backend_config", patch.BackendConfig);
        }
        if (patch.SetBackendConfig is not null)
        {
            foreach (DictionaryEntry e in patch.SetBackendConfig)
            {
                var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                ns.BackendConfig[key] = NormalizedValue(name, key, e.Value);
            }
        }
        if (patch.ConnectionString is not null)
        {
            ns.BackendConfig["connection_string"] = patch.ConnectionString;
        }
        if (patch.RemoveBackendConfigKeys is not null && ns.Slots.Count == 0)
        {
            foreach (var key in patch.RemoveBackendConfigKeys)
            {
                ns.BackendConfig.Remove(key);
            }
        }

        if (patch.Tags is not null)
        {
            ns.Tags = [.. patch.Tags];
        }
        if (patch.AddTags is not null)
        {
            var tags = ns.Tags.ToList();
            foreach (var tag in patch.AddTags)
            {
                if (!tags.Contains(tag, StringComparer.Ordinal)) tags.Add(tag);
            }
            ns.Tags = [.. tags];
        }
        if (patch.RemoveTags is not null)
        {
            var remove = new HashSet<string>(patch.RemoveTags, StringComparer.Ordinal);
            ns.Tags = ns.Tags.Where(t => !remove.Contains(t)).ToArray();
        }

        if (patch.Features is not null)
        {
            foreach (DictionaryEntry e in patch.Features)
            {
                var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                if (e.Value is not bool enabled)
                {
                    throw new ValidationException(name, "features." + key, e.Value, "a feature flag is true or false.");
                }
                ns.Features[key] = enabled;
            }
        }
        if (patch.RemoveFeatures is not null)
        {
            foreach (var feature in patch.RemoveFeatures)
            {
                ns.Features.Remove(feature);
            }
        }

        ApplySlotModel(ns, patch, editedDirect);

        var canonical = NamespaceNormalizer.Canonicalize(ns);
        NamespaceValidator.Validate(canonical);
        return canonical;
    }

    /// <summary>
    /// Takes every content field in which <paramref name="edited"/> differs from <paramref name="ns"/>. True when that
    /// changed the backend or backend_config directly, which a namespace with slots refuses.
    /// </summary>
    private static bool ApplyEdited(NamespaceConfig ns, NamespaceConfig edited)
    {
        if (edited.Description != ns.Description) ns.Description = string.IsNullOrEmpty(edited.Description) ? null : edited.Description;
        if (edited.Pattern != ns.Pattern) ns.Pattern = edited.Pattern ?? "";
        if (edited.Status != ns.Status) ns.Status = edited.Status ?? "";
        if (edited.Consistency != ns.Consistency) ns.Consistency = edited.Consistency ?? "";
        ns.CacheTtlSeconds = edited.CacheTtlSeconds;
        ns.RateLimitRps = edited.RateLimitRps;
        if (edited.PatternVersion != ns.PatternVersion) ns.PatternVersion = string.IsNullOrEmpty(edited.PatternVersion) ? null : edited.PatternVersion;
        var tags = edited.Tags ?? [];
        if (!NamespaceNormalizer.SortedTags(tags).SequenceEqual(ns.Tags, StringComparer.Ordinal)) ns.Tags = [.. tags];
        if (!ConfigJson.DeepEquals(Normalized(ns.Name, "features", edited.Features), ns.Features))
        {
            ns.Features = Normalized(ns.Name, "features", edited.Features);
        }
        if (!ConfigJson.DeepEquals(Normalized(ns.Name, "behavior", edited.Behavior), ns.Behavior))
        {
            ns.Behavior = NamespaceNormalizer.CanonicalTable(ns.Name, "behavior", edited.Behavior ?? NamespaceConfig.NewTable());
        }
        var slots = edited.Slots ?? new SlotTable();
        if (!ConfigJson.DeepEquals(slots, ns.Slots)) ns.Slots = slots.Clone();
        var direct = false;
        if (edited.Backend != ns.Backend)
        {
            ns.Backend = edited.Backend ?? "";
            direct = true;
        }
        var config = edited.BackendConfig ?? NamespaceConfig.NewTable();
        if (!ConfigJson.DeepEquals(Normalized(ns.Name, "backend_config", config), ns.BackendConfig))
        {
            ns.BackendConfig = NamespaceNormalizer.CanonicalTable(ns.Name, "backend_config", config);
            direct = true;
        }
        return direct;
    }

    private static object? NormalizedValue(string name, string key, object? value)
    {
        try
        {
            return ConfigJson.Normalize(value);
        }
        catch (ArgumentException ex)
        {
            throw new ValidationException(name, "backend_config." + key, null, ex.Message);
        }
    }

    private static Hashtable Normalized(string name, string field, Hashtable? table) =>
        NamespaceNormalizer.CanonicalTable(name, field, table ?? NamespaceConfig.NewTable());

    private static void ApplySlotModel(NamespaceConfig ns, NamespacePatch patch, bool editedDirect)
    {
        if (patch.PatternVersion is not null) ns.PatternVersion = patch.PatternVersion.Length == 0 ? null : patch.PatternVersion;
        if (patch.Behavior is not null) ns.Behavior = NamespaceNormalizer.CanonicalTable(ns.Name, "behavior", patch.Behavior);
        var hadSlots = ns.Slots.Count > 0;
        if (patch.Slots is not null)
        {
            foreach (var (name, slot) in patch.Slots.Entries())
            {
                ns.Slots[name] = slot.Clone();
            }
        }
        if (patch.RemoveSlot is not null)
        {
            foreach (var name in patch.RemoveSlot)
            {
                ns.Slots.Remove(name);
            }
        }
        // Key edits (set or remove one key) go to the first slot, whose config the ADR's backend_config column is:
        // that is the edit the user means, and unlike a whole replacement it cannot drop the slot's other keys.
        if (ns.Slots.Count > 0 && (patch.SetBackendConfig is not null || patch.RemoveBackendConfigKeys is not null || patch.ConnectionString is not null))
        {
            var (_, first) = ns.Slots.Entries().First();
            foreach (DictionaryEntry e in patch.SetBackendConfig ?? NamespaceConfig.NewTable())
            {
                var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                first.Config[key] = NormalizedValue(ns.Name, key, e.Value);
            }
            if (patch.ConnectionString is not null) first.Config["connection_string"] = patch.ConnectionString;
            foreach (var key in patch.RemoveBackendConfigKeys ?? [])
            {
                first.Config.Remove(key);
            }
        }
        var direct = patch.Backend ?? patch.BackendConfig as object ?? (editedDirect ? "" : null);
        if (ns.Slots.Count > 0 && direct is not null)
        {
            // The ADR's columns follow the first slot; a direct edit would be silently undone, so it is refused.
            throw new ValidationException(ns.Name, patch.Backend is null ? "backend_config" : "backend", patch.Backend,
                "a namespace with slots takes its backend and backend_config from its first slot; change the slot with -Slots " +
                "(or one key with -BackendConfigUpdate) instead.");
        }
        if (hadSlots && ns.Slots.Count == 0)
        {
            throw new ValidationException(ns.Name, "slots", null,
                "removing every slot would leave the namespace without a backend; keep at least one slot.");
        }
    }
}
