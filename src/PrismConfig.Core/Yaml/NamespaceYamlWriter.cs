using System.Collections;
using System.Globalization;
using System.Text;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Yaml;

/// <summary>
/// Writes the import format by hand, in block style with two-space indents and '\n' line ends, so the output
/// is the same bytes on every machine for the same input: sorted namespaces, a fixed key order, sorted
/// backend_config and features keys.
/// </summary>
internal static class NamespaceYamlWriter
{
    private const string Header = "# PrismConfig namespaces. This file is the import format: edit it and import it again.\n";

    /// <summary>Implicit keys longer than this are written as explicit '? key' entries (YAML caps implicit keys at 1024 characters).</summary>
    private const int MaxImplicitKeyLength = 1000;

    public static string Write(IEnumerable<NamespaceConfig> namespaces)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        var list = namespaces.ToList();
        foreach (var ns in list)
        {
            ArgumentNullException.ThrowIfNull(ns, nameof(namespaces));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var sb = new StringBuilder(256 + (list.Count * 256));
        sb.Append(Header);
        if (list.Count == 0)
        {
            sb.Append("namespaces: []\n");
            return sb.ToString();
        }
        sb.Append("namespaces:\n");
        foreach (var ns in list)
        {
            WriteNamespace(sb, ns);
        }
        return sb.ToString();
    }

    private static void WriteNamespace(StringBuilder sb, NamespaceConfig ns)
    {
        const int indent = 4;
        sb.Append("  - name: ");
        YamlScalars.AppendString(sb, ns.Name ?? "");
        sb.Append('\n');
        if (ns.Description is not null) StringField(sb, "description", ns.Description);
        var slotted = ns.Slots is { Count: > 0 };
        // A namespace with slots has no backend of its own (its first slot's fills the ADR's columns).
        if (!slotted) StringField(sb, "backend", ns.Backend ?? "");
        StringField(sb, "pattern", ns.Pattern ?? "");
        if (ns.PatternVersion is not null) StringField(sb, "pattern_version", ns.PatternVersion);
        StringField(sb, "status", ns.Status ?? "");
        StringField(sb, "consistency", ns.Consistency ?? "");
        if (ns.CacheTtlSeconds is { } ttl) IntField(sb, "cache_ttl_seconds", ttl);
        if (ns.RateLimitRps is { } rps) IntField(sb, "rate_limit_rps", rps);

        if (slotted)
        {
            WriteSlots(sb, ns.Slots!, indent);
        }
        else
        {
            sb.Append("    backend_config:");
            WriteValueAfterKey(sb, ns.BackendConfig ?? NamespaceConfig.NewTable(), indent + 2);
        }
        if (ns.Behavior is { Count: > 0 } behavior)
        {
            sb.Append("    behavior:");
            WriteValueAfterKey(sb, behavior, indent + 2);
        }

        if (ns.Tags is { Length: > 0 } tags)
        {
            sb.Append("    tags:\n");
            foreach (var tag in tags)
            {
                sb.Append("      - ");
                YamlScalars.AppendString(sb, tag ?? "");
                sb.Append('\n');
            }
        }
        if (ns.Features is { Count: > 0 } features)
        {
            sb.Append("    features:\n");
            foreach (var key in ConfigJson.SortedKeys(features))
            {
                Indent(sb, indent + 2);
                AppendKey(sb, key);
                sb.Append(':');
                WriteValueAfterKey(sb, features[key], indent + 4);
            }
        }
    }

    /// <summary>Slots in their own order (it is meaning), each with backend, interfaces and config.</summary>
    private static void WriteSlots(StringBuilder sb, SlotTable slots, int indent)
    {
        sb.Append("    slots:\n");
        foreach (var (name, slot) in slots.Entries())
        {
            Indent(sb, indent + 2);
            AppendKey(sb, name);
            sb.Append(":\n");
            Indent(sb, indent + 4);
            sb.Append("backend: ");
            YamlScalars.AppendString(sb, slot.Backend ?? "");
            sb.Append('\n');
            Indent(sb, indent + 4);
            sb.Append("interfaces:");
            WriteValueAfterKey(sb, slot.Interfaces ?? [], indent + 6);
            Indent(sb, indent + 4);
            sb.Append("config:");
            WriteValueAfterKey(sb, slot.Config ?? NamespaceConfig.NewTable(), indent + 6);
        }
    }

