using System.Collections;
using System.Globalization;
using PrismConfig.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PrismConfig.Core.Yaml;

/// <summary>
/// Builds namespaces from YamlDotNet's event stream in a single pass. Every event passes through
/// <see cref="Next"/>, which enforces the nesting cap and refuses aliases, so no input can make the reader
/// recurse deeply or expand a node more than once.
/// </summary>
internal sealed class NamespaceYamlReader
{
    private const string StrTag = "tag:yaml.org,2002:str";
    private const string MapTag = "tag:yaml.org,2002:map";
    private const string SeqTag = "tag:yaml.org,2002:seq";

    private readonly Func<TextReader> reopen;
    private readonly string file;
    private readonly int maxDepth;
    private readonly Parser parser;
    private int depth;
    private Mark lastMark = new(0, 1, 1);

    private NamespaceYamlReader(TextReader reader, Func<TextReader> reopen, string file, int maxDepth)
    {
        this.reopen = reopen;
        this.file = file;
        this.maxDepth = maxDepth;
        parser = new Parser(reader);
    }

    public static List<YamlNamespace> Read(string text, string file, int maxDepth) =>
        new NamespaceYamlReader(new StringReader(text), () => new StringReader(text), file, maxDepth).ReadEntries().ToList();

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
            throw new YamlImportException(file, Math.Max(1, ex.Start.Line), Math.Max(1, ex.Start.Column), CleanMessage(ex), null, ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some malformed input (an unclosed flow
            // sequence followed by more lines). It is still a syntax error in the user's file.
            throw new YamlImportException(file, Math.Max(1, lastMark.Line), Math.Max(1, lastMark.Column),
                "YAML syntax error: the parser cannot read past this point (is a '[' or '{' left unclosed?)", null, ex);
        }
        var ev = parser.Current;
        if (!moved || ev is null)
        {
            throw Fail(lastMark, "the document ends unexpectedly");
        }
        lastMark = ev.Start;
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
        Mark namespacesMark = default;
        while (true)
        {
            ev = Next();
            if (ev is MappingEnd) break;
            var key = KeyText(ev);
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
        if (!seen)
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
        // Only the line of each name is kept, not the entry: a streamed file is not held in memory.
        var lineByName = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var index = 0; ; index++)
        {
            ev = Next();
            if (ev is SequenceEnd) break;
            var entry = ReadEntry(ev, index);
            if (lineByName.TryGetValue(entry.Config.Name, out var firstLine))
            {
                throw Fail(ev.Start,
                    $"the namespace name '{entry.Config.Name}' appears twice, at line {firstLine} and at line {entry.Line}; each namespace may appear only once",
                    entry.Config.Name);
            }
            lineByName.Add(entry.Config.Name, entry.Line);
            yield return entry;
        }
    }

    // ---- One namespace ----

    private enum Key
    {
        Name, Description, Backend, Pattern, Abstraction, Status, Consistency, CacheTtlSeconds, RateLimitRps,
        BackendConfig, Config, ConnectionString, Tags, Features, Count,
    }

    private static readonly string[] KeyNames =
    [
        "name", "description", "backend", "pattern", "abstraction", "status", "consistency", "cache_ttl_seconds",
        "rate_limit_rps", "backend_config", "config", "connection_string", "tags", "features",
    ];

    private static Key? Lookup(string key) => key switch
    {
        "name" => Key.Name,
        "description" => Key.Description,
        "backend" => Key.Backend,
        "pattern" => Key.Pattern,
        "abstraction" => Key.Abstraction,
        "status" => Key.Status,
        "consistency" => Key.Consistency,
        "cache_ttl_seconds" => Key.CacheTtlSeconds,
        "rate_limit_rps" => Key.RateLimitRps,
        "backend_config" => Key.BackendConfig,
        "config" => Key.Config,
        "connection_string" => Key.ConnectionString,
        "tags" => Key.Tags,
        "features" => Key.Features,
        _ => null,
    };

