using System.Buffers;
using System.Text.Json;

namespace PrismConfig.Core.Storage;

/// <summary>
/// Writes full snapshots (the text <see cref="Snapshot.Serialize"/> gives, as UTF-8) into one reused buffer, with
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

    /// <summary>
    /// The snapshot of <paramref name="ns"/> (canonical, with its metadata set) as UTF-8, keys in Snapshot's fixed
    /// order: bytes, because SQLite stores the text as UTF-8 and a string would be transcoded twice on the way.
    /// </summary>
    public byte[] Write(NamespaceConfig ns, string backendConfigJson, List<string> sortedFeatureKeys)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        Snapshot.WriteObject(_writer, ns, includeMetadata: true, backendConfigJson, sortedFeatureKeys);
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    public void Dispose() => _writer.Dispose();
}
