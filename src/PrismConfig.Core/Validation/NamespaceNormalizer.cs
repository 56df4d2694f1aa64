using System.Collections;
using System.Globalization;

namespace PrismConfig.Core.Validation;

/// <summary>
/// Brings a namespace into the one shape Core stores, so that equal content always compares equal:
/// backend_config round-tripped through canonical JSON (PowerShell dictionaries, decimals and lists become the
/// model's types), tags sorted, an empty description stored as none.
/// </summary>
internal static class NamespaceNormalizer
{
    public static NamespaceConfig Canonicalize(NamespaceConfig source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Canonicalize(source, source.BackendConfig is null ? null! : CanonicalTable(source.Name, "backend_config", source.BackendConfig));
    }

    /// <summary>As <see cref="Canonicalize(NamespaceConfig)"/>, with a backend_config the caller has already made canonical.</summary>
    public static NamespaceConfig Canonicalize(NamespaceConfig source, Hashtable canonicalBackendConfig)
    {
        ArgumentNullException.ThrowIfNull(source);
        var ns = new NamespaceConfig
        {
            Name = source.Name,
            Description = string.IsNullOrEmpty(source.Description) ? null : source.Description,
            Backend = source.Backend,
            Pattern = source.Pattern,
            Status = source.Status,
            Consistency = source.Consistency,
            CacheTtlSeconds = source.CacheTtlSeconds,
            RateLimitRps = source.RateLimitRps,
            BackendConfig = canonicalBackendConfig,
            Tags = SortedTags(source.Tags),
            Features = FeatureTable(source.Features),
            Version = source.Version,
            CreatedAt = source.CreatedAt,
            UpdatedAt = source.UpdatedAt,
            CreatedBy = source.CreatedBy,
            UpdatedBy = source.UpdatedBy,
        };
        CanonicalizeSlotModel(source, ns);
        return ns;
    }

    /// <summary>
    /// Pattern version, slots and behaviour in canonical form. A namespace with slots takes its backend and
    /// backend_config from its first slot: that is what the ADR's columns hold, so a proxy running the ADR's own
    /// queries gets a meaningful row.
    /// </summary>
    private static void CanonicalizeSlotModel(NamespaceConfig source, NamespaceConfig ns)
    {
        ns.PatternVersion = string.IsNullOrEmpty(source.PatternVersion) ? null : source.PatternVersion;
        ns.Behavior = source.Behavior is null ? NamespaceConfig.NewTable() : CanonicalTable(source.Name, "behavior", source.Behavior);
        ns.Slots = new SlotTable();
        if (source.Slots is null) return;
        foreach (var (name, slot) in source.Slots.Entries())
        {
            if (slot is null)
            {
                throw new ValidationException(source.Name, "slots." + name, null, "a slot is a mapping with backend, interfaces and config.");
            }
            ns.Slots.Add(name, new NamespaceSlot
            {
                Backend = slot.Backend,
                Interfaces = slot.Interfaces is null ? [] : (string[])slot.Interfaces.Clone(),
                Config = slot.Config is null ? NamespaceConfig.NewTable() : CanonicalTable(source.Name, $"slots.{name}.config", slot.Config),
            });
        }
        if (ns.Slots.Count > 0)
        {
            var (_, first) = ns.Slots.Entries().First();
            ns.Backend = first.Backend;
            ns.BackendConfig = (Hashtable)NamespaceConfig.DeepCopy(first.Config)!;
        }
    }

    public static string[] SortedTags(IEnumerable<string>? tags)
    {
        var array = tags?.ToArray() ?? [];
        Array.Sort(array, StringComparer.Ordinal);
        return array;
    }

    public static Hashtable CanonicalTable(string? ns, string field, IDictionary table)
    {
        // Every stored table, and so every table a write starts from, is already what parsing canonical JSON makes:
        // that is its own canonical form, so it is copied rather than written out and parsed again.
        if (IsCanonicalTable(table))
        {
            return (Hashtable)NamespaceConfig.DeepCopy(table)!;
        }
        try
        {
            return ConfigJson.ParseObject(ConfigJson.Serialize(ConfigJson.Normalize(table)));
        }
        catch (ArgumentException ex)
        {
            throw new ValidationException(ns, field, null, ex.Message);
        }
    }