    /// <summary>
    /// Where each part of an entry was written, so a validation error can point at its line. One instance serves
    /// every entry in turn (it is only read while its entry is being checked): at about 1 KB an entry, a fresh one
    /// each time was a tenth of what a bulk import allocated beyond YamlDotNet's own parsing.
    /// </summary>
    private sealed class EntryMarks
    {
        public readonly Mark?[] Keys = new Mark?[(int)Key.Count];
        public readonly List<(string Tag, Mark Mark)> TagItems = [];
        public readonly List<(string Name, Mark Mark)> FeatureItems = [];

        public void Reset()
        {
            Array.Clear(Keys);
            TagItems.Clear();
            FeatureItems.Clear();
        }
    }

    private readonly EntryMarks entryMarks = new();

    private YamlNamespace ReadEntry(ParsingEvent start, int index)
    {
        if (start is not MappingStart)
        {
            throw Fail(start.Start, $"entry {index + 1} of 'namespaces' must be a mapping (name: ..., backend: ...), not {Describe(start)}");
        }
        var ns = new NamespaceConfig();
        var marks = entryMarks;
        marks.Reset();
        string? name = null;
        object? connectionString = null;
        try
        {
            while (true)
            {
                var keyEvent = Next();
                if (keyEvent is MappingEnd) break;
                var keyText = KeyText(keyEvent);
                var found = Lookup(keyText);
                if (found is not { } key)
                {
                    throw Fail(keyEvent.Start,
                        $"unknown key '{Shorten(keyText)}'; the keys a namespace may have are {string.Join(", ", KeyNames)}",
                        name);
                }
                if (marks.Keys[(int)key] is { } firstMark)
                {
                    throw Fail(keyEvent.Start, $"duplicate key '{keyText}' (first at line {firstMark.Line})", name);
                }
                CheckAlias(marks, key, Key.Pattern, Key.Abstraction, keyEvent.Start, name);
                CheckAlias(marks, key, Key.BackendConfig, Key.Config, keyEvent.Start, name);
                marks.Keys[(int)key] = keyEvent.Start;

                switch (key)
                {
                    case Key.Name:
                        ns.Name = ReadString(keyText, required: true, name)!;
                        name = ns.Name;
                        break;
                    case Key.Description:
                        ns.Description = ReadString(keyText, required: false, name);
                        break;
                    case Key.Backend:
                        ns.Backend = ReadString(keyText, required: true, name)!;
                        break;
                    case Key.Pattern or Key.Abstraction:
                        ns.Pattern = ReadString(keyText, required: true, name)!;
                        break;
                    case Key.Status:
                        ns.Status = ReadString(keyText, required: true, name)!;
                        break;
                    case Key.Consistency:
                        ns.Consistency = ReadString(keyText, required: true, name)!;
                        break;
                    case Key.CacheTtlSeconds:
                        ns.CacheTtlSeconds = ReadInt(keyText, name);
                        break;
                    case Key.RateLimitRps:
                        ns.RateLimitRps = ReadInt(keyText, name);
                        break;
                    case Key.BackendConfig or Key.Config:
                        ns.BackendConfig = ReadBackendConfig(keyText, name);
                        break;
                    case Key.ConnectionString:
                        connectionString = ReadValue(Next());
                        break;
                    case Key.Tags:
                        ns.Tags = ReadTags(marks, name);
                        break;
                    case Key.Features:
                        ns.Features = ReadFeatures(marks, name);
                        break;
                }
            }

            if (marks.Keys[(int)Key.ConnectionString] is { } csMark)
            {
                const string cs = "connection_string";
                if (ns.BackendConfig.ContainsKey(cs))
                {
                    if (!ConfigJson.DeepEquals(ns.BackendConfig[cs], connectionString))
                    {
                        var configMark = marks.Keys[(int)Key.BackendConfig] ?? marks.Keys[(int)Key.Config] ?? csMark;
                        throw Fail(csMark,
                            $"'connection_string' is set here and, with a different value, in the backend_config at line {configMark.Line}; keep only one",
                            name);
                    }
                }
                else
                {
                    ns.BackendConfig[cs] = connectionString;
                }
            }
        }
        catch (YamlImportException ex) when (ex.NamespaceName is null)
        {
            name ??= FindEntryName(index);
            if (name is null) throw;
            throw new YamlImportException(ex.File, ex.Line, ex.Column, ex.Problem, name, ex.InnerException);
        }

        try
        {
            NamespaceValidator.Validate(ns);
        }
        catch (ValidationException vex)
        {
            var mark = MarkFor(marks, vex, start.Start);
            throw Fail(mark, vex.Message.TrimEnd('.'), vex.NamespaceName, vex);
        }
        return new YamlNamespace(ns, file, start.Start.Line, start.Start.Column);
    }

