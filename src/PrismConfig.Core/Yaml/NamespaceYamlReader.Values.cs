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

    /// <summary>A mapping of any settings (behavior): null is none.</summary>
    private Hashtable ReadTable(string field, string? name)
    {
        var ev = Next();
        if (ev is MappingStart) return ReadTable(name);
        if (ev is Scalar s && IsNull(s)) return NamespaceConfig.NewTable();
        throw Fail(ev.Start, $"'{field}' must be a mapping (key: value), not {Describe(ev)}", name);
    }

    private static readonly string[] SlotKeys = ["backend", "interfaces", "config"];

    /// <summary>slots: a mapping of slot name to { backend, interfaces, config }, kept in the order written.</summary>
    private SlotTable ReadSlots(EntryMarks marks, string? name)
    {
        var slots = new SlotTable();
        var ev = Next();
        if (ev is Scalar n && IsNull(n)) return slots;
        if (ev is not MappingStart)
        {
            throw Fail(ev.Start, $"'slots' must be a mapping of slot name to its backend, interfaces and config, not {Describe(ev)}", name);
        }
        while (true)
        {
            var keyEvent = Next();
            if (keyEvent is MappingEnd) return slots;
            var slotName = KeyText(keyEvent);
            if (slots.Contains(slotName))
            {
                throw Fail(keyEvent.Start, $"duplicate slot '{Shorten(slotName)}' in 'slots' (first at line {marks.SlotItems["slots." + slotName].Line})", name);
            }
            marks.SlotItems["slots." + slotName] = keyEvent.Start;
            slots.Add(slotName, ReadSlot(marks, slotName, name));
        }
    }

    private NamespaceSlot ReadSlot(EntryMarks marks, string slotName, string? name)
    {
        var start = Next();
        if (start is not MappingStart)
        {
            throw Fail(start.Start, $"slot '{Shorten(slotName)}' must be a mapping with backend, interfaces and config, not {Describe(start)}", name);
        }
        var slot = new NamespaceSlot();
        var prefix = "slots." + slotName + ".";
        while (true)
        {
            var keyEvent = Next();
            if (keyEvent is MappingEnd) break;
            var key = KeyText(keyEvent);
            if (Array.IndexOf(SlotKeys, key) < 0)
            {
                throw Fail(keyEvent.Start, $"unknown key '{Shorten(key)}' in slot '{Shorten(slotName)}'; the keys a slot may have are {string.Join(", ", SlotKeys)}", name);
            }
            if (marks.SlotItems.TryGetValue(prefix + key, out var first))
            {
                throw Fail(keyEvent.Start, $"duplicate key '{key}' in slot '{Shorten(slotName)}' (first at line {first.Line})", name);
            }
            marks.SlotItems[prefix + key] = keyEvent.Start;
            switch (key)
            {
                case "backend":
                    slot.Backend = ReadString($"slots.{slotName}.backend", required: true, name)!;
                    break;
                case "interfaces":
                    slot.Interfaces = ReadInterfaces(slotName, name);
                    break;
                default:
                    slot.Config = ReadTable($"slots.{slotName}.config", name);
                    break;
            }
        }
        if (!marks.SlotItems.ContainsKey(prefix + "backend"))
        {
            throw Fail(start.Start, $"slot '{Shorten(slotName)}' has no 'backend'; each slot names the backend that fills it", name);
        }
        return slot;
    }

    private string[] ReadInterfaces(string slotName, string? name)
    {
        var ev = Next();
        if (ev is Scalar n && IsNull(n)) return [];
        if (ev is not SequenceStart)
        {
            throw Fail(ev.Start, $"'interfaces' of slot '{Shorten(slotName)}' must be a list of interface names, not {Describe(ev)}", name);
        }
        var list = new List<string>();
        while (true)
        {
            ev = Next();
            if (ev is SequenceEnd) return [.. list];
            if (ev is not Scalar s || IsNull(s))
            {
                throw Fail(ev.Start, $"each interface of slot '{Shorten(slotName)}' must be a name, not {Describe(ev)}", name);
            }
            list.Add(s.Value);
        }
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
