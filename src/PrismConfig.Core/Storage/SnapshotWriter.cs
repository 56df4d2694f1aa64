using System.Buffers;
using System.Collections;
using System.Text;
using System.Text.Json;

namespace PrismConfig.Core.Storage;

/// <summary>
/// Writes full snapshots (the text <see cref="Snapshot.Serialize"/> gives) into one reused buffer, with
/// backend_config supplied as its canonical JSON, already computed for the row: an import serialises each
/// namespace's config once and writes no intermediate streams.
/// </summary>
internal sealed class SnapshotWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly Utf8JsonWriter _writer;

    public SnapshotWriter()
    {
        _writer = new Utf8JsonWriter(_buffer, Snapshot.Options);
    }

    /// <summary>The snapshot of <paramref name="ns"/> (canonical, with its metadata set); keys in Snapshot's fixed order.</summary>
    public string Write(NamespaceConfig ns, string backendConfigJson, List<string> sortedFeatureKeys)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        var w = _writer;
        w.WriteStartObject();
        w.WriteString("backend", ns.Backend);
        w.WritePropertyName("backend_config");
        w.WriteRawValue(backendConfigJson, skipInputValidation: true);
        WriteNullableInt(w, "cache_ttl_seconds", ns.CacheTtlSeconds);
        w.WriteString("consistency", ns.Consistency);
        w.WriteNumber("created_at", ns.CreatedAt.ToUnixTimeSeconds());
        w.WriteString("created_by", ns.CreatedBy);
        w.WriteString("description", ns.Description);
        w.WritePropertyName("features");
        w.WriteStartObject();
        Hashtable features = ns.Features;
        foreach (var key in sortedFeatureKeys)
        {
            w.WriteBoolean(key, features[key] is true);
        }
        w.WriteEndObject();
        w.WriteString("name", ns.Name);
        w.WriteString("pattern", ns.Pattern);
        WriteNullableInt(w, "rate_limit_rps", ns.RateLimitRps);
        w.WriteString("status", ns.Status);
        w.WritePropertyName("tags");
        w.WriteStartArray();
        foreach (var tag in ns.Tags)
        {
            w.WriteStringValue(tag);
        }
        w.WriteEndArray();
        w.WriteNumber("updated_at", ns.UpdatedAt.ToUnixTimeSeconds());
        w.WriteString("updated_by", ns.UpdatedBy);
        w.WriteNumber("version", ns.Version);
        w.WriteEndObject();
        w.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose() => _writer.Dispose();

    private static void WriteNullableInt(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