    private void CheckAlias(EntryMarks marks, Key key, Key canonical, Key alias, Mark at, string? name)
    {
        Key other;
        if (key == canonical) other = alias;
        else if (key == alias) other = canonical;
        else return;
        if (marks.Keys[(int)other] is { } otherMark)
        {
            throw Fail(at,
                $"'{KeyNames[(int)alias]}' is another name for '{KeyNames[(int)canonical]}', and '{KeyNames[(int)other]}' is already set at line {otherMark.Line}; use only one of them",
                name);
        }
    }

    private static Mark MarkFor(EntryMarks marks, ValidationException vex, Mark entryMark)
    {
        var k = marks.Keys;
        var field = vex.Field;
        Mark? found = field switch
        {
            "name" => k[(int)Key.Name],
            "description" => k[(int)Key.Description],
            "backend" => k[(int)Key.Backend],
            "pattern" => k[(int)Key.Pattern] ?? k[(int)Key.Abstraction],
            "status" => k[(int)Key.Status],
            "consistency" => k[(int)Key.Consistency],
            "cache_ttl_seconds" => k[(int)Key.CacheTtlSeconds],
            "rate_limit_rps" => k[(int)Key.RateLimitRps],
            "backend_config" => k[(int)Key.BackendConfig] ?? k[(int)Key.Config] ?? k[(int)Key.ConnectionString],
            "tags" => TagMark(marks, vex) ?? k[(int)Key.Tags],
            _ when field.StartsWith("features", StringComparison.Ordinal) => FeatureMark(marks, field, vex.Value) ?? k[(int)Key.Features],
            _ => null,
        };
        return found ?? entryMark;
    }

    private static Mark? TagMark(EntryMarks marks, ValidationException vex)
    {
        if (vex.Value is not string tag) return null;
        // A repeated tag is reported at its second occurrence, any other bad tag at its first.
        var wanted = vex.Rule.Contains("only once", StringComparison.Ordinal) ? 2 : 1;
        foreach (var (t, m) in marks.TagItems)
        {
            if (t == tag && --wanted == 0) return m;
        }
        return null;
    }

