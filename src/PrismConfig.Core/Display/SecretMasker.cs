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

    // Anywhere in a key's name: client_secret, api_key, sasl.jaas.config (which holds a password), db_pwd.
    private static readonly string[] SecretKeyParts = ["password", "passwd", "passphrase", "pwd", "secret", "token", "key", "credential", "authorization", "jaas"];

    // The last word of a key's name only (after its last '.', '_' or '-'), being short and common in other words:
    // auth, basic_auth, pass, url_sig; not author, auth_mode, pass_through or sig_figs.
    private static readonly string[] SecretKeyWords = ["auth", "pass", "sig", "signature"];

    // scheme://user:password@host → keeps the user and host, hides the password.
    [GeneratedRegex(@"(?<prefix>[a-zA-Z][a-zA-Z0-9+.\-]*://[^/:@\s]*:)(?<password>[^@/\s]+)(?<suffix>@)", RegexOptions.CultureInvariant)]
    private static partial Regex UriPassword();

    // key=value pairs in ADO-style connection strings (Password=...; pwd=...) and URL queries (?apikey=...), the
    // short names only without spaces (?sig=...), as they appear in URLs rather than in prose; and an HTTP
    // Authorization value (Bearer ..., Basic ...) long enough to be a credential rather than a word.
    [GeneratedRegex(@"(?<prefix>\b(?:password|passwd|pwd|passphrase|secret|client_?secret|(?:\w+_)?token|x-api-key|api[_-]?key|access_?key|secret_?key)\s*=\s*)(?<password>[^;&\s]+)|(?<prefix>\b(?:pass|sig|signature)=)(?<password>[^;&\s]+)|(?<prefix>\b(?:Bearer|Basic)\s+)(?<password>[A-Za-z0-9._~+/=-]{20,})", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex KeyValuePassword();

    // env:NAME, the form Prism resolves from its own environment.
    [GeneratedRegex(@"^env:[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvReference();

    /// <summary>
    /// True for a reference Prism resolves itself (vault://..., secret://..., env:NAME): it names where a secret is,
    /// it is not one, so it is shown, exported and imported as it is. A reference carrying a password in its URI is
    /// not taken as one.
    /// </summary>
    public static bool IsReference(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        if (EnvReference().IsMatch(text)) return true;
        var uri = text.StartsWith("vault://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("secret://", StringComparison.OrdinalIgnoreCase);
        return uri && !UriPassword().IsMatch(text) && !text.Any(char.IsWhiteSpace);
    }

    /// <summary>
    /// Where a namespace holds values the masking rules would hide: "backend_config.password",
    /// "slots.cache.config.url", "behavior.token", "description". References are not listed.
    /// </summary>
    public static IReadOnlyList<string> SecretPaths(NamespaceConfig ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var found = new List<string>();
        if (ns.Description is { } d && LooksSecret(null, d)) found.Add("description");
        // With slots, backend_config is the first slot's config: listed under the slot only.
        if (ns.Slots.Count == 0) AddSecretPaths(found, "backend_config", ns.BackendConfig);
        foreach (var (name, slot) in ns.Slots.Entries())
        {
            AddSecretPaths(found, $"slots.{name}.config", slot.Config);
        }
        AddSecretPaths(found, "behavior", ns.Behavior);
        return found;
    }

    private static void AddSecretPaths(List<string> found, string path, object? value, string? key = null)
    {
        switch (value)
        {
            case IDictionary table:
                foreach (var k in Validation.ConfigJson.SortedKeys(table))
                {
                    AddSecretPaths(found, path + "." + k, table[k], k);
                }
                break;
            case object[] list:
                for (var i = 0; i < list.Length; i++)
                {
                    AddSecretPaths(found, path + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", list[i], key);
                }
                break;
            case string s when LooksSecret(key, s):
                found.Add(path);
                break;
        }
    }

    // Text only: a number or flag under a key called, say, key_count is not a credential.
    private static bool LooksSecret(string? key, string text) =>
        text.Length > 0 && !IsReference(text) && (IsSecretKey(key) || !string.Equals(MaskText(text), text, StringComparison.Ordinal));

    /// <summary>
    /// True when a key's name says its value is secret: it contains password, passwd, passphrase, pwd, secret, token,
    /// key, credential, authorization or jaas, or its last word is auth, pass, sig or signature.
    /// </summary>
    public static bool IsSecretKey(string? key)
    {
        if (string.IsNullOrEmpty(key)) return false;
        foreach (var part in SecretKeyParts)
        {
            if (key.Contains(part, StringComparison.OrdinalIgnoreCase)) return true;
        }
        var last = key[(key.LastIndexOfAny(['.', '_', '-']) + 1)..];
        foreach (var secret in SecretKeyWords)
        {
            if (string.Equals(last, secret, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Hides the password in a URI's userinfo or a key=value connection string; other text is returned as is.</summary>
    public static string MaskText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsReference(text)) return text;
        var masked = UriPassword().Replace(text, m => m.Groups["prefix"].Value + Mask + m.Groups["suffix"].Value);
        return KeyValuePassword().Replace(masked, m => m.Groups["prefix"].Value + Mask);
    }

    /// <summary>A masked copy of a value found under <paramref name="key"/>: tables and lists are walked.</summary>
    public static object? MaskValue(string? key, object? value)
    {
        if (value is null) return null;
        if (value is string r && IsReference(r)) return value;
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
