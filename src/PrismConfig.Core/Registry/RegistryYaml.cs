using System.Collections;
using System.Text;
using PrismConfig.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PrismConfig.Core.Registry;

/// <summary>One pattern or backend definition read from a registry file, with where it came from.</summary>
public sealed class RegistryDocument
{
    internal RegistryDocument(string kind, string name, Hashtable document, string file, long line, long column)
    {
        Kind = kind;
        Name = name;
        Document = document;
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary><see cref="RegistryKind.Pattern"/> or <see cref="RegistryKind.Backend"/>.</summary>
    public string Kind { get; }

    public string Name { get; }

    /// <summary>The whole definition as written, unknown keys included: Prism's registry format grows, so nothing is dropped.</summary>
    public Hashtable Document { get; }

    public string File { get; }
    public long Line { get; }
    public long Column { get; }
}

/// <summary>
/// Reads Prism's registry files: <c>registry/patterns/&lt;pattern&gt;.yaml</c> and <c>registry/backends/&lt;backend&gt;.yaml</c>,
/// backends in either layout Prism uses (<c>name</c> with <c>interfaces</c> grouped by data model, or <c>backend</c>
/// with a flat <c>implements</c> list). Keys PrismConfig does not know are kept; the keys it checks against must have
/// the right shape, and any problem is a <see cref="YamlImportException"/> naming the file, line and column.
/// </summary>
public static class RegistryYaml
{
    /// <summary>Registry files are small; a bigger one is almost certainly the wrong file.</summary>
    public const long MaxFileBytes = 4L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads every definition in a file (a file may hold several YAML documents, separated by ---).</summary>
    public static IReadOnlyList<RegistryDocument> ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new YamlImportException(path, 1, 1, "the registry file does not exist");
            }
            if (info.Length > MaxFileBytes)
            {
                throw new YamlImportException(path, 1, 1, $"the file is {info.Length} bytes, more than the limit of {MaxFileBytes} bytes for a registry file");
            }
            bytes = System.IO.File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new YamlImportException(path, 1, 1, $"the file cannot be read: {ex.Message.TrimEnd('.')}", null, ex);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses registry YAML; <paramref name="fileName"/> names the file in messages and decides the kind when the content does not.</summary>
    public static IReadOnlyList<RegistryDocument> Parse(ReadOnlySpan<byte> content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (content.StartsWith("\uFEFF"u8)) content = content[3..];
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            var (line, column) = NamespaceYaml.LocateInvalidUtf8(content);
            throw new YamlImportException(fileName, line, column, "the file is not valid UTF-8; save it as UTF-8", null, ex);
        }
        PreScan(text, fileName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw Fail(fileName, ex.Start, "YAML syntax error: " + Clean(ex.Message));
        }
        var result = new List<RegistryDocument>();
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode { Value: null or "" }) continue;
            if (doc.RootNode is not YamlMappingNode root)
            {
                throw Fail(fileName, doc.RootNode.Start, "a registry definition is a mapping (pattern: or backend: at the top level)");
            }
            result.Add(ReadDefinition(root, fileName));
        }
        if (result.Count == 0)
        {
            throw new YamlImportException(fileName, 1, 1, "the file holds no registry definition");
        }
        return result;
    }

    /// <summary>
    /// One event pass before the tree is built: refuses aliases (no expansion bombs) and caps the nesting, so the
    /// recursive loader below can never be driven deep.
    /// </summary>
    private static void PreScan(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var flows = new OpenFlows();
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                flows.Track(parser.Current!);
                switch (parser.Current)
                {
                    case AnchorAlias alias:
                        throw Fail(file, alias.Start, $"the alias '*{alias.Value}' is not supported: write the value out in full");
                    case MappingStart or SequenceStart:
                        if (++depth > NamespaceYaml.MaxNestingDepth)
                        {
                            throw Fail(file, parser.Current.Start, $"the document is nested more than {NamespaceYaml.MaxNestingDepth} levels deep");
                        }
                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            throw flows.Unclosed(file, ex) ?? Fail(file, ex.Start, "YAML syntax error: " + Clean(ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            throw flows.Unclosed(file, ex)
                ?? new YamlImportException(file, 1, 1, "YAML syntax error: the parser cannot read the file (is a '[' or '{' left unclosed?)", null, ex);
        }
    }

    private static string Clean(string message)
    {
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return (message.StartsWith('(') && cut >= 0 ? message[(cut + 3)..] : message).TrimEnd('.');
    }

    private static YamlImportException Fail(string file, Mark mark, string problem) =>
        new(file, Math.Max(1, mark.Line), Math.Max(1, mark.Column), problem);

    private static RegistryDocument ReadDefinition(YamlMappingNode root, string file)
    {
        var kind = KindOf(root, file, out var nameNode);
        var name = nameNode.Value ?? "";
        if (!RegistryNames.IsValid(name))
        {
            throw Fail(file, nameNode.Start,
                $"'{name}' is not a valid {kind} name: 1 to 63 characters of lowercase letters, digits and '-', starting with a letter (for example {(kind == RegistryKind.Pattern ? "consumer" : "postgres")})");
        }
        var document = (Hashtable)ToValue(root, file)!;
        // The shape of every key the checks rely on is verified here, where a position can still be named.
        var positions = new Positions(root, file);
        if (kind == RegistryKind.Pattern)
        {
            PatternSpec.From(name, document, positions.Fail);
        }
        else
        {
            BackendSpec.From(name, document, positions.Fail);
        }
        return new RegistryDocument(kind, name, document, file, root.Start.Line, root.Start.Column);
    }

    /// <summary>
    /// pattern: names a pattern, backend: (the flat layout) a backend; name: is a backend when it has interfaces or
    /// implements, a pattern when it has slots, and otherwise whatever its folder (patterns/, backends/) says.
    /// </summary>
    private static string KindOf(YamlMappingNode root, string file, out YamlScalarNode name)
    {
        if (Scalar(root, "pattern") is { } p)
        {
            name = p;
            return RegistryKind.Pattern;
        }
        if (Scalar(root, "backend") is { } b)
        {
            name = b;
            return RegistryKind.Backend;
        }
        if (Scalar(root, "name") is { } n)
        {
            name = n;
            if (Has(root, "interfaces") || Has(root, "implements")) return RegistryKind.Backend;
            if (Has(root, "slots")) return RegistryKind.Pattern;
            var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file)) ?? "");
            if (folder.Equals("patterns", StringComparison.OrdinalIgnoreCase)) return RegistryKind.Pattern;
            if (folder.Equals("backends", StringComparison.OrdinalIgnoreCase)) return RegistryKind.Backend;
        }
        throw Fail(file, root.Start,
            "this is neither a pattern nor a backend definition: a pattern starts with 'pattern: <name>', a backend with 'backend: <name>' or 'name: <name>' and its 'interfaces'");
    }

    private static YamlScalarNode? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value.Length: > 0 } s ? s : null;

    private static bool Has(YamlMappingNode map, string key) => map.Children.ContainsKey(new YamlScalarNode(key));

    private static object? ToValue(YamlNode node, string file)
    {
        switch (node)
        {
            case YamlScalarNode s:
                return s.Style is ScalarStyle.Plain ? YamlScalars.ResolvePlain(s.Value ?? "") : s.Value ?? "";
            case YamlSequenceNode seq:
                return seq.Children.Select(c => ToValue(c, file)).ToArray();
            case YamlMappingNode map:
                var table = NamespaceConfig.NewTable();
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode { Value: { } key })
                    {
                        throw Fail(file, k.Start, "a key is a plain string");
                    }
                    if (table.ContainsKey(key))
                    {
                        throw Fail(file, k.Start, $"the key '{key}' appears twice (keys compare ignoring case); keep one");
                    }
                    table[key] = ToValue(v, file);
                }
                return table;
            default:
                return null;
        }
    }

    /// <summary>Maps a failure on a path of keys and list indexes back to the node's position in the file.</summary>
    private sealed class Positions(YamlMappingNode root, string file)
    {
        public YamlImportException Fail(IReadOnlyList<object> path, string problem)
        {
            YamlNode node = root;
            foreach (var step in path)
            {
                YamlNode? next = (node, step) switch
                {
                    (YamlMappingNode m, string key) => m.Children.FirstOrDefault(kv => string.Equals((kv.Key as YamlScalarNode)?.Value, key, StringComparison.OrdinalIgnoreCase)).Value,
                    (YamlSequenceNode s, int i) when i < s.Children.Count => s.Children[i],
                    _ => null,
                };
                if (next is null) break;
                node = next;
            }
            return RegistryYaml.Fail(file, node.Start, problem);
        }
    }
}