    private static void StringField(StringBuilder sb, string key, string value)
    {
        sb.Append("    ").Append(key).Append(": ");
        YamlScalars.AppendString(sb, value);
        sb.Append('\n');
    }

    private static void IntField(StringBuilder sb, string key, int value) =>
        sb.Append("    ").Append(key).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Indent(StringBuilder sb, int indent) => sb.Append(' ', indent);

    private static void AppendKey(StringBuilder sb, string key)
    {
        var before = sb.Length;
        YamlScalars.AppendString(sb, key);
        if (sb.Length - before <= MaxImplicitKeyLength) return;

        // Too long for an implicit key: "? key" then, on the next line under the '?', the caller's ": value".
        sb.Length = before;
        var lineStart = before;
        while (lineStart > 0 && sb[lineStart - 1] != '\n') lineStart--;
        var column = before - lineStart;
        sb.Append("? ");
        YamlScalars.AppendDoubleQuoted(sb, key);
        sb.Append('\n');
        Indent(sb, column);
    }

    /// <summary>
    /// Writes a value that follows "key:" on the current line: scalars and empty collections inline, non-empty
    /// collections on the following lines at <paramref name="childIndent"/>.
    /// </summary>
    private static void WriteValueAfterKey(StringBuilder sb, object? value, int childIndent)
    {
        switch (value)
        {
            case IDictionary { Count: > 0 } dict:
                sb.Append('\n');
                WriteMapping(sb, dict, childIndent, firstLineIndented: false);
                break;
            case IEnumerable and not string and not IDictionary when NonEmpty((IEnumerable)value):
                sb.Append('\n');
                WriteSequence(sb, (IEnumerable)value, childIndent, firstLineIndented: false);
                break;
            default:
                sb.Append(' ');
                AppendScalar(sb, value);
                sb.Append('\n');
                break;
        }
    }

    private static bool NonEmpty(IEnumerable e)
    {
        var it = e.GetEnumerator();
        try
        {
            return it.MoveNext();
        }
        finally
        {
            (it as IDisposable)?.Dispose();
        }
    }

    // firstLineIndented: the current line already holds "- " and the first entry goes right after it.
    private static void WriteMapping(StringBuilder sb, IDictionary dict, int indent, bool firstLineIndented)
    {
        var first = true;
        foreach (var key in ConfigJson.SortedKeys(dict))
        {
            if (!(first && firstLineIndented)) Indent(sb, indent);
            first = false;
            AppendKey(sb, key);
            sb.Append(':');
            WriteValueAfterKey(sb, dict[key], indent + 2);
        }
    }

    private static void WriteSequence(StringBuilder sb, IEnumerable items, int indent, bool firstLineIndented)
    {
        var first = true;
        foreach (var item in items)
        {
            if (!(first && firstLineIndented)) Indent(sb, indent);
            first = false;
            sb.Append("- ");
            switch (item)
            {
                case IDictionary { Count: > 0 } dict:
                    WriteMapping(sb, dict, indent + 2, firstLineIndented: true);
                    break;
                case IEnumerable and not string and not IDictionary when NonEmpty((IEnumerable)item):
                    WriteSequence(sb, (IEnumerable)item, indent + 2, firstLineIndented: true);
                    break;
                default:
                    AppendScalar(sb, item);
                    sb.Append('\n');
                    break;
            }
        }
    }

    private static void AppendScalar(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                YamlScalars.AppendString(sb, s);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case int or long or short or byte or sbyte or uint or ushort or ulong:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case double d:
                YamlScalars.AppendDouble(sb, d);
                break;
            case float f:
                YamlScalars.AppendDouble(sb, f);
                break;
            case decimal m:
                YamlScalars.AppendDouble(sb, (double)m);
                break;
            case IDictionary:
                sb.Append("{}");
                break;
            case IEnumerable:
                sb.Append("[]");
                break;
            default:
                YamlScalars.AppendString(sb, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                break;
        }
    }
}
