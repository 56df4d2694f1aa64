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
                try
                {
                    ns.BackendConfig[key] = ConfigJson.Normalize(e.Value);
                }
                catch (ArgumentException ex)
                {
                    throw new ValidationException(name, "backend_config." + key, null, ex.Message);
                }
            }
        }
        if (patch.ConnectionString is not null)
        {
            ns.BackendConfig["connection_string"] = patch.ConnectionString;
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

        ApplySlotModel(ns, patch);

        var canonical = NamespaceNormalizer.Canonicalize(ns);
        NamespaceValidator.Validate(canonical);
        return canonical;
    }

    private static void ApplySlotModel(NamespaceConfig ns, NamespacePatch patch)
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
        var direct = patch.Backend ?? (patch.BackendConfig ?? patch.SetBackendConfig) as object ?? patch.ConnectionString;
        if (ns.Slots.Count > 0 && direct is not null)
        {
            // The ADR's columns follow the first slot; a direct edit would be silently undone, so it is refused.
            throw new ValidationException(ns.Name, "backend", patch.Backend,
                "a namespace with slots takes its backend and backend_config from its first slot; change the slot with -Slots instead.");
        }
        if (hadSlots && ns.Slots.Count == 0)
        {
            throw new ValidationException(ns.Name, "slots", null,
                "removing every slot would leave the namespace without a backend; keep at least one slot.");
        }
    }
}
