using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Store;

/// <summary>
/// The JSON snapshot of a namespace kept in namespace_history.old_config/new_config: every user-visible field
/// (features and tags included) in snake_case, so one snapshot restores a namespace completely. Keys are written
/// in a fixed (alphabetical) order, so equal namespaces produce equal text.
/// </summary>
internal static class Snapshot
{
    /// <summary>The same writer options as every other JSON Core stores (ConfigJson's).</summary>
    internal static JsonWriterOptions Options => ConfigJson.WriterOptions;

    public static string Serialize(NamespaceConfig ns) => Write(ns, includeMetadata: true);

    /// <summary>As <see cref="Serialize(NamespaceConfig)"/>, with backend_config's canonical JSON and the sorted feature keys already computed.</summary>
    public static string Serialize(NamespaceConfig ns, string backendConfigJson, IReadOnlyList<string> sortedFeatureKeys) =>
        ConfigJson.WriteToString((ns, backendConfigJson, sortedFeatureKeys),
            static (w, s) => WriteObject(w, s.ns, includeMetadata: true, s.backendConfigJson, s.sortedFeatureKeys));

    /// <summary>Only the content a user sets (no version, timestamps or authors): the basis of no-op detection.</summary>
    public static string ContentKey(NamespaceConfig ns) => Write(ns, includeMetadata: false);

