using System.Text;

namespace PrismConfig.Core.Yaml;

/// <summary>One namespace read from a YAML file, with where it came from.</summary>
public sealed class YamlNamespace
{
    public YamlNamespace(NamespaceConfig config, string file, long line, long column)
    {
        Config = config;
        File = file;
        Line = line;
        Column = column;
    }

    public NamespaceConfig Config { get; }
    public string File { get; }
    public long Line { get; }
    public long Column { get; }
}

/// <summary>The YAML import/export format: a top-level namespaces: list in snake_case.</summary>
/// <remarks>
/// Import is strict, in the manner of Kubernetes' strict field validation: unknown or duplicate keys, values of
/// the wrong type, aliases (*name), more than one document and any validation failure are errors that name
/// the file, line and column, and nothing is imported. Hostile input (huge files, invalid UTF-8, alias bombs,
/// deep nesting) is refused without reading more than <see cref="MaxFileBytes"/> or recursing deeper than
/// <see cref="MaxNestingDepth"/>.
/// </remarks>
public static class NamespaceYaml
{
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>The deepest nesting of mappings and lists a file may have, counting the top-level mapping as 1.</summary>
    public const int MaxNestingDepth = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and strictly validates a file. Every problem is a YamlImportException naming file, line and column.</summary>
    public static IReadOnlyList<YamlNamespace> ReadFile(string path) => ReadFile(path, MaxFileBytes);

    /// <summary>Parses YAML bytes; <paramref name="fileName"/> is used in messages.</summary>
    public static IReadOnlyList<YamlNamespace> Parse(ReadOnlySpan<byte> content, string fileName) => Parse(content, fileName, MaxFileBytes);

    /// <summary>Writes the import format, sorted by name with keys in a fixed order.</summary>
    public static string Export(IEnumerable<NamespaceConfig> namespaces) => NamespaceYamlWriter.Write(namespaces);

    /// <summary>
    /// Reads a file as a stream of entries, decoding strict UTF-8 straight from the file (the text is never held
    /// whole), each entry checked as <see cref="ReadFile(string)"/> checks it. The file is opened when the
    /// enumeration starts; whole-file errors (for example a second document) surface at its end, so a caller that
    /// acts on entries as they come must be able to undo them (ConfigStore.ImportStream rolls back). A stream keeps
    /// nothing of the entries it has given, so it does not look for a name that comes twice: the consumer does
    /// (ConfigStore's import does, and <see cref="FindDefinitions"/> then names both places).
    /// </summary>
    public static IEnumerable<YamlNamespace> StreamFile(string path) => StreamFile(path, MaxFileBytes);

    internal static IReadOnlyList<YamlNamespace> ReadFile(string path, long maxBytes) => Unique(StreamFile(path, maxBytes)).ToList();