    /// <summary>
    /// The canonical JSON text of a table: exactly what <c>ConfigJson.Serialize(CanonicalTable(...))</c> gives, but
    /// for a table of plain JSON values (string keys, distinct ignoring case; strings, booleans, int, long, finite
    /// double, null, object[] and nested such tables, which is all the YAML reader makes) it is one serialisation
    /// instead of serialise, parse and serialise again: such a table already is its own canonical form.
    /// </summary>
    public static string CanonicalJson(string? ns, string field, IDictionary table)
    {
        try
        {
            return IsPlainTable(table)
                ? ConfigJson.Serialize(table)
                : ConfigJson.Serialize(ConfigJson.ParseObject(ConfigJson.Serialize(ConfigJson.Normalize(table))));
        }
        catch (ArgumentException ex)
        {
            throw new ValidationException(ns, field, null, ex.Message);
        }
    }

    /// <summary>
    /// True when <paramref name="table"/> is exactly what <c>ConfigJson.ParseObject</c> makes of its own JSON text:
    /// a <see cref="ConfigTable"/> of string keys and of strings, booleans, nulls, ints, longs outside the int range,
    /// object[] and nested such tables. Doubles are left to the round trip, which decides how each one reads back.
    /// </summary>
    internal static bool IsCanonicalTable(IDictionary table)
    {
        if (table is not ConfigTable) return false;
        for (var en = table.GetEnumerator(); en.MoveNext();)
        {
            var e = en.Entry;
            if (e.Key is not string key || !IsPlainText(key) || !IsCanonicalValue(e.Value)) return false;
        }
        return true;
    }

    private static bool IsCanonicalValue(object? value)
    {
        switch (value)
        {
            case null or bool or int:
                return true;
            case string text:
                return IsPlainText(text);
            case long l:
                return l is < int.MinValue or > int.MaxValue;
            case object?[] list when list.GetType() == typeof(object[]):
                foreach (var item in list)
                {
                    if (!IsCanonicalValue(item)) return false;
                }
                return true;
            case IDictionary nested:
                return IsCanonicalTable(nested);
            default:
                return false;
        }
    }

    /// <summary>No UTF-16 surrogates: such text reads back from JSON exactly as it was written.</summary>
    private static bool IsPlainText(string text) => !text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF');

    internal static bool IsPlainTable(IDictionary table)
    {
        // A ConfigTable compares keys ignoring case, so it cannot hold two that differ only in case; any other
        // table is checked with a set, in linear time (a config may have many keys before its size is judged).
        var keys = table is ConfigTable ? null : new HashSet<string>(table.Count, StringComparer.OrdinalIgnoreCase);
        // IDictionaryEnumerator.Entry, not foreach: foreach boxes every DictionaryEntry (8 MiB in a 10,000-namespace import).
        for (var en = table.GetEnumerator(); en.MoveNext();)
        {
            var e = en.Entry;
            if (e.Key is not string key || !IsPlainValue(e.Value)) return false;
            if (keys is not null && !keys.Add(key)) return false;
        }
        return true;
    }

    private static bool IsPlainValue(object? value)
    {
        switch (value)
        {
            case null or string or bool or int or long:
                return true;
            case double d:
                return double.IsFinite(d);
            case object?[] list:
                foreach (var item in list)
                {
                    if (!IsPlainValue(item)) return false;
                }
                return list.GetType() == typeof(object[]);
            case IDictionary nested:
                return nested is Hashtable && IsPlainTable(nested);
            default:
                return false;
        }
    }

    /// <summary>Feature keys as strings; values are kept as given so validation can reject non-booleans.</summary>
    public static Hashtable FeatureTable(IDictionary? features)
    {
        if (features is null) return NamespaceConfig.NewTable();
        var table = new ConfigTable(features.Count);
        for (var en = features.GetEnumerator(); en.MoveNext();)
        {
            var e = en.Entry;
            table[Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? ""] = e.Value;
        }
        return table;
    }
}
