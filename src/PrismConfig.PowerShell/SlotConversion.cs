using System.Collections;
using System.Management.Automation;
using System.Text.Json;
using PrismConfig.Core.Validation;

namespace PrismConfig.PowerShell;

/// <summary>
/// Turns what a user gives -Slots into Core's <see cref="SlotTable"/>: an [ordered] hashtable (or a plain one, taken in
/// slot-name order, since it has none) of slot name to @{ backend; interfaces; config }, a namespace's own Slots
/// (piped from Get-PrismNamespace), or the JSON text Export-Csv wrote for them.
/// </summary>
internal static class SlotConversion
{
    public static SlotTable? ToSlots(object? input)
    {
        var value = input is PSObject pso ? pso.BaseObject : input;
        switch (value)
        {
            case null:
                return null;
            case string s when string.IsNullOrWhiteSpace(s):
                return null;
            case SlotTable table:
                return table.Clone();
            case string s:
                return FromJson(s);
            case IDictionary d:
                var slots = new SlotTable();
                var keys = d.Keys.Cast<object>().Select(k => Convert.ToString(PrismCmdlet.Unwrap(k), System.Globalization.CultureInfo.InvariantCulture) ?? "").ToList();
                if (d is Hashtable) keys.Sort(StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    slots[key] = ToSlot(key, d[key]);
                }
                return slots;
            case PSCustomObject when input is PSObject wrapped:
                var fromObject = new SlotTable();
                foreach (var p in wrapped.Properties)
                {
                    fromObject[p.Name] = ToSlot(p.Name, p.Value);
                }
                return fromObject;
            default:
                throw new ArgumentException($"-Slots takes a hashtable of slot name to @{{ backend = ...; interfaces = ...; config = @{{...}} }}, not a {value.GetType().Name}.");
        }
    }

    private static SlotTable FromJson(string text)
    {
        try
        {
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('['))
            {
                return ConfigJson.ParseSlots(trimmed);
            }
            using var doc = JsonDocument.Parse(trimmed);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("-Slots text is a JSON object of slot name to slot, or the list Export-Csv writes.");
            }
            var slots = new SlotTable();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                slots[p.Name] = ToSlot(p.Name, ConfigJson.FromElement(p.Value));
            }
            return slots;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new ArgumentException($"Cannot read -Slots text as JSON: {ex.Message}", ex);
        }
    }

    private static NamespaceSlot ToSlot(string name, object? input)
    {
        var value = input is PSObject pso ? pso.BaseObject : input;
        if (value is NamespaceSlot slot) return slot.Clone();
        IDictionary? d = value as IDictionary;
        if (d is null && input is PSObject { BaseObject: PSCustomObject } custom)
        {
            d = InputConversion.FromPSObject(custom);
        }
        if (d is null)
        {
            throw new ArgumentException($"Slot '{name}' must be a hashtable with backend, interfaces and config.");
        }
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in d) table[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] = e.Value;
        foreach (string key in table.Keys)
        {
            if (key is not ("backend" or "interfaces" or "config"))
            {
                throw new ArgumentException($"Slot '{name}' has the unknown key '{key}'; a slot has backend, interfaces and config.");
            }
        }
        var interfaces = PrismCmdlet.Unwrap(table["interfaces"]) switch
        {
            null => [],
            string s => InputConversion.SplitList([s]) ?? [],
            object?[] list => InputConversion.SplitList(list.Select(i => Convert.ToString(i, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray()) ?? [],
            var other => [Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? ""],
        };
        var config = PrismCmdlet.Unwrap(table["config"]) switch
        {
            null => NamespaceConfig.NewTable(),
            Hashtable h => h,
            string s when !string.IsNullOrWhiteSpace(s) => InputConversion.ParseTableText(s),
            _ => throw new ArgumentException($"The config of slot '{name}' must be a hashtable."),
        };
        return new NamespaceSlot
        {
            Backend = Convert.ToString(PrismCmdlet.Unwrap(table["backend"]), System.Globalization.CultureInfo.InvariantCulture) ?? "",
            Interfaces = interfaces,
            Config = config,
        };
    }
}
