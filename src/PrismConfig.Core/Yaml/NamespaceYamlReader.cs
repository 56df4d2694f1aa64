using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PrismConfig.Core.Yaml;

/// <summary>
/// Builds namespaces from YamlDotNet's event stream in a single pass. Every event passes through
/// <see cref="Next"/>, which enforces the nesting cap and refuses aliases, so no input can make the reader
/// recurse deeply or expand a node more than once.
/// </summary>
internal sealed partial class NamespaceYamlReader
{
    private const string StrTag = "tag:yaml.org,2002:str";
    private const string MapTag = "tag:yaml.org,2002:map";
    private const string SeqTag = "tag:yaml.org,2002:seq";

    private readonly Func<TextReader> reopen;
    private readonly string file;
    private readonly int maxDepth;
    private readonly Parser parser;
    private readonly OpenFlows flows = new();
    private int depth;
    private Mark lastMark = new(0, 1, 1);

    private NamespaceYamlReader(TextReader reader, Func<TextReader> reopen, string file, int maxDepth)
    {
        this.reopen = reopen;
        this.file = file;
        this.maxDepth = maxDepth;
        parser = new Parser(reader);
    }

    /// <summary>
    /// The entries as they are parsed, one at a time; the whole-file checks (nothing after the list, one document)
    /// run when the enumeration reaches the end. <paramref name="reopen"/> gives the text again from the start,
    /// used only to name a namespace in an error.
    /// </summary>
    public static IEnumerable<YamlNamespace> Stream(TextReader reader, Func<TextReader> reopen, string file, int maxDepth) =>
        new NamespaceYamlReader(reader, reopen, file, maxDepth).ReadEntries();

    // ---- Events ----

    private ParsingEvent Next()
    {
        bool moved;
        try
        {
            moved = parser.MoveNext();
        }
        catch (YamlException ex)
        {
            throw flows.Unclosed(file, ex)
                ?? new YamlImportException(file, Math.Max(1, ex.Start.Line), Math.Max(1, ex.Start.Column), CleanMessage(ex), null, ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some malformed input (an unclosed flow
            // sequence followed by more lines). It is still a syntax error in the user's file.
            throw flows.Unclosed(file, ex) ?? new YamlImportException(file, Math.Max(1, lastMark.Line), Math.Max(1, lastMark.Column),
                "YAML syntax error: the parser cannot read past this point (is a '[' or '{' left unclosed?)", null, ex);
        }
        var ev = parser.Current;
        if (!moved || ev is null)
        {
            throw Fail(lastMark, "the document ends unexpectedly");
        }
        lastMark = ev.Start;
        flows.Track(ev);
        switch (ev)
        {
            case AnchorAlias alias:
                throw Fail(alias.Start,
                    $"the alias '*{alias.Value}' is not supported: YAML anchors and aliases are not allowed in an import file; write the value out in full");
            case MappingStart or SequenceStart:
                if (++depth > maxDepth)
                {
                    throw Fail(ev.Start, $"the document is nested more than {maxDepth} levels deep");
                }
                break;
            case MappingEnd or SequenceEnd:
                depth--;
                break;
        }
        if (ev is NodeEvent { Tag.IsEmpty: false } node && !node.Tag.IsNonSpecific)
        {
            var allowed = node switch
            {
                Scalar => StrTag,
                MappingStart => MapTag,
                _ => SeqTag,
            };
            if (node.Tag.Value != allowed)
            {
                throw Fail(node.Start, $"the tag '{node.Tag.Value}' is not supported; remove it (quote a value to make it a string)");
            }
        }
        return ev;
    }

    private static string CleanMessage(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 1, Col: 2, Idx: 1) - (Line: 1, Col: 3, Idx: 2): "; the caller adds its own location.
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && cut >= 0 && message.IndexOf(") - (", StringComparison.Ordinal) is var dash && dash >= 0 && dash < cut)
        {
            message = message[(cut + 3)..];
        }
        return "YAML syntax error: " + message.TrimEnd('.');
    }

    private YamlImportException Fail(Mark mark, string problem, string? namespaceName = null, Exception? inner = null) =>
        new(file, Math.Max(1, mark.Line), Math.Max(1, mark.Column), problem, namespaceName, inner);

    private static string Describe(ParsingEvent ev) => ev switch
    {
        MappingStart => "a mapping",
        SequenceStart => "a list",
        Scalar s when IsNull(s) => "null",
        Scalar s => $"'{Shorten(s.Value)}'",
        _ => ev.GetType().Name,
    };

    private static string Shorten(string s) => s.Length > 60 ? string.Concat(s.AsSpan(0, 57), "...") : s;

