using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PrismConfig.Core.Validation;

/// <summary>
/// The validation rules from the Prism admin API review and ADR-036. Each violation names the field, the value
/// and the rule, so a user can fix the input without reading this file.
/// </summary>
public static partial class NamespaceValidator
{
    public const int MaxDescriptionLength = 500;
    public const int MaxTags = 10;
    public const int MaxBackendConfigBytes = 64 * 1024;
    public const int MaxReasonLength = 1000;

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex("^[a-z0-9-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex KindRegex();

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex FeatureRegex();

    /// <summary>Slot names are Prism's snake_case identifiers (message_source, state_store).</summary>
    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SlotNameRegex();

    /// <summary>Interface names in either spelling Prism uses: keyvalue_basic or KeyValueBasicInterface.</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,99}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex InterfaceRegex();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PatternVersionRegex();

    /// <summary>
    /// The one form every comparison of interface names uses (a slot's duplicates, the registry's required and
    /// implemented interfaces): lower case, without '_', without a trailing "Interface", and without a trailing
    /// "basic", because Prism names the basic interface of a family both ways. So KeyValueBasicInterface,
    /// keyvalue_basic and KeyValueInterface are one interface, and PubSubInterface is pubsub_basic. Names are
    /// stored as written.
    /// </summary>
    public static string InterfaceKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        key = StripSuffix(key, "interface");
        return StripSuffix(key, "basic");
    }

    private static string StripSuffix(string key, string suffix) =>
        key.Length > suffix.Length && key.EndsWith(suffix, StringComparison.Ordinal) ? key[..^suffix.Length] : key;

    /// <summary>Refuses a name that is not an interface name in either spelling Prism uses.</summary>
    public static void ValidateInterfaceName(string? ns, string field, string? name)
    {
        if (name is null || !InterfaceRegex().IsMatch(name))
        {
            throw new ValidationException(ns, field, name,
                "an interface name is 1 to 100 letters, digits and '_', starting with a letter (for example keyvalue_basic or KeyValueBasicInterface).");
        }
    }

    public static void ValidateSlotName(string? ns, string? name)
    {
        if (name is null || !SlotNameRegex().IsMatch(name))
        {
            throw new ValidationException(ns, "slots", name,
                "a slot name is 1 to 63 characters of lowercase letters, digits and '_', starting with a letter (for example message_source).");
        }
    }

