using System.Collections;
using System.Text.RegularExpressions;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Registry;

/// <summary>The two kinds of registry definition.</summary>
public static class RegistryKind
{
    public const string Pattern = "pattern";
    public const string Backend = "backend";

    public static IReadOnlyList<string> All { get; } = [Pattern, Backend];
}

/// <summary>The statuses a backend gives an interface; only <see cref="Implemented"/> lets a slot use it.</summary>
public static class InterfaceStatus
{
    public const string Implemented = "implemented";
    public const string Planned = "planned";
}

/// <summary>Names in the registry, and the "did you mean" drawn from them.</summary>
internal static partial class RegistryNames
{
    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    /// <summary>The same rule a namespace's backend and pattern follow, so every defined name can be used.</summary>
    public static bool IsValid(string name) => NameRegex().IsMatch(name);

    /// <summary>
    /// The known name <paramref name="given"/> most likely meant, or null: a small edit distance (mongo for mongodb),
    /// or an abbreviation whose letters appear in order (kv for keyvalue).
    /// </summary>
    public static string? Suggest(string given, IEnumerable<string> known)
    {
        string? best = null;
        var bestScore = int.MaxValue;
        foreach (var name in known.Order(StringComparer.Ordinal))
        {
            var distance = Distance(given, name);
            var score = distance <= Math.Max(2, given.Length / 3) ? distance
                : IsAbbreviation(given, name) ? 100 + name.Length
                : int.MaxValue;
            if (score < bestScore)
            {
                bestScore = score;
                best = name;
            }
        }
        return best;
    }

