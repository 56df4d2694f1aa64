using System.Collections;
using YamlDotNet.Core.Events;

namespace PrismConfig.Core.Yaml;

internal sealed partial class NamespaceYamlReader
{
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
}