    private static Mark? FeatureMark(EntryMarks marks, string field, object? value)
    {
        var name = field.Length > "features.".Length ? field["features.".Length..] : value as string;
        foreach (var (n, m) in marks.FeatureItems)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return m;
        }
        return null;
    }

    // ---- Values ----

    private string? ReadString(string field, bool required, string? name)
    {
        var ev = Next();
        if (ev is not Scalar s)
        {
            throw Fail(ev.Start, $"'{field}' must be a single string value, not {Describe(ev)}", name);
        }
        if (IsNull(s))
        {
            if (required) throw Fail(ev.Start, $"'{field}' must not be empty or null", name);
            return null;
        }
        return s.Value;
    }

    private int? ReadInt(string field, string? name)
    {
        var ev = Next();
        if (ev is not Scalar s)
        {
            throw Fail(ev.Start, $"'{field}' must be a whole number, not {Describe(ev)}", name);
        }
        if (IsPlain(s))
        {
            if (YamlScalars.ResolvePlain(s.Value) is null) return null;
            if (YamlScalars.TryInt32(s.Value, out var value)) return value;
            if (YamlScalars.IsIntegerOutOfRange(s.Value))
            {
                throw Fail(ev.Start, $"'{field}' is {Shorten(s.Value)}, which is too large (at most {int.MaxValue})", name);
            }
        }
        var quoted = IsPlain(s) ? "" : " (a quoted value is a string; remove the quotes)";
        throw Fail(ev.Start, $"'{field}' must be a whole number, not '{Shorten(s.Value)}'{quoted}", name);
    }

    private Hashtable ReadBackendConfig(string field, string? name)
    {
        var ev = Next();
        if (ev is MappingStart) return ReadTable(name);
        if (ev is Scalar s && IsNull(s)) return NamespaceConfig.NewTable();
        throw Fail(ev.Start, $"'{field}' must be a mapping of settings (key: value), not {Describe(ev)}", name);
    }

    private string[] ReadTags(EntryMarks marks, string? name)
    {
        var ev = Next();
        if (ev is Scalar n && IsNull(n)) return [];
        if (ev is not SequenceStart)
        {
            throw Fail(ev.Start, $"'tags' must be a list of strings, not {Describe(ev)}", name);
        }
        var tags = new List<string>();
        while (true)
        {
            ev = Next();
            if (ev is SequenceEnd) break;
            if (ev is not Scalar s || IsNull(s))
            {
                throw Fail(ev.Start, $"each tag must be a string, not {Describe(ev)}", name);
            }
            tags.Add(s.Value);
            marks.TagItems.Add((s.Value, ev.Start));
        }
        return [.. tags];
    }

    private Hashtable ReadFeatures(EntryMarks marks, string? name)
    {
        var table = NamespaceConfig.NewTable();
        var ev = Next();
        if (ev is Scalar n && IsNull(n)) return table;
        if (ev is not MappingStart)
        {
            throw Fail(ev.Start, $"'features' must be a mapping of feature name to true or false, not {Describe(ev)}", name);
        }
        while (true)
        {
            var keyEvent = Next();
            if (keyEvent is MappingEnd) break;
            var key = KeyText(keyEvent);
            var valueEvent = Next();
            if (valueEvent is not Scalar s || !IsPlain(s) || YamlScalars.ResolvePlain(s.Value) is not bool enabled)
            {
                throw Fail(valueEvent.Start, $"feature '{Shorten(key)}' must be true or false, not {Describe(valueEvent)}", name);
            }
            if (table.ContainsKey(key))
            {
                throw Fail(keyEvent.Start, $"duplicate feature '{Shorten(key)}' in 'features' (names are case-insensitive)", name);
            }
            table.Add(key, enabled);
            marks.FeatureItems.Add((key, keyEvent.Start));
        }
        return table;
    }

    private object? ReadValue(ParsingEvent ev) => ev switch
    {
        Scalar s => IsPlain(s) ? YamlScalars.ResolvePlain(s.Value) : s.Value,
        MappingStart => ReadTable(null),
        SequenceStart => ReadList(),
        _ => throw Fail(ev.Start, $"unexpected {Describe(ev)}"),
    };

    private Hashtable ReadTable(string? name)
    {
        var table = NamespaceConfig.NewTable();
        while (true)
        {
            var keyEvent = Next();
            if (keyEvent is MappingEnd) return table;
            var key = KeyText(keyEvent);
            var value = ReadValue(Next());
            if (table.ContainsKey(key))
            {
                throw Fail(keyEvent.Start, $"duplicate key '{Shorten(key)}' (keys are case-insensitive)", name);
            }
            table.Add(key, value);
        }
    }

    private object?[] ReadList()
    {
        var list = new List<object?>();
        while (true)
        {
            var ev = Next();
            if (ev is SequenceEnd) return [.. list];
            list.Add(ReadValue(ev));
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
