using PrismConfig.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PrismConfig.Core.Yaml;

internal sealed partial class NamespaceYamlReader
{
    private enum Key
    {
        Name, Description, Backend, Pattern, Abstraction, Status, Consistency, CacheTtlSeconds, RateLimitRps,
        BackendConfig, Config, ConnectionString, Tags, Features, PatternVersion, Slots, Behavior, Count,
    }

    private static readonly string[] KeyNames =
    [
        "name", "description", "backend", "pattern", "abstraction", "status", "consistency", "cache_ttl_seconds",
        "rate_limit_rps", "backend_config", "config", "connection_string", "tags", "features", "pattern_version", "slots", "behavior",
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
        "pattern_version" => Key.PatternVersion,
        "slots" => Key.Slots,
        "behavior" => Key.Behavior,
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

        /// <summary>"slots.x", "slots.x.backend", "slots.x.interfaces", "slots.x.config" to where each was written.</summary>
        public readonly Dictionary<string, Mark> SlotItems = new(StringComparer.OrdinalIgnoreCase);

        public void Reset()
        {
            Array.Clear(Keys);
            TagItems.Clear();
            FeatureItems.Clear();
            SlotItems.Clear();
        }
    }

    private readonly EntryMarks entryMarks = new();

    /// <summary>One entry; <c>firstKey</c> is its first key when the caller has already read it (a single-namespace file).</summary>
    private YamlNamespace ReadEntry(ParsingEvent start, int index, ParsingEvent? firstKey = null)
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
        System.Collections.Hashtable? config = null;
        try
        {
            while (true)
            {
                var keyEvent = firstKey ?? Next();
                firstKey = null;
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
                    case Key.BackendConfig:
                        ns.BackendConfig = ReadBackendConfig(keyText, name);
                        break;
                    case Key.Config:
                        // backend_config in a single-backend namespace, the pattern's settings in one with slots;
                        // which it is is known only at the end of the entry.
                        config = ReadBackendConfig(keyText, name);
                        break;
                    case Key.PatternVersion:
                        ns.PatternVersion = ReadString(keyText, required: false, name);
                        break;
                    case Key.Slots:
                        ns.Slots = ReadSlots(marks, name);
                        break;
                    case Key.Behavior:
                        ns.Behavior = ReadTable("behavior", name);
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

            if (ns.Slots.Count > 0)
            {
                ResolveSlotEntry(ns, marks, config, name);
            }
            else if (config is not null)
            {
                ns.BackendConfig = config;
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

    /// <summary>
    /// A namespace with slots takes its backend and backend_config from its first slot, so those keys (and
    /// connection_string) are refused here rather than silently replaced; a top-level 'config' is the pattern's
    /// settings, another name for 'behavior'.
    /// </summary>
    private void ResolveSlotEntry(NamespaceConfig ns, EntryMarks marks, System.Collections.Hashtable? config, string? name)
    {
        foreach (var key in (ReadOnlySpan<Key>)[Key.Backend, Key.BackendConfig, Key.ConnectionString])
        {
            if (marks.Keys[(int)key] is { } mark)
            {
                throw Fail(mark,
                    $"'{KeyNames[(int)key]}' cannot be used in a namespace with slots: each slot names its own backend and config (the first slot's fill the ADR's backend columns)",
                    name);
            }
        }
        var (_, first) = ns.Slots.Entries().First();
        ns.Backend = first.Backend;
        ns.BackendConfig = (System.Collections.Hashtable)NamespaceConfig.DeepCopy(first.Config)!;
        if (config is null) return;
        if (marks.Keys[(int)Key.Behavior] is { } behaviorMark)
        {
            throw Fail(marks.Keys[(int)Key.Config]!.Value,
                $"in a namespace with slots, 'config' is another name for 'behavior', and 'behavior' is already set at line {behaviorMark.Line}; use only one of them",
                name);
        }
        ns.Behavior = config;
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
            "pattern_version" => k[(int)Key.PatternVersion],
            "behavior" => k[(int)Key.Behavior] ?? k[(int)Key.Config],
            _ when field.StartsWith("slots", StringComparison.Ordinal) => SlotMark(marks, field, vex.Value) ?? k[(int)Key.Slots],
            _ when field.StartsWith("features", StringComparison.Ordinal) => FeatureMark(marks, field, vex.Value) ?? k[(int)Key.Features],
            _ => null,
        };
        return found ?? entryMark;
    }

    private static Mark? SlotMark(EntryMarks marks, string field, object? value)
    {
        if (field == "slots") return value is string slot && marks.SlotItems.TryGetValue("slots." + slot, out var m) ? m : null;
        // slots.x.config.key → slots.x.config; slots.x.backend → itself.
        for (var path = field; path.Length > 0; path = path.Contains('.', StringComparison.Ordinal) ? path[..path.LastIndexOf('.')] : "")
        {
            if (marks.SlotItems.TryGetValue(path, out var found)) return found;
        }
        return null;
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
}