    /// <summary>True exactly when both have the same <see cref="ContentKey"/>, compared field by field without writing either.</summary>
    /// <remarks>Each field here is one <see cref="WriteObject"/> writes as content; a test holds the two in step.</remarks>
    public static bool SameContent(NamespaceConfig a, NamespaceConfig b) =>
        Same(a.Name, b.Name) && Same(a.Backend, b.Backend) && Same(a.Pattern, b.Pattern) && Same(a.Status, b.Status)
        && Same(a.Consistency, b.Consistency) && Same(a.Description, b.Description) && Same(a.PatternVersion, b.PatternVersion)
        && a.CacheTtlSeconds == b.CacheTtlSeconds && a.RateLimitRps == b.RateLimitRps
        && a.Tags.AsSpan().SequenceEqual(b.Tags, StringComparer.Ordinal)
        && ConfigJson.DeepEquals(a.BackendConfig, b.BackendConfig)
        && SameFeatures(a.Features, b.Features)
        && ConfigJson.SameWhenSet(a.Behavior, b.Behavior)
        && ConfigJson.SameWhenSet(a.Slots, b.Slots);

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.Ordinal);

    /// <summary>Features are written as booleans: a value that is not true is false.</summary>
    private static bool SameFeatures(Hashtable a, Hashtable b)
    {
        if (ConfigJson.IsSmall(a) && ConfigJson.IsSmall(b)) return ConfigJson.SameEntries(a, b, static (x, y) => (x is true) == (y is true));
        var keys = ConfigJson.SortedKeys(a);
        return keys.SequenceEqual(ConfigJson.SortedKeys(b), StringComparer.Ordinal) && keys.All(k => (a[k] is true) == (b[k] is true));
    }

    private static string Write(NamespaceConfig ns, bool includeMetadata) =>
        ConfigJson.WriteToString((ns, includeMetadata), static (w, s) => WriteObject(w, s.ns, s.includeMetadata));

    /// <summary>
    /// The one definition of a snapshot's layout. An import passes backend_config's canonical JSON and the sorted
    /// feature keys it has already computed, so nothing is serialised twice; the text is the same either way.
    /// </summary>
    internal static void WriteObject(Utf8JsonWriter w, NamespaceConfig ns, bool includeMetadata,
        string? backendConfigJson = null, IReadOnlyList<string>? sortedFeatureKeys = null)
    {
        w.WriteStartObject();
        w.WriteString("backend", ns.Backend);
        w.WritePropertyName("backend_config");
        if (backendConfigJson is null)
        {
            ConfigJson.Write(w, ns.BackendConfig);
        }
        else
        {
            w.WriteRawValue(backendConfigJson, skipInputValidation: true);
        }
        // The slot model's keys are written only when set, so a single-backend namespace's snapshot is exactly
        // what schema 1 wrote and its history still agrees with it.
        if (ns.Behavior is { Count: > 0 })
        {
            w.WritePropertyName("behavior");
            ConfigJson.Write(w, ns.Behavior);
        }
        WriteNullableInt(w, "cache_ttl_seconds", ns.CacheTtlSeconds);
        w.WriteString("consistency", ns.Consistency);
        if (includeMetadata)
        {
            w.WriteNumber("created_at", ns.CreatedAt.ToUnixTimeSeconds());
            w.WriteString("created_by", ns.CreatedBy);
        }
        w.WriteString("description", ns.Description);
        w.WritePropertyName("features");
        w.WriteStartObject();
        foreach (var key in sortedFeatureKeys ?? ConfigJson.SortedKeys(ns.Features))
        {
            w.WriteBoolean(key, ns.Features[key] is true);
        }
        w.WriteEndObject();
        w.WriteString("name", ns.Name);
        w.WriteString("pattern", ns.Pattern);
        if (ns.PatternVersion is not null) w.WriteString("pattern_version", ns.PatternVersion);
        WriteNullableInt(w, "rate_limit_rps", ns.RateLimitRps);
        if (ns.Slots is { Count: > 0 })
        {
            w.WritePropertyName("slots");
            ConfigJson.Write(w, ns.Slots);
        }
        w.WriteString("status", ns.Status);
        w.WritePropertyName("tags");
        w.WriteStartArray();
        foreach (var tag in ns.Tags)
        {
            w.WriteStringValue(tag);
        }
        w.WriteEndArray();
        if (includeMetadata)
        {
            w.WriteNumber("updated_at", ns.UpdatedAt.ToUnixTimeSeconds());
            w.WriteString("updated_by", ns.UpdatedBy);
            w.WriteNumber("version", ns.Version);
        }
        w.WriteEndObject();
    }

    private static void WriteNullableInt(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    /// <summary>Rebuilds a namespace from a snapshot. Unknown keys are ignored; missing ones keep their defaults.</summary>
    public static NamespaceConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A snapshot is a JSON object.");
        }
        var ns = new NamespaceConfig
        {
            Name = Str(root, "name") ?? "",
            Description = Str(root, "description"),
            Backend = Str(root, "backend") ?? "",
            Pattern = Str(root, "pattern") ?? "",
            Status = Str(root, "status") ?? NamespaceStatus.Active,
            Consistency = Str(root, "consistency") ?? ConsistencyLevel.Eventual,
            CacheTtlSeconds = Int(root, "cache_ttl_seconds"),
            RateLimitRps = Int(root, "rate_limit_rps"),
            Version = Int(root, "version") ?? 0,
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(Long(root, "created_at") ?? 0),
            UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(Long(root, "updated_at") ?? 0),
            CreatedBy = Str(root, "created_by"),
            UpdatedBy = Str(root, "updated_by"),
            PatternVersion = Str(root, "pattern_version"),
        };
        if (root.TryGetProperty("behavior", out var behavior) && behavior.ValueKind == JsonValueKind.Object)
        {
            ns.Behavior = (Hashtable)ConfigJson.FromElement(behavior)!;
        }
        if (root.TryGetProperty("slots", out var slots) && slots.ValueKind == JsonValueKind.Array)
        {
            ns.Slots = ConfigJson.ParseSlots(slots);
        }
        if (root.TryGetProperty("backend_config", out var bc) && bc.ValueKind == JsonValueKind.Object)
        {
            ns.BackendConfig = (Hashtable)ConfigJson.FromElement(bc)!;
        }
        if (root.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
        {
            ns.Tags = tags.EnumerateArray().Select(t => t.GetString() ?? "").ToArray();
        }
        if (root.TryGetProperty("features", out var features) && features.ValueKind == JsonValueKind.Object)
        {
            ns.Features = ParseFeatures(features);
        }
        return ns;
    }

    public static Hashtable ParseFeatures(string? json)
    {
        if (string.IsNullOrEmpty(json)) return NamespaceConfig.NewTable();
        return TryParseFeaturesFast(json) ?? ParseFeaturesDocument(json);
    }

    private static Hashtable ParseFeaturesDocument(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ParseFeatures(doc.RootElement);
    }

    /// <summary>
    /// The usual case read with a Utf8JsonReader, without building a JsonDocument (a list parses this for every
    /// row): an object of true/false. Null for anything else, which the JsonDocument path then reads, or rejects,
    /// exactly as before.
    /// </summary>
    private static Hashtable? TryParseFeaturesFast(string json)
    {
        Span<byte> stack = stackalloc byte[512];
        var bytes = json.Length * 3 <= stack.Length ? stack : new byte[Encoding.UTF8.GetMaxByteCount(json.Length)];
        var reader = new Utf8JsonReader(bytes[..Encoding.UTF8.GetBytes(json, bytes)]);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            var table = NamespaceConfig.NewTable();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False)) return null;
                table[key] = reader.TokenType == JsonTokenType.True;
            }
            return reader.Read() ? null : table;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Hashtable ParseFeatures(JsonElement e)
    {
        var table = NamespaceConfig.NewTable();
        foreach (var p in e.EnumerateObject())
        {
            table[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => p.Value.GetInt64() != 0,
                _ => false,
            };
        }
        return table;
    }

    public static string[] ParseTags(string? json)
    {
        if (string.IsNullOrEmpty(json)) return [];
        if (TryParseTagsFast(json) is { } tags) return tags;
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("tags is not a JSON array.");
        }
        return doc.RootElement.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() ?? "" : t.GetRawText()).ToArray();
    }

    /// <summary>An array of strings read without a JsonDocument (see <see cref="TryParseFeaturesFast"/>); null for anything else.</summary>
    private static string[]? TryParseTagsFast(string json)
    {
        Span<byte> stack = stackalloc byte[512];
        var bytes = json.Length * 3 <= stack.Length ? stack : new byte[Encoding.UTF8.GetMaxByteCount(json.Length)];
        var reader = new Utf8JsonReader(bytes[..Encoding.UTF8.GetBytes(json, bytes)]);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return null;
            var tags = new List<string>(4);
            while (reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                tags.Add(reader.GetString()!);
            }
            if (reader.TokenType != JsonTokenType.EndArray || reader.Read()) return null;
            return [.. tags];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string TagsJson(string[] tags) => ConfigJson.Serialize(tags);

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Long(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;

    private static int? Int(JsonElement root, string name) =>
        Long(root, name) is { } l ? checked((int)l) : null;

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
