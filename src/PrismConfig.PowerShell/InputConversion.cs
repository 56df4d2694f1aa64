using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace PrismConfig.PowerShell;

/// <summary>
/// Turns what users and CSV files actually pass into what Core expects: empty cells mean "not given", tag lists
/// may arrive as "a;b" or "a,b", tables may arrive as JSON text, "k=v;k2=v2" text or a PSCustomObject.
/// </summary>
internal static class InputConversion
{
    private static readonly char[] ListSeparators = [',', ';'];

    public static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Splits every element on , and ;, trims, drops empties. Null when nothing is left.</summary>
    public static string[]? SplitList(string[]? values)
    {
        if (values is null) return null;
        var result = new List<string>();
        foreach (var value in values)
        {
            if (value is null) continue;
            foreach (var part in value.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!result.Contains(part, StringComparer.Ordinal)) result.Add(part);
            }
        }
        return result.Count == 0 ? null : result.ToArray();
    }

    /// <summary>
    /// A feature table whose values are booleans where they can be: CSV and JSON hand over "true", "1", "$false".
    /// Anything else is passed through for Core's validation to name.
    /// </summary>
    public static Hashtable? FeatureTable(Hashtable? table)
    {
        var unwrapped = PrismCmdlet.UnwrapTable(table);
        if (unwrapped is null) return null;
        var result = NamespaceConfig.NewTable();
        foreach (DictionaryEntry e in unwrapped)
        {
            result[e.Key] = e.Value switch
            {
                string s when TryParseBool(s, out var b) => b,
                int i when i is 0 or 1 => i == 1,
                long l when l is 0 or 1 => l == 1,
                _ => e.Value,
            };
        }
        return result;
    }

    private static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().TrimStart('$').ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Parses "{...}" JSON or "k=v; k2=v2" text into a case-insensitive Hashtable.</summary>
    public static Hashtable ParseTableText(string text)
    {
        text = text.Trim();
        if (text.StartsWith('{'))
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("The JSON text is not an object.");
            }
            return (Hashtable)FromJson(doc.RootElement)!;
        }
        var table = NamespaceConfig.NewTable();
        foreach (var pair in text.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"'{pair}' is not a key=value pair. Give a hashtable, JSON object text or 'key=value; key2=value2'.");
            }
            table[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return table;
    }

    private static object? FromJson(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var table = NamespaceConfig.NewTable();
                foreach (var p in e.EnumerateObject()) table[p.Name] = FromJson(p.Value);
                return table;
            case JsonValueKind.Array:
                return e.EnumerateArray().Select(FromJson).ToArray();
            case JsonValueKind.String:
                return e.GetString();
            case JsonValueKind.Number:
                return e.TryGetInt64(out var l) ? (l is >= int.MinValue and <= int.MaxValue ? (object)(int)l : l) : e.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    /// <summary>A PSCustomObject (from ConvertFrom-Json or Import-Csv) as a Hashtable, recursively.</summary>
    public static Hashtable FromPSObject(PSObject pso)
    {
        var table = NamespaceConfig.NewTable();
        foreach (var p in pso.Properties)
        {
            if (p is not PSNoteProperty and not PSProperty) continue;
            table[p.Name] = p.Value is PSObject { BaseObject: PSCustomObject } inner ? FromPSObject(inner) : p.Value;
        }
        return table;
    }
}

/// <summary>Empty or whitespace-only strings (blank CSV cells) bind as "not given".</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class EmptyAsNullAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value is string s && string.IsNullOrWhiteSpace(s) ? null : inputData;
    }
}

/// <summary>
/// Lets a hashtable parameter take what CSV files and JSON hand over: nothing for a blank cell, JSON object text,
/// "key=value; key2=value2" text, or a PSCustomObject.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TableTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        switch (value)
        {
            case null:
                return null;
            case string s when string.IsNullOrWhiteSpace(s):
                return null;
            case string s:
                try
                {
                    return InputConversion.ParseTableText(s);
                }
                catch (Exception ex) when (ex is JsonException or ArgumentException)
                {
                    throw new ArgumentTransformationMetadataException($"Cannot read '{Core.Display.SecretMasker.MaskText(s)}' as a table: {ex.Message}", ex);
                }
            case PSCustomObject when inputData is PSObject wrapped:
                return InputConversion.FromPSObject(wrapped);
            default:
                return inputData;
        }
    }
}
