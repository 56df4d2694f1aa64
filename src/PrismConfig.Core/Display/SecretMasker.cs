using System.Collections;
using System.Text.RegularExpressions;

namespace PrismConfig.Core.Display;

/// <summary>
/// Masks values that look secret, for display and logs only. Stored data and returned objects are never masked:
/// a user who asks for the real value gets it, but a table, a -Verbose line or an error message does not leak it.
/// </summary>
public static partial class SecretMasker
{
    public const string Mask = "********";

    private static readonly string[] SecretKeyParts = ["password", "secret", "token", "key", "credential"];

    // scheme://user:password@host → keeps the user and host, hides the password.
    [GeneratedRegex(@"(?<prefix>[a-zA-Z][a-zA-Z0-9+.\-]*://[^/:@\s]*:)(?<password>[^@/\s]+)(?<suffix>@)", RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();

    // key=value pairs in ADO-style connection strings: Password=...; pwd=...
    [GeneratedRegex(@"(?<prefix>\b(?:password|pwd|secret|token|access_?key|secret_?key)\s*=\s*)(?<password>[^;\s]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex KeyValuePassword();

    /// <summary>True when a key's name says its value is secret (password, secret, token, key, credential).</summary>
    public static bool IsSecretKey(string? key)
    {
        if (string.IsNullOrEmpty(key)) return false;
        foreach (var part in SecretKeyParts)
        {
            if (key.Contains(part, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Hides the password in a URI's userinfo or a key=value connection string; other text is returned as is.</summary>
    public static string MaskText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var masked = UriPassword().Replace(text, m => m.Groups["prefix"].Value + Mask + m.Groups["suffix"].Value);
        return KeyValuePassword().Replace(masked, m => m.Groups["prefix"].Value + Mask);
    }

    /// <summary>A masked copy of a value found under <paramref name="key"/>: tables and lists are walked.</summary>
    public static object? MaskValue(string? key, object? value)
    {
        if (value is null) return null;
        if (IsSecretKey(key) && value is not IDictionary && value is not object[]) return Mask;
        return value switch
        {
            string s => MaskText(s),
            IDictionary d => MaskTable(d),
            object[] a => Array.ConvertAll(a, v => MaskValue(key, v)),
            _ => value,
        };
    }

    /// <summary>A masked deep copy of a table.</summary>
    public static Hashtable MaskTable(IDictionary table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var copy = NamespaceConfig.NewTable();
        foreach (DictionaryEntry e in table)
        {
            var key = e.Key as string ?? Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture);
            copy[e.Key] = MaskValue(key, e.Value);
        }
        return copy;
    }

    /// <summary>A masked copy of a change's value, using the property path (BackendConfig.password) to decide.</summary>
    public static object? MaskChange(string property, object? value)
    {
        ArgumentNullException.ThrowIfNull(property);
        if (IsSlotModelPath(property)) return MaskSlotModelChange(property, value);
        if (!property.StartsWith("BackendConfig", StringComparison.Ordinal)) return value;
        var lastDot = property.LastIndexOf('.');
        var key = lastDot >= 0 ? property[(lastDot + 1)..] : null;
        return MaskValue(key, value);
    }

    /// <summary>
    /// A masked copy of any change's value, by its property path: backend config, slots and behaviour by key,
    /// feature flags as they are (booleans), and any other text (a description) for URI and connection-string passwords.
    /// </summary>
    public static object? MaskAnyChange(string property, object? value)
    {
        ArgumentNullException.ThrowIfNull(property);
        if (property.StartsWith("BackendConfig", StringComparison.Ordinal) || IsSlotModelPath(property)) return MaskChange(property, value);
        if (property.StartsWith("Features", StringComparison.Ordinal)) return value;
        return value is string s ? MaskText(s) : value;
    }

    /// <summary>A masked deep copy of a slot (its config walked as a table).</summary>
    public static NamespaceSlot MaskSlot(NamespaceSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var copy = slot.Clone();
        copy.Config = MaskTable(slot.Config);
        return copy;
    }

    /// <summary>A masked deep copy of a slot table, in the same order.</summary>
    public static SlotTable MaskSlots(SlotTable slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var copy = new SlotTable();
        foreach (var (name, slot) in slots.Entries())
        {
            copy.Add(name, MaskSlot(slot));
        }
        return copy;
    }

    private static bool IsSlotModelPath(string property) =>
        property.StartsWith("Slots", StringComparison.Ordinal) || property.StartsWith("Behavior", StringComparison.Ordinal);

    // Slots, Slots.x (a whole slot), Slots.x.Config.key, Behavior.key: the last path segment names the value.
    private static object? MaskSlotModelChange(string property, object? value)
    {
        var lastDot = property.LastIndexOf('.');
        var key = lastDot >= 0 ? property[(lastDot + 1)..] : null;
        return value switch
        {
            SlotTable t => MaskSlots(t),
            NamespaceSlot s => MaskSlot(s),
            _ when property.EndsWith(".Backend", StringComparison.Ordinal) || property.EndsWith(".Interfaces", StringComparison.Ordinal) => value,
            _ => MaskValue(key, value),
        };
    }
}
