using System.Collections;
using Microsoft.Win32.SafeHandles;

namespace PrismConfig.Core;

/// <summary>
/// The results of an applied import, one per namespace in the order the namespaces came, those a prune disabled
/// last. They exist only once the import has committed, so they are kept until then; to keep an import's memory flat
/// however many namespaces it holds, the results after the first few thousand go to a temporary file (owner-only,
/// removed from its folder as soon as it is open on Unix, deleted on close on Windows) and are read back when
/// enumerated. A result that carries changes or registry warnings stays in memory whole: those are proportional to
/// what the import changed, not to its size. Dispose deletes the file.
/// </summary>
public sealed class ImportResultCollection : IReadOnlyCollection<ImportResult>, IDisposable
{
    /// <summary>How many results are kept in memory before the rest go to the file.</summary>
    public const int DefaultInMemory = 4096;

    private const byte Compact = 0;
    private const byte Kept = 1;
    private static readonly string[] Actions = [ImportAction.Unchanged, ImportAction.Created, ImportAction.Updated, ImportAction.Disabled];

    private readonly int _inMemory;
    private readonly List<ImportResult> _head = [];
    private readonly List<ImportResult> _kept = [];
    private FileStream? _file;
    private BinaryWriter? _writer;
    private int _created, _updated, _disabled, _unchanged;
    private bool _disposed;

    internal ImportResultCollection(int inMemory = DefaultInMemory) => _inMemory = Math.Max(0, inMemory);

    public int Count { get; private set; }

    /// <summary>The counts by action.</summary>
    public ImportPlanSummary Summary => new() { Created = _created, Updated = _updated, Disabled = _disabled, Unchanged = _unchanged };

    /// <summary>Every result's registry warnings, in result order, without reading the file.</summary>
    public IEnumerable<RegistryWarning> Warnings => _head.Concat(_kept).SelectMany(r => r.Warnings);

    /// <summary>Whether some results went to the temporary file.</summary>
    internal bool Spilled => _file is not null;

    internal void Add(ImportResult result)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Count++;
        switch (result.Action)
        {
            case ImportAction.Created: _created++; break;
            case ImportAction.Updated: _updated++; break;
            case ImportAction.Disabled: _disabled++; break;
            default: _unchanged++; break;
        }
        if (_head.Count < _inMemory)
        {
            _head.Add(result);
            return;
        }
        var writer = _writer ?? Open();
        try
        {
            if (result.Changes.Length > 0 || result.Warnings.Length > 0)
            {
                writer.Write(Kept);
                _kept.Add(result);
                return;
            }
            writer.Write(Compact);
            writer.Write(result.Name);
            writer.Write((byte)Array.IndexOf(Actions, result.Action));
            writer.Write(result.Version);
            writer.Write(result.Source is not null);
            if (result.Source is not null) writer.Write(result.Source);
        }
        catch (IOException ex)
        {
            throw SpoolFailed(ex, "Nothing was imported; free space there, or set TMPDIR (TEMP on Windows) to a writable folder.");
        }
    }

    public IEnumerator<ImportResult> GetEnumerator()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var r in _head) yield return r;
        if (_file is null || _writer is null) yield break;
        long end;
        try
        {
            _writer.Flush();
            end = _file.Position;
        }
        catch (IOException ex)
        {
            throw SpoolFailed(ex, "The import was committed; Get-PrismNamespace shows its namespaces.");
        }
        // Each enumeration reads at its own offset, so two may run side by side.
        using var reader = new BinaryReader(new BufferedStream(new SpoolReader(_file.SafeFileHandle, end), 64 * 1024), System.Text.Encoding.UTF8);
        var kept = 0;
        for (var i = _head.Count; i < Count; i++)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            yield return Read(reader) ?? _kept[kept++];
        }
    }

    /// <summary>The next spilled result, or null for the next kept one.</summary>
    private static ImportResult? Read(BinaryReader reader)
    {
        try
        {
            if (reader.ReadByte() == Kept) return null;
            var name = reader.ReadString();
            var action = Actions[reader.ReadByte()];
            var version = reader.ReadInt32();
            var source = reader.ReadBoolean() ? reader.ReadString() : null;
            return new ImportResult { Name = name, Action = action, Version = version, Source = source };
        }
        catch (IOException ex)
        {
            throw SpoolFailed(ex, "The import was committed; Get-PrismNamespace shows its namespaces.");
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Nothing written is wanted any more; a flush that fails (the folder filled up) must not replace the error
        // that is being reported, nor keep the file open.
        DisposeQuietly(_writer);
        DisposeQuietly(_file);
    }

    private static void DisposeQuietly(IDisposable? resource)
    {
        try
        {
            resource?.Dispose();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The spool read from the start at its own offset, up to where the writes ended.</summary>
    private sealed class SpoolReader(SafeFileHandle handle, long end) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = RandomAccess.Read(handle, buffer[..(int)Math.Min(buffer.Length, end - _position)], _position);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => end;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static PrismConfigException SpoolFailed(Exception ex, string what)
    {
        var folder = Path.GetTempPath();
        return new PrismConfigException(PrismErrorKind.StorageError, "ImportSpoolFailed",
            $"The import's results cannot be kept in the temporary folder '{folder}': {ex.Message.TrimEnd('.')}. {what}", folder, ex);
    }

    private BinaryWriter Open()
    {
        var folder = Path.GetTempPath();
        var path = Path.Combine(folder, $"prismconfig-import-{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
        };
        if (OperatingSystem.IsWindows())
        {
            options.Options = FileOptions.DeleteOnClose;
        }
        else
        {
            options.UnixCreateMode = PrivateFiles.OwnerOnlyFileMode;
        }
        try
        {
            _file = new FileStream(path, options);
            // Open, the file needs no name: it cannot be left behind, even by a process that is killed.
            if (!OperatingSystem.IsWindows()) File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _file?.Dispose();
            _file = null;
            throw SpoolFailed(ex, "Nothing was imported; free space there, or set TMPDIR (TEMP on Windows) to a writable folder.");
        }
        _writer = new BinaryWriter(_file, System.Text.Encoding.UTF8, leaveOpen: true);
        return _writer;
    }
}