    private static bool IsAbbreviation(string given, string name)
    {
        if (given.Length == 0 || given[0] != name[0]) return false;
        var at = 0;
        foreach (var c in name)
        {
            if (at < given.Length && given[at] == c) at++;
        }
        return at == given.Length;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

/// <summary>Reports a registry document whose shape is wrong, at a path of keys and list indexes.</summary>
internal delegate Exception ShapeFailure(IReadOnlyList<object> path, string problem);

/// <summary>One slot a pattern declares.</summary>
internal sealed record SlotSpec(string Name, bool Optional, string[] Required, string[][] Alternatives);

/// <summary>One behaviour parameter a pattern declares.</summary>
internal sealed record ParameterSpec(string Name, string? Type, bool Required, bool HasDefault, object? Default, double? Min);

/// <summary>What PrismConfig checks of a pattern definition: its slots and its parameters.</summary>
internal sealed class PatternSpec
{
    private PatternSpec(string name, List<SlotSpec> slots, List<ParameterSpec> parameters)
    {
        Name = name;
        Slots = slots;
        Parameters = parameters;
    }

    public string Name { get; }
    public IReadOnlyList<SlotSpec> Slots { get; }
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    public SlotSpec? Slot(string name) => Slots.FirstOrDefault(s => s.Name == name);

    public ParameterSpec? Parameter(string name) => Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The parameter types whose values are checked; any other type is Prism's to check.</summary>
    public static readonly string[] CheckedTypes = ["string", "integer", "boolean", "duration", "number"];

    public static PatternSpec From(string name, Hashtable doc, ShapeFailure fail)
    {
        var slots = new List<SlotSpec>();
        if (doc["slots"] is { } rawSlots)
        {
            if (rawSlots is not Hashtable slotTable)
            {
                throw fail(["slots"], "slots is a mapping of slot name to its definition");
            }
            foreach (var slotName in ConfigJson.SortedKeys(slotTable))
            {
                if (slotTable[slotName] is not Hashtable slot)
                {
                    throw fail(["slots", slotName], $"slot '{slotName}' is a mapping (required_interfaces, alternative_interfaces, optional)");
                }
                try
                {
                    NamespaceValidator.ValidateSlotName(null, slotName);
                }
                catch (ValidationException ex)
                {
                    throw fail(["slots", slotName], ex.Rule);
                }
                var optional = slot["optional"] switch
                {
                    null => false,
                    bool b => b,
                    _ => throw fail(["slots", slotName, "optional"], $"optional of slot '{slotName}' is true or false"),
                };
                var required = Names(slot, "required_interfaces", ["slots", slotName], fail);
                var alternatives = Alternatives(slot, ["slots", slotName], fail);
                Names(slot, "optional_interfaces", ["slots", slotName], fail);
                slots.Add(new SlotSpec(slotName, optional, required, alternatives));
            }
        }

        var parameters = new List<ParameterSpec>();
        if (doc["parameters"] is { } rawParameters)
        {
            if (rawParameters is not Hashtable parameterTable)
            {
                throw fail(["parameters"], "parameters is a mapping of parameter name to its definition");
            }
            foreach (var parameterName in ConfigJson.SortedKeys(parameterTable))
            {
                if (parameterTable[parameterName] is not Hashtable p)
                {
                    throw fail(["parameters", parameterName], $"parameter '{parameterName}' is a mapping (type, required, default, min)");
                }
                var type = p["type"] switch
                {
                    null => null,
                    string t => t.ToLowerInvariant(),
                    _ => throw fail(["parameters", parameterName, "type"], $"the type of parameter '{parameterName}' is a name such as string, integer, boolean or duration"),
                };
                var required = p["required"] switch
                {
                    null => false,
                    bool b => b,
                    _ => throw fail(["parameters", parameterName, "required"], $"required of parameter '{parameterName}' is true or false"),
                };
                double? min = p["min"] switch
                {
                    null => null,
                    int i => i,
                    long l => l,
                    double d => d,
                    _ => throw fail(["parameters", parameterName, "min"], $"min of parameter '{parameterName}' is a number"),
                };
                var spec = new ParameterSpec(parameterName, type, required, p.ContainsKey("default"), p["default"], min);
                if (spec.HasDefault && spec.Default is not null && RegistryValidator.TypeProblem(spec, spec.Default) is { } problem)
                {
                    throw fail(["parameters", parameterName, "default"], $"the default of parameter '{parameterName}' {problem}");
                }
                parameters.Add(spec);
            }
        }
        return new PatternSpec(name, slots, parameters);
    }

    private static string[] Names(Hashtable slot, string key, object[] at, ShapeFailure fail)
    {
        switch (slot[key])
        {
            case null:
                return [];
            case string one:
                return [CheckInterface(one, [.. at, key], fail)];
            case object[] list:
                var names = new string[list.Length];
                for (var i = 0; i < list.Length; i++)
                {
                    names[i] = list[i] is string s ? CheckInterface(s, [.. at, key, i], fail)
                        : throw fail([.. at, key, i], $"{key} is a list of interface names (for example keyvalue_basic)");
                }
                return names;
            default:
                throw fail([.. at, key], $"{key} is a list of interface names (for example keyvalue_basic)");
        }
    }

    /// <summary>Each alternative is one interface, or a list of interfaces that together stand in for required_interfaces.</summary>
    private static string[][] Alternatives(Hashtable slot, object[] at, ShapeFailure fail)
    {
        const string key = "alternative_interfaces";
        switch (slot[key])
        {
            case null:
                return [];
            case string one:
                return [[CheckInterface(one, [.. at, key], fail)]];
            case object[] list:
                var result = new string[list.Length][];
                for (var i = 0; i < list.Length; i++)
                {
                    result[i] = list[i] switch
                    {
                        string s => [CheckInterface(s, [.. at, key, i], fail)],
                        object[] set when set.All(x => x is string) => set.Select((x, j) => CheckInterface((string)x!, [.. at, key, i, j], fail)).ToArray(),
                        _ => throw fail([.. at, key, i], $"each of {key} is an interface name, or a list of them"),
                    };
                }
                return result;
            default:
                throw fail([.. at, key], $"{key} is a list of interface names");
        }
    }

    internal static string CheckInterface(string name, object[] at, ShapeFailure fail)
    {
        try
        {
            NamespaceValidator.ValidateInterfaceName(null, "interfaces", name);
            return name;
        }
        catch (ValidationException ex)
        {
            throw fail(at, ex.Rule);
        }
    }
}

/// <summary>One interface a backend lists, with its status (implemented, planned...).</summary>
internal sealed record BackendInterface(string Name, string Status, string? DataModel);

/// <summary>What PrismConfig checks of a backend definition: the interfaces it lists and their status.</summary>
internal sealed class BackendSpec
{
    private readonly Dictionary<string, BackendInterface> _byKey;

    private BackendSpec(string name, List<BackendInterface> interfaces)
    {
        Name = name;
        Interfaces = interfaces;
        _byKey = new Dictionary<string, BackendInterface>(StringComparer.Ordinal);
        foreach (var i in interfaces)
        {
            // The first listing wins: a later duplicate with another status is the registry's own inconsistency.
            _byKey.TryAdd(NamespaceValidator.InterfaceKey(i.Name), i);
        }
    }

    public string Name { get; }
    public IReadOnlyList<BackendInterface> Interfaces { get; }

    public BackendInterface? Find(string interfaceName) => _byKey.GetValueOrDefault(NamespaceValidator.InterfaceKey(interfaceName));

    public IEnumerable<string> Implemented => Interfaces.Where(i => i.Status == InterfaceStatus.Implemented).Select(i => i.Name);

    /// <summary>
    /// Reads both layouts: interfaces: grouped by data model (each entry an interface with a status), or a flat list;
    /// implements: a flat list of names. A name with no status is implemented.
    /// </summary>
    public static BackendSpec From(string name, Hashtable doc, ShapeFailure fail)
    {
        var list = new List<BackendInterface>();
        foreach (var key in new[] { "interfaces", "implements" })
        {
            switch (doc[key])
            {
                case null:
                    break;
                case object[] flat:
                    ReadList(flat, [key], null, list, fail);
                    break;
                case Hashtable grouped:
                    foreach (var model in ConfigJson.SortedKeys(grouped))
                    {
                        if (grouped[model] is not object[] entries)
                        {
                            throw fail([key, model], $"the '{model}' interfaces are a list of entries with interface and status");
                        }
                        ReadList(entries, [key, model], model, list, fail);
                    }
                    break;
                default:
                    throw fail([key], $"{key} is a list of interfaces, or a mapping of data model to such a list");
            }
        }
        return new BackendSpec(name, list);
    }

    private static void ReadList(object[] entries, object[] at, string? model, List<BackendInterface> into, ShapeFailure fail)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            switch (entries[i])
            {
                case string s:
                    into.Add(new BackendInterface(PatternSpec.CheckInterface(s, [.. at, i], fail), InterfaceStatus.Implemented, model));
                    break;
                case Hashtable entry:
                    var interfaceName = entry["interface"] as string ?? entry["name"] as string
                        ?? throw fail([.. at, i], "each interface entry has 'interface: <name>' (for example interface: keyvalue_basic)");
                    var status = entry["status"] switch
                    {
                        null => InterfaceStatus.Implemented,
                        string st => st.ToLowerInvariant(),
                        _ => throw fail([.. at, i, "status"], "status is a word such as implemented or planned"),
                    };
                    into.Add(new BackendInterface(PatternSpec.CheckInterface(interfaceName, [.. at, i, "interface"], fail), status, model));
                    break;
                default:
                    throw fail([.. at, i], "each interface is a name, or a mapping with interface and status");
            }
        }
    }
}
