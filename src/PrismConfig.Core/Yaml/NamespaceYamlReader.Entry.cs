using PrismConfig.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PrismConfig.Core.Yaml;

internal sealed partial class NamespaceYamlReader
{
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
}
