using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PrismConfig.Core.Validation;

/// <summary>
/// Converts backend_config values between the model's Hashtables and JSON text. Keys are written sorted
/// (ordinal), so two equal configs always serialise to the same text: equality, no-op detection and
/// snapshot comparison all rest on that.
/// </summary>
public static class ConfigJson
{
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        // The stored text is read by proxies and by people with sqlite3; keep non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serialises a table (or any supported value) to canonical JSON text.</summary>
    public static string Serialize(object? value) => WriteToString(value, Write);

    /// <summary>The text <paramref name="write"/> writes.</summary>
    internal static string WriteToString<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer, state);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int or long or short or byte or sbyte or uint or ushort:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                writer.WriteNumberValue(ul);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case SlotTable slots:
                // A list, not an object: slot order is meaning (the first slot fills the ADR's backend column).
                writer.WriteStartArray();
                foreach (var (name, slot) in slots.Entries())
                {
                    WriteSlot(writer, name, slot);
                }
                writer.WriteEndArray();
                break;
            case NamespaceSlot slot:
                WriteSlot(writer, null, slot);
                break;
            case IDictionary dict:
                // Look values up through the original keys: a table keyed by, say, integers has no entry under
                // the key's string form, so dict[stringKey] would silently write null.
                var entries = new List<KeyValuePair<string, object?>>(dict.Count);
                // IDictionaryEnumerator.Entry, not foreach: foreach boxes every DictionaryEntry (8 MiB in a 10,000-namespace import).
                for (var en = dict.GetEnumerator(); en.MoveNext();)
                {
                    var e = en.Entry;
                    entries.Add(new(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e.Value));
                }
                entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                writer.WriteStartObject();
                foreach (var (key, item) in entries)
                {
                    writer.WritePropertyName(key);
                    Write(writer, item);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException(
                    $"A value of type {value.GetType().Name} cannot be stored in a configuration; use strings, numbers, booleans, lists and tables.",
                    nameof(value));
        }
    }

    private static void WriteSlot(Utf8JsonWriter writer, string? name, NamespaceSlot slot)
    {
        writer.WriteStartObject();
        writer.WriteString("backend", slot.Backend);
        writer.WritePropertyName("config");
        Write(writer, slot.Config);
        writer.WritePropertyName("interfaces");
        writer.WriteStartArray();
        foreach (var i in slot.Interfaces)
        {
            writer.WriteStringValue(i);
        }
        writer.WriteEndArray();
        if (name is not null) writer.WriteString("name", name);
        writer.WriteEndObject();
    }

    /// <summary>Parses the slots list <see cref="Write"/> writes for a <see cref="SlotTable"/>; null or empty text is no slots.</summary>
    public static SlotTable ParseSlots(string? json)
    {
        var slots = new SlotTable();
        if (string.IsNullOrEmpty(json)) return slots;
        using var doc = JsonDocument.Parse(json);
        return ParseSlots(doc.RootElement);
    }

    internal static SlotTable ParseSlots(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("slots is not a JSON array.");
        }
        var slots = new SlotTable();
        foreach (var e in root.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new FormatException("each slot is a JSON object with a name.");
            }
            var slot = new NamespaceSlot
            {
                Backend = e.TryGetProperty("backend", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "",
                Interfaces = e.TryGetProperty("interfaces", out var i) && i.ValueKind == JsonValueKind.Array
                    ? i.EnumerateArray().Select(x => x.GetString() ?? "").ToArray()
                    : [],
                Config = e.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? (Hashtable)FromElement(c)! : NamespaceConfig.NewTable(),
            };
            slots[name.GetString()!] = slot;
        }
        return slots;
    }

    /// <summary>The keys of a table as strings, ordinal-sorted.</summary>
    public static List<string> SortedKeys(IDictionary dict)
    {
        var keys = new List<string>(dict.Count);
        foreach (var k in dict.Keys)
        {
            keys.Add(Convert.ToString(k, CultureInfo.InvariantCulture) ?? "");
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Parses JSON object text into a case-insensitive Hashtable.</summary>
    /// <remarks>
    /// Read with a Utf8JsonReader straight into the tables rather than through a JsonDocument: every row a list
    /// returns is parsed here, and building the document first cost about as much again as the tables.
    /// The result, and what invalid text throws (a JsonException), are the same.
    /// </remarks>
    public static Hashtable ParseObject(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, rented);
            var reader = new Utf8JsonReader(rented.AsSpan(0, length));
            if (!reader.Read())
            {
                throw new JsonException("The JSON text is empty.");
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                // Read the rest, so that invalid text is a JsonException whatever its first token.
                reader.Skip();
                EnsureEnd(ref reader);
                throw new FormatException("Expected a JSON object.");
            }
            var table = ReadTable(ref reader);
            EnsureEnd(ref reader);
            return table;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("The JSON text has more after its value.");
        }
    }

    /// <summary>The object the reader is at (StartObject); leaves it at the matching EndObject.</summary>
    private static Hashtable ReadTable(ref Utf8JsonReader reader)
    {
        var table = NamespaceConfig.NewTable();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            table[key] = ReadValue(ref reader);
        }
        return table;
    }

    /// <summary>The value the reader is at, as <see cref="FromElement"/> would give it.</summary>
    private static object? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadTable(ref reader);
            case JsonTokenType.StartArray:
                var items = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader));
                }
                return items.ToArray();
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                // Boxed per branch, as in FromElement.
                return reader.TryGetInt64(out var l) ? (l is >= int.MinValue and <= int.MaxValue ? (object)(int)l : l) : reader.GetDouble();
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            default:
                return null;
        }
    }

    public static object? FromElement(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => ToTable(e),
        JsonValueKind.Array => e.EnumerateArray().Select(FromElement).ToArray(),
        JsonValueKind.String => e.GetString(),
        // Boxed per branch: an unboxed conditional would type every number as double (int : long : double).
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (l is >= int.MinValue and <= int.MaxValue ? (object)(int)l : l) : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static Hashtable ToTable(JsonElement e)
    {
        var table = NamespaceConfig.NewTable();
        foreach (var p in e.EnumerateObject())
        {
            table[p.Name] = FromElement(p.Value);
        }
        return table;
    }

    /// <summary>Converts any supported input (PowerShell hashtables, PSObject-free dictionaries, lists) to the model's canonical shape.</summary>
    public static object? Normalize(object? value) => value switch
    {
        null or string or bool => value,
        SlotTable or NamespaceSlot => value,
        int or long or double or decimal => value,
        short or byte or sbyte or ushort => Convert.ToInt32(value, CultureInfo.InvariantCulture),
        uint ui => (long)ui,
        ulong ul => ul <= long.MaxValue ? (long)ul : (decimal)ul,
        float f => (double)f,
        IDictionary d => NormalizeTable(d),
        IEnumerable list => list.Cast<object?>().Select(Normalize).ToArray(),
        // ISO 8601, the one date form every reader of the JSON (proxies, jq, people) parses the same way.
        DateTime dt => dt.ToString("o", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("o", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static Hashtable NormalizeTable(IDictionary d)
    {
        var table = NamespaceConfig.NewTable();
        for (var en = d.GetEnumerator(); en.MoveNext();)
        {
            var e = en.Entry;
            var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
            if (table.ContainsKey(key))
            {
                throw new ArgumentException($"The key '{key}' appears twice, differing only in case.");
            }
            table[key] = Normalize(e.Value);
        }
        return table;
    }

    /// <summary>Deep equality by canonical JSON text: true exactly when <see cref="Serialize"/> writes the same text for both.</summary>
    /// <remarks>
    /// Every write compares each table of a namespace this way, and most values are scalars of one type or small
    /// tables of them: those compare directly, without writing either side. Anything else compares as text.
    /// </remarks>
    public static bool DeepEquals(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (bool x, bool y) => x == y,
        (long x, long y) => x == y,
        (int x, int y) => x == y,
        (SlotTable or NamespaceSlot, _) or (_, SlotTable or NamespaceSlot) => Serialize(a) == Serialize(b),
        (IDictionary x, IDictionary y) when IsSmall(x) && IsSmall(y) => SameEntries(x, y, DeepEquals),
        _ => Serialize(a) == Serialize(b),
    };

    /// <summary>For behaviour and slots, written only when they hold something: empty and missing are the same.</summary>
    internal static bool SameWhenSet(ICollection? a, ICollection? b) =>
        (a is not { Count: > 0 } && b is not { Count: > 0 }) || DeepEquals(a, b);

    /// <summary>Small enough for <see cref="SameEntries"/>, which scans one table for each key of the other.</summary>
    internal static bool IsSmall(IDictionary table) => table.Count <= 16;

    /// <summary>Each key of one is spelt the same in the other (the text writes keys as they are), with an equal value.</summary>
    internal static bool SameEntries(IDictionary x, IDictionary y, Func<object?, object?, bool> sameValue)
    {
        if (x.Count != y.Count) return false;
        for (var ex = x.GetEnumerator(); ex.MoveNext();)
        {
            var key = Convert.ToString(ex.Key, CultureInfo.InvariantCulture) ?? "";
            var found = false;
            for (var ey = y.GetEnumerator(); ey.MoveNext();)
            {
                if (!string.Equals(key, Convert.ToString(ey.Key, CultureInfo.InvariantCulture) ?? "", StringComparison.Ordinal)) continue;
                if (!sameValue(ex.Value, ey.Value)) return false;
                found = true;
                break;
            }
            if (!found) return false;
        }
        return true;
    }
}
