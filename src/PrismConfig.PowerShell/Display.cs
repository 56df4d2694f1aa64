using System.Collections;
using System.Globalization;
using System.Text;
using PrismConfig.Core.Display;

namespace PrismConfig.PowerShell;

/// <summary>
/// Text for the format views, ShouldProcess messages and -Verbose lines. Everything here masks secrets; the objects
/// themselves are never changed.
/// </summary>
/// <remarks>
/// The format file calls these through [PrismConfig.PowerShell.Display]. The parameters are typed object because a
/// format scriptblock hands over whatever was piped, and Core's types are not resolvable by name from script.
/// </remarks>
public static class Display
{
    /// <summary>A namespace's backend config as one line, sorted by key, secrets masked.</summary>
    public static string BackendConfigText(object? config)
    {
        return Unwrap(config) is NamespaceConfig ns ? FormatValue(SecretMasker.MaskTable(ns.BackendConfig)) : "";
    }

    /// <summary>A namespace's feature flags as one line: "a=true; b=false".</summary>
    /// <summary>Every backend the namespace uses, in slot order: "kafka, postgres".</summary>
    public static string BackendsText(object? config) =>
        Unwrap(config) is NamespaceConfig ns ? string.Join(", ", ns.Backends) : "";

    /// <summary>The slots, in order, with secrets in their configs masked.</summary>
    public static string SlotsText(object? config) =>
        Unwrap(config) is NamespaceConfig { Slots.Count: > 0 } ns ? FormatValue(SecretMasker.MaskSlots(ns.Slots)) : "";

    public static string BehaviorText(object? config) =>
        Unwrap(config) is NamespaceConfig { Behavior.Count: > 0 } ns ? FormatValue(SecretMasker.MaskTable(ns.Behavior)) : "";

    /// <summary>A namespace's registry defaults (Get-PrismNamespace -IncludeDefaults), masked like its behaviour.</summary>
    public static string DefaultsText(object? defaults) =>
        Unwrap(defaults) is Hashtable { Count: > 0 } table ? FormatValue(SecretMasker.MaskTable(table)) : "";

    public static string FeaturesText(object? config)
    {
        return Unwrap(config) is NamespaceConfig ns ? FormatTable(ns.Features, braces: false) : "";
    }

    /// <summary>A namespace's tags as one line.</summary>
    public static string TagsText(object? config)
    {
        return Unwrap(config) is NamespaceConfig ns ? string.Join(", ", ns.Tags) : "";
    }

    /// <summary>A description masked the way every free text is (URI and connection-string passwords).</summary>
    public static string MaskedText(object? value)
    {
        return Unwrap(value) switch
        {
            null => "",
            string s => SecretMasker.MaskText(s),
            var other => FormatValue(other),
        };
    }

    /// <summary>A short list of what a history entry changed, e.g. "CacheTtlSeconds, Tags (+2)".</summary>
    public static string ChangesSummary(object? entry)
    {
        if (Unwrap(entry) is not HistoryEntry h) return "";
        // A creation "changes" every field; listing them all says less than saying what happened.
        return h.OldConfig is null && string.Equals(h.Operation, "create", StringComparison.Ordinal) ? "(new)" : Summarize(h.Changes);
    }

    /// <summary>Every change of a history entry, one per line, "Property: old → new", secrets masked.</summary>
    public static string ChangesText(object? entry)
    {
        if (Unwrap(entry) is not HistoryEntry h) return "";
        return string.Join(Environment.NewLine, h.Changes.Select(c => $"{c.Property}: {MaskedChange(c.Property, c.OldValue)} → {MaskedChange(c.Property, c.NewValue)}"));
    }

    /// <summary>The old value of a PropertyChange, masked.</summary>
    public static string OldValueText(object? change)
    {
        return Unwrap(change) is PropertyChange c ? MaskedChange(c.Property, c.OldValue) : "";
    }

    /// <summary>The new value of a PropertyChange, masked.</summary>
    public static string NewValueText(object? change)
    {
        return Unwrap(change) is PropertyChange c ? MaskedChange(c.Property, c.NewValue) : "";
    }

    /// <summary>The old value of a FieldChange (Compare-PrismNamespace), as one line.</summary>
    public static string FieldOldText(object? change) => Unwrap(change) is FieldChange c ? FormatValue(c.OldValue) : "";

    /// <summary>The new value of a FieldChange, as one line.</summary>
    public static string FieldNewText(object? change) => Unwrap(change) is FieldChange c ? FormatValue(c.NewValue) : "";