    private static bool IsPlain(Scalar s) => s.Style == ScalarStyle.Plain && s.Tag.IsEmpty;

    private static bool IsNull(Scalar s) => IsPlain(s) && YamlScalars.ResolvePlain(s.Value) is null;

    // ---- Document ----

    private IEnumerable<YamlNamespace> ReadEntries()
    {
        Next(); // StreamStart
        var ev = Next();
        if (ev is StreamEnd)
        {
            throw Fail(ev.Start, "the file is empty; expected a top-level 'namespaces:' key (write 'namespaces: []' for none)");
        }
        var root = Next();
        if (root is not MappingStart)
        {
            throw Fail(root.Start, $"the top level must be a mapping with a 'namespaces:' key, not {Describe(root)}");
        }

        var seen = false;
        var single = false;
        Mark namespacesMark = default;
        while (true)
        {
            ev = Next();
            if (ev is MappingEnd) break;
            var key = KeyText(ev);
            if (!seen && key != "namespaces" && Lookup(key) is not null)
            {
                // A file that is one namespace (name, pattern, slots at the top level), a form Prism uses.
                single = true;
                yield return ReadEntry(root, 0, ev);
                break;
            }
            if (key != "namespaces")
            {
                throw Fail(ev.Start, $"unknown top-level key '{Shorten(key)}'; the file may contain only 'namespaces:'");
            }
            if (seen)
            {
                throw Fail(ev.Start, $"duplicate key 'namespaces' (first at line {namespacesMark.Line})");
            }
            namespacesMark = ev.Start;
            seen = true;
            foreach (var entry in ReadNamespaces())
            {
                yield return entry;
            }
        }
        if (!seen && !single)
        {
            throw Fail(root.Start, "there is no top-level 'namespaces:' key");
        }

        Next(); // DocumentEnd
        ev = Next();
        if (ev is not StreamEnd)
        {
            throw Fail(ev.Start, "the file holds more than one YAML document ('---'); put every namespace in the one 'namespaces:' list");
        }
    }

    private string KeyText(ParsingEvent ev) => ev switch
    {
        Scalar s => s.Value,
        _ => throw Fail(ev.Start, $"a mapping key must be a plain string, not {Describe(ev)}"),
    };

    private IEnumerable<YamlNamespace> ReadNamespaces()
    {
        var ev = Next();
        if (ev is Scalar s && IsNull(s)) yield break;
        if (ev is not SequenceStart)
        {
            throw Fail(ev.Start, $"'namespaces' must be a list of namespace entries, not {Describe(ev)}");
        }
        // Names are not checked for repeats here: a stream holds none of its entries (NamespaceYaml.Unique does).
        for (var index = 0; ; index++)
        {
            ev = Next();
            if (ev is SequenceEnd) break;
            yield return ReadEntry(ev, index);
        }
    }

    // ---- Error path only ----

    /// <summary>
    /// The name of entry <paramref name="index"/>, found by re-reading the text without building anything. Used
    /// only to name the namespace in an error found before its 'name:' key; any failure just gives null.
    /// </summary>
    private string? FindEntryName(int index)
    {
        try
        {
            using var again = reopen();
            var p = new Parser(again);
            ParsingEvent N() => p.MoveNext() && p.Current is { } e ? e : throw new InvalidOperationException();
            void Skip(ParsingEvent e)
            {
                if (e is not (MappingStart or SequenceStart)) return;
                for (var d = 1; d > 0;)
                {
                    var x = N();
                    if (x is MappingStart or SequenceStart) d++;
                    else if (x is MappingEnd or SequenceEnd) d--;
                }
            }

            N(); // StreamStart
            N(); // DocumentStart
            if (N() is not MappingStart) return null;
            while (true)
            {
                var k = N();
                if (k is MappingEnd) return null;
                var v = N();
                if (k is Scalar { Value: "name" } && v is Scalar { Value.Length: > 0 } top) return top.Value; // a single-namespace file
                if (k is Scalar { Value: "namespaces" } && v is SequenceStart)
                {
                    for (var i = 0; ; i++)
                    {
                        var item = N();
                        if (item is SequenceEnd) return null;
                        if (i < index)
                        {
                            Skip(item);
                            continue;
                        }
                        if (item is not MappingStart) return null;
                        while (true)
                        {
                            var kk = N();
                            if (kk is MappingEnd) return null;
                            var vv = N();
                            if (kk is Scalar { Value: "name" } && vv is Scalar { Value.Length: > 0 } s) return s.Value;
                            Skip(kk);
                            Skip(vv);
                        }
                    }
                }
                Skip(k);
                Skip(v);
            }
        }
        catch (YamlException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