    private static void ValidateSlotModel(string n, NamespaceConfig ns)
    {
        if (ns.PatternVersion is { } pv && !PatternVersionRegex().IsMatch(pv))
        {
            throw new ValidationException(n, "pattern_version", pv, "pattern_version is 1 to 32 letters, digits, '.', '_' and '-' (for example v1).");
        }
        ValidateJsonSize(n, "behavior", ns.Behavior);
        if (ns.Slots is not { Count: > 0 } slots) return;
        foreach (var (name, slot) in slots.Entries())
        {
            ValidateSlotName(n, name);
            ValidateKind(n, $"slots.{name}.backend", slot.Backend, "postgres, redis, kafka, nats, memstore, s3, minio");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var i in slot.Interfaces)
            {
                ValidateInterfaceName(n, $"slots.{name}.interfaces", i);
                if (!seen.Add(InterfaceKey(i!)))
                {
                    throw new ValidationException(n, $"slots.{name}.interfaces", i, "each interface may appear only once in a slot (KeyValueBasicInterface and keyvalue_basic are the same).");
                }
            }
            ValidateJsonSize(n, $"slots.{name}.config", slot.Config);
        }
        var (_, first) = slots.Entries().First();
        if (ns.Backend != first.Backend || !ConfigJson.DeepEquals(ns.BackendConfig, first.Config))
        {
            throw new ValidationException(n, "backend", ns.Backend,
                $"in a namespace with slots, backend and backend_config are the first slot's ({first.Backend}); change the slot instead.");
        }
    }

    private static void ValidateJsonSize(string ns, string field, Hashtable? table)
    {
        if (table is null)
        {
            throw new ValidationException(ns, field, null, $"{field} is a mapping (use an empty one, {{}}, for none).");
        }
        var json = NamespaceNormalizer.IsPlainTable(table) ? ConfigJson.Serialize(table) : SerializeForSize(ns, table);
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxBackendConfigBytes)
        {
            throw new ValidationException(ns, field, $"{bytes} bytes", $"{field} is at most {MaxBackendConfigBytes / 1024} KiB when serialised to JSON.");
        }
    }

    public static void ValidateName(string? name)
    {
        if (name is null || name.Length is < 3 or > 63 || !NameRegex().IsMatch(name))
        {
            throw new ValidationException(null, "name", name,
                "a name is 3 to 63 characters of lowercase letters, digits and '-', starting and ending with a letter or digit (for example 'user-profiles').");
        }
    }

    /// <summary>Checks every field of a complete namespace. Throws <see cref="ValidationException"/> on the first violation.</summary>
    public static void Validate(NamespaceConfig ns) => Validate(ns, null);

    /// <summary>As <see cref="Validate(NamespaceConfig)"/>, with backend_config already serialised to its canonical JSON (or null to serialise it here).</summary>
    internal static void Validate(NamespaceConfig ns, string? backendConfigJson)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ValidateName(ns.Name);
        var n = ns.Name;

        if (ns.Description is { Length: > MaxDescriptionLength })
        {
            throw new ValidationException(n, "description", ns.Description, $"a description is at most {MaxDescriptionLength} characters (this one has {ns.Description.Length}).");
        }

        ValidateKind(n, "backend", ns.Backend, "postgres, redis, kafka, nats, memstore, s3, minio");
        ValidateKind(n, "pattern", ns.Pattern, "keyvalue, pubsub, stream, queue, timeseries, objectstore, multicast-registry");

        if (!NamespaceStatus.All.Contains(ns.Status))
        {
            throw new ValidationException(n, "status", ns.Status, "status is one of active, disabled or migrating.");
        }
        if (!ConsistencyLevel.All.Contains(ns.Consistency))
        {
            throw new ValidationException(n, "consistency", ns.Consistency, "consistency is strong or eventual.");
        }
        if (ns.CacheTtlSeconds is < 0)
        {
            throw new ValidationException(n, "cache_ttl_seconds", ns.CacheTtlSeconds, "cache_ttl_seconds is 0 or more.");
        }
        if (ns.RateLimitRps is < 1)
        {
            throw new ValidationException(n, "rate_limit_rps", ns.RateLimitRps, "rate_limit_rps is 1 or more.");
        }

        ValidateTags(n, ns.Tags);
        ValidateFeatures(n, ns.Features);
        ValidateBackendConfig(n, ns.BackendConfig, backendConfigJson);
        ValidateSlotModel(n, ns);
    }

    private static void ValidateKind(string ns, string field, string? value, string examples)
    {
        if (value is null || !KindRegex().IsMatch(value))
        {
            throw new ValidationException(ns, field, value,
                $"{field} is 1 to 63 characters of lowercase letters, digits and '-', starting with a letter (for example {examples}).");
        }
    }

    public static void ValidateTags(string? ns, IReadOnlyCollection<string>? tags)
    {
        if (tags is null) return;
        if (tags.Count > MaxTags)
        {
            throw new ValidationException(ns, "tags", tags, $"a namespace has at most {MaxTags} tags (this one has {tags.Count}).");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag is null || tag.Length is < 1 or > 50 || !TagRegex().IsMatch(tag))
            {
                throw new ValidationException(ns, "tags", tag, "a tag is 1 to 50 characters of lowercase letters, digits and '-'.");
            }
            if (!seen.Add(tag))
            {
                throw new ValidationException(ns, "tags", tag, "each tag may appear only once.");
            }
        }
    }

    public static void ValidateFeatureName(string? ns, string? name)
    {
        if (name is null || name.Length is < 1 or > 63 || !FeatureRegex().IsMatch(name))
        {
            throw new ValidationException(ns, "features", name,
                "a feature name is 1 to 63 characters of lowercase letters, digits, '_', '.' and '-', starting with a letter or digit.");
        }
    }

    private static void ValidateFeatures(string ns, Hashtable? features)
    {
        if (features is null) return;
        // IDictionaryEnumerator.Entry, not foreach: foreach boxes every DictionaryEntry (8 MiB in a 10,000-namespace import).
        for (var en = features.GetEnumerator(); en.MoveNext();)
        {
            var e = en.Entry;
            var name = e.Key as string;
            ValidateFeatureName(ns, name);
            if (e.Value is not bool)
            {
                throw new ValidationException(ns, $"features.{name}", e.Value, "a feature flag is true or false.");
            }
        }
    }

    private static void ValidateBackendConfig(string ns, Hashtable? config, string? canonicalJson)
    {
        if (config is null)
        {
            throw new ValidationException(ns, "backend_config", null, "backend_config is a mapping (use an empty one, {}, for none).");
        }
        if (canonicalJson is null && NamespaceNormalizer.IsCanonicalTable(config) && JsonBytesAtMost(config) <= MaxBackendConfigBytes)
        {
            return;
        }
        // A table of plain JSON values (all the YAML reader makes) is its own canonical form: no normalising copy.
        var json = canonicalJson ?? (NamespaceNormalizer.IsPlainTable(config) ? ConfigJson.Serialize(config) : SerializeForSize(ns, config));
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxBackendConfigBytes)
        {
            throw new ValidationException(ns, "backend_config", $"{bytes} bytes", $"backend_config is at most {MaxBackendConfigBytes / 1024} KiB when serialised to JSON.");
        }
    }

    /// <summary>
    /// An upper bound on the UTF-8 size of a canonical table's JSON, without writing it: a character is at most six
    /// bytes (an escape), a number at most 20, and each entry adds its quotes, colon and comma. Every write checks
    /// the size, and almost every table is far below the limit.
    /// </summary>
    private static long JsonBytesAtMost(object? value)
    {
        switch (value)
        {
            case null or bool:
                return 5;
            case int or long:
                return 20;
            case string text:
                return 2 + (6L * text.Length);
            case object?[] list:
                var listBytes = 2L;
                foreach (var item in list) listBytes += JsonBytesAtMost(item) + 1;
                return listBytes;
            case IDictionary table:
                var tableBytes = 2L;
                for (var en = table.GetEnumerator(); en.MoveNext();)
                {
                    tableBytes += JsonBytesAtMost(Convert.ToString(en.Key, CultureInfo.InvariantCulture) ?? "") + 2 + JsonBytesAtMost(en.Value);
                }
                return tableBytes;
            default:
                // Not in a canonical table (IsCanonicalTable refuses it); counted as over any limit.
                return long.MaxValue / 2;
        }
    }

    private static string SerializeForSize(string ns, Hashtable config)
    {
        try
        {
            // Normalize rejects keys that differ only in case (a case-sensitive table could hold both).
            return ConfigJson.Serialize(ConfigJson.Normalize(config));
        }
        catch (ArgumentException ex)
        {
            throw new ValidationException(ns, "backend_config", null, ex.Message);
        }
    }

    public static void ValidateReason(string? reason)
    {
        if (reason is { Length: > MaxReasonLength })
        {
            throw new ValidationException(null, "reason", reason, $"a reason is at most {MaxReasonLength} characters (this one has {reason.Length}).");
        }
    }
}