    /// <summary>A timestamp in UTC, second precision, ISO-like.</summary>
    public static string TimeText(object? value)
    {
        return Unwrap(value) switch
        {
            DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            DateTime d => d.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    internal static string Summarize(IReadOnlyList<PropertyChange> changes)
    {
        var parts = new List<string>(changes.Count);
        foreach (var c in changes)
        {
            if (string.Equals(c.Property, "Tags", StringComparison.Ordinal))
            {
                var (added, removed) = TagDelta(c.OldValue, c.NewValue);
                var delta = (added.Count > 0 ? $"+{added.Count}" : "") + (added.Count > 0 && removed.Count > 0 ? " " : "") + (removed.Count > 0 ? $"-{removed.Count}" : "");
                parts.Add(delta.Length > 0 ? $"Tags ({delta})" : "Tags");
            }
            else
            {
                parts.Add(c.Property);
            }
        }
        return string.Join(", ", parts);
    }

    /// <summary>The ShouldProcess action for a set of changes: "Set CacheTtlSeconds 300 → 60; add tag x".</summary>
    internal static string DescribeChanges(IReadOnlyList<PropertyChange> changes)
    {
        if (changes.Count == 0) return "no change";
        var parts = new List<string>();
        foreach (var c in changes)
        {
            if (string.Equals(c.Property, "Tags", StringComparison.Ordinal))
            {
                var (added, removed) = TagDelta(c.OldValue, c.NewValue);
                parts.AddRange(added.Select(t => $"add tag {t}"));
                parts.AddRange(removed.Select(t => $"remove tag {t}"));
                if (added.Count == 0 && removed.Count == 0)
                {
                    parts.Add($"set Tags {MaskedChange(c.Property, c.OldValue)} → {MaskedChange(c.Property, c.NewValue)}");
                }
            }
            else if (c.NewValue is null && c.OldValue is not null && c.Property.Contains('.', StringComparison.Ordinal))
            {
                parts.Add($"remove {c.Property}");
            }
            else
            {
                parts.Add($"set {c.Property} {MaskedChange(c.Property, c.OldValue)} → {MaskedChange(c.Property, c.NewValue)}");
            }
        }
        var text = string.Join("; ", parts);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>A one-line masked description of a whole namespace, for New-PrismNamespace's ShouldProcess.</summary>
    internal static string DescribeNew(NamespaceConfig ns)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Create with backend {ns.Backend}, pattern {ns.Pattern}, status {ns.Status}, consistency {ns.Consistency}");
        if (ns.CacheTtlSeconds is { } ttl) sb.Append(CultureInfo.InvariantCulture, $", CacheTtlSeconds {ttl}");
        if (ns.RateLimitRps is { } rps) sb.Append(CultureInfo.InvariantCulture, $", RateLimitRps {rps}");
        if (ns.Tags.Length > 0) sb.Append(CultureInfo.InvariantCulture, $", tags {string.Join(", ", ns.Tags)}");
        if (ns.BackendConfig.Count > 0) sb.Append(CultureInfo.InvariantCulture, $", BackendConfig {FormatValue(SecretMasker.MaskTable(ns.BackendConfig))}");
        if (ns.Features.Count > 0) sb.Append(CultureInfo.InvariantCulture, $", features {FormatTable(ns.Features, braces: false)}");
        if (ns.PatternVersion is not null) sb.Append(CultureInfo.InvariantCulture, $", PatternVersion {ns.PatternVersion}");
        if (ns.Slots.Count > 0) sb.Append(CultureInfo.InvariantCulture, $", Slots {FormatValue(SecretMasker.MaskSlots(ns.Slots))}");
        if (ns.Behavior.Count > 0) sb.Append(CultureInfo.InvariantCulture, $", Behavior {FormatValue(SecretMasker.MaskTable(ns.Behavior))}");
        return sb.ToString();
    }

    /// <summary>"Namespace 'orders' in /var/lib/prism/config.db": the ShouldProcess target.</summary>
    /// <summary>A span as people read it: 850 ms, 12.3 s, 4 min 10 s, 2 h 5 min.</summary>
    internal static string Duration(TimeSpan span) => span switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min"),
    };

    internal static string Target(string name, string databasePath) => $"Namespace '{name}' in {databasePath}";

    internal static string MaskedChange(string property, object? value) => FormatValue(SecretMasker.MaskAnyChange(property, value));

    internal static string FormatValue(object? value)
    {
        value = Unwrap(value);
        return value switch
        {
            null => "(none)",
            string s => s.Length == 0 ? "''" : s,
            bool b => b ? "true" : "false",
            // Slots keep their order (it is meaning); callers mask them first.
            SlotTable t => "{" + string.Join("; ", t.Entries().Select(e => $"{e.Name}={FormatValue(e.Slot)}")) + "}",
            NamespaceSlot slot => $"{{backend={slot.Backend}; interfaces={FormatValue(slot.Interfaces)}; config={FormatValue(slot.Config)}}}",
            IDictionary d => FormatTable(d, braces: true),
            IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(FormatValue)) + "]",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    private static string FormatTable(IDictionary table, bool braces)
    {
        var keys = new List<string>(table.Count);
        foreach (var k in table.Keys) keys.Add(Convert.ToString(k, CultureInfo.InvariantCulture) ?? "");
        keys.Sort(StringComparer.OrdinalIgnoreCase);
        var body = string.Join("; ", keys.Select(k => $"{k}={FormatValue(table[k])}"));
        return braces ? "{" + body + "}" : body;
    }

    private static (List<string> Added, List<string> Removed) TagDelta(object? oldValue, object? newValue)
    {
        var before = AsStrings(oldValue);
        var after = AsStrings(newValue);
        return (after.Where(t => !before.Contains(t)).ToList(), before.Where(t => !after.Contains(t)).ToList());
    }

    private static List<string> AsStrings(object? value)
    {
        value = Unwrap(value);
        var list = new List<string>();
        if (value is string s)
        {
            list.Add(s);
        }
        else if (value is IEnumerable e)
        {
            foreach (var item in e)
            {
                if (Unwrap(item) is { } v) list.Add(Convert.ToString(v, CultureInfo.InvariantCulture) ?? "");
            }
        }
        return list;
    }

    private static object? Unwrap(object? value) => value is System.Management.Automation.PSObject pso ? pso.BaseObject : value;
}