    /// <summary>
    /// Where the namespace <paramref name="name"/> is defined in the files, in order, at most <paramref name="max"/>
    /// places: what an error about a repeated or refused namespace names. The files are read again for it, and a
    /// file that fails to read further just ends the search.
    /// </summary>
    public static IReadOnlyList<YamlNamespace> FindDefinitions(IEnumerable<string> paths, string name, int max = 2)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var found = new List<YamlNamespace>();
        foreach (var path in paths)
        {
            try
            {
                foreach (var entry in StreamFile(path))
                {
                    if (!string.Equals(entry.Config.Name, name, StringComparison.Ordinal)) continue;
                    found.Add(entry);
                    if (found.Count >= max) return found;
                }
            }
            catch (YamlImportException)
            {
                // The search is for an error message; the file's own error is reported by the import that reads it.
            }
        }
        return found;
    }

    /// <summary>
    /// An error the store raised about one namespace while importing or comparing <paramref name="paths"/>, placed in
    /// the files: when the files define that namespace twice, the repeat is the error, naming both definitions (the
    /// second definition may have been checked, and refused, before the repeat was seen). Any other error is returned
    /// as it is.
    /// </summary>
    public static PrismConfigException InFiles(PrismConfigException error, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(error);
        var name = error switch
        {
            ValidationException v => v.NamespaceName,
            RegistryValidationException r => r.NamespaceName,
            _ => null,
        };
        return name is not null && RepeatedDefinition(paths, name) is { } placed ? placed : error;
    }

    /// <summary>The error naming both definitions of <paramref name="name"/>; null when the files do not define it twice.</summary>
    private static YamlImportException? RepeatedDefinition(IEnumerable<string> paths, string name)
    {
        if (FindDefinitions(paths, name) is not [var first, var second]) return null;
        var problem = string.Equals(first.File, second.File, StringComparison.Ordinal)
            ? $"the namespace name '{name}' appears twice, at line {first.Line} and at line {second.Line}; each namespace may appear only once"
            : $"namespace '{name}' is defined twice: also in {first.File}:{first.Line}:{first.Column}; keep one definition";
        return new YamlImportException(second.File, second.Line, second.Column, problem, name);
    }

    /// <summary>
    /// A file's entries, refusing a name that comes twice and naming both lines. It keeps each name's line, which a
    /// list holds anyway.
    /// </summary>
    private static IEnumerable<YamlNamespace> Unique(IEnumerable<YamlNamespace> entries)
    {
        var lineByName = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (lineByName.TryGetValue(entry.Config.Name, out var firstLine))
            {
                throw new YamlImportException(entry.File, entry.Line, entry.Column,
                    $"the namespace name '{entry.Config.Name}' appears twice, at line {firstLine} and at line {entry.Line}; each namespace may appear only once",
                    entry.Config.Name);
            }
            lineByName.Add(entry.Config.Name, entry.Line);
            yield return entry;
        }
    }

    internal static IEnumerable<YamlNamespace> StreamFile(string path, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = OpenChecked(path, maxBytes);
        using var text = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        using var entries = NamespaceYamlReader.Stream(text, () => ReopenText(path, maxBytes), path, MaxNestingDepth).GetEnumerator();
        while (true)
        {
            YamlNamespace entry;
            try
            {
                if (!entries.MoveNext()) yield break;
                entry = entries.Current;
            }
            catch (DecoderFallbackException ex)
            {
                var (line, column) = LocateInvalidUtf8(SkipBom(ReadCapped(path, 0, maxBytes)));
                throw new YamlImportException(path, line, column, "the file is not valid UTF-8; save it as UTF-8", null, ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new YamlImportException(path, 1, 1, $"the file cannot be read: {ex.Message.TrimEnd('.')}", null, ex);
            }
            yield return entry;
        }
    }

    /// <summary>The file, checked for existence and size, positioned after a UTF-8 byte order mark, reading at most maxBytes.</summary>
    private static CappedStream OpenChecked(string path, long maxBytes)
    {
        FileStream? stream = null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new YamlImportException(path, 1, 1, "the file does not exist");
            }
            if (info.Length > maxBytes)
            {
                throw TooLarge(path, info.Length, maxBytes);
            }
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            Span<byte> bom = stackalloc byte[3];
            var n = stream.ReadAtLeast(bom, 3, throwOnEndOfStream: false);
            var skip = n == 3 && bom.SequenceEqual("\uFEFF"u8) ? 3 : 0;
            stream.Position = skip;
            return new CappedStream(stream, path, maxBytes, skip);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            stream?.Dispose();
            throw new YamlImportException(path, 1, 1, $"the file cannot be read: {ex.Message.TrimEnd('.')}", null, ex);
        }
    }

    private static StreamReader ReopenText(string path, long maxBytes) =>
        new StreamReader(OpenChecked(path, maxBytes), StrictUtf8, detectEncodingFromByteOrderMarks: false);

    private static ReadOnlySpan<byte> SkipBom(byte[] bytes) =>
        bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes;

    /// <summary>A read-only view of a file that fails with the size error once more than maxBytes have been read (a growing file).</summary>
    private sealed class CappedStream(FileStream inner, string path, long maxBytes, long start) : Stream
    {
        private long total = start;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var allowed = (int)Math.Min(buffer.Length, maxBytes + 1 - total);
            var n = inner.Read(buffer[..Math.Max(allowed, 0)]);
            total += n;
            if (total > maxBytes)
            {
                throw TooLarge(path, total, maxBytes);
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => total; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    internal static IReadOnlyList<YamlNamespace> Parse(ReadOnlySpan<byte> content, string fileName, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (content.Length > maxBytes)
        {
            throw TooLarge(fileName, content.Length, maxBytes);
        }
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            var (line, column) = LocateInvalidUtf8(content);
            throw new YamlImportException(fileName, line, column, "the file is not valid UTF-8; save it as UTF-8", null, ex);
        }
        return Unique(NamespaceYamlReader.Stream(new StringReader(text), () => new StringReader(text), fileName, MaxNestingDepth)).ToList();
    }

    private static YamlImportException TooLarge(string file, long length, long maxBytes) =>
        new(file, 1, 1, $"the file is {length} bytes, more than the limit of {maxBytes} bytes");

    /// <summary>Reads at most <paramref name="maxBytes"/> + 1 bytes, so a file that grows, or reports no length, cannot exhaust memory.</summary>
    private static byte[] ReadCapped(string path, long reportedLength, long maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        var limit = (int)Math.Min(maxBytes + 1, Array.MaxLength);
        var buffer = new byte[(int)Math.Min(Math.Max(reportedLength + 1, 4096), limit)];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length >= limit) break;
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit));
            }
            var read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0) break;
            total += read;
        }
        if (total > maxBytes)
        {
            throw TooLarge(path, total, maxBytes);
        }
        return buffer.AsSpan(0, total).ToArray();
    }

    /// <summary>The 1-based line and column (in UTF-16 characters, as YamlDotNet counts) of the first invalid UTF-8 byte.</summary>
    internal static (long Line, long Column) LocateInvalidUtf8(ReadOnlySpan<byte> content)
    {
        long line = 1, column = 1;
        var i = 0;
        while (i < content.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(content[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                break;
            }
            if (rune.Value == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column += rune.Utf16SequenceLength;
            }
            i += consumed;
        }
        return (line, column);
    }
}
