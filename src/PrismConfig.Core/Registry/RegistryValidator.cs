using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Registry;

/// <summary>The registry as one write sees it: every pattern and backend definition, parsed once. Immutable.</summary>
internal sealed class RegistrySnapshot
{
    public static readonly RegistrySnapshot Empty = new([]);

    private RegistrySnapshot(IReadOnlyList<RegistryDefinition> definitions)
    {
        Definitions = definitions;
        foreach (var d in definitions)
        {
            // Stored documents were checked on import, so a shape failure here is damage, which the store reports as such.
            ShapeFailure damaged = (path, problem) => new FormatException($"{d.Kind} '{d.Name}': {problem}");
            if (d.Kind == RegistryKind.Pattern)
            {
                Patterns[d.Name] = PatternSpec.From(d.Name, d.Document, damaged);
            }
            else if (d.Kind == RegistryKind.Backend)
            {
                Backends[d.Name] = BackendSpec.From(d.Name, d.Document, damaged);
            }
        }
    }

    public static RegistrySnapshot From(IReadOnlyList<RegistryDefinition> definitions) => definitions.Count == 0 ? Empty : new(definitions);

    public IReadOnlyList<RegistryDefinition> Definitions { get; }
    public Dictionary<string, PatternSpec> Patterns { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, BackendSpec> Backends { get; } = new(StringComparer.Ordinal);

    public bool IsEmpty => Patterns.Count == 0 && Backends.Count == 0;
}

/// <summary>
/// Checks a namespace against the registry: the slots its pattern declares, the interfaces each slot needs and its
/// backend implements, and the pattern's behaviour parameters. A violation throws <see cref="RegistryValidationException"/>;
/// a name the registry does not define is a <see cref="RegistryWarning"/>. Engine-neutral: it sees definitions, not rows.
/// </summary>
/// <remarks>
/// A namespace in the ADR's single-backend form (no slots) is checked only for known names: it binds no slots, so
/// there is nothing of a pattern's slot model to hold it to.
/// </remarks>
internal static partial class RegistryValidator
{
    [GeneratedRegex("^-?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+\\z|^0\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationRegex();

    public static List<RegistryWarning> Check(NamespaceConfig ns, RegistrySnapshot registry)
    {
        var warnings = new List<RegistryWarning>();
        if (registry.IsEmpty) return warnings;
        var n = ns.Name;

        registry.Patterns.TryGetValue(ns.Pattern, out var pattern);
        if (pattern is null && registry.Patterns.Count > 0)
        {
            warnings.Add(Unknown(n, "pattern", "pattern", ns.Pattern, registry.Patterns.Keys));
        }
        if (ns.Slots.Count == 0)
        {
            if (registry.Backends.Count > 0 && !registry.Backends.ContainsKey(ns.Backend))
            {
                warnings.Add(Unknown(n, "backend", "backend", ns.Backend, registry.Backends.Keys));
            }
            return warnings;
        }

        if (pattern is not null)
        {
            CheckSlotNames(n, ns, pattern);
            CheckSlotInterfaces(n, ns, pattern);
        }
        foreach (var (slotName, slot) in ns.Slots.Entries())
        {
            if (registry.Backends.TryGetValue(slot.Backend, out var backend))
            {
                CheckImplemented(n, slotName, slot, backend);
            }
            else if (registry.Backends.Count > 0)
            {
                warnings.Add(Unknown(n, $"slots.{slotName}.backend", $"backend of slot '{slotName}'", slot.Backend, registry.Backends.Keys));
            }
        }
        if (pattern is not null)
        {
            CheckParameters(n, ns.Behavior, pattern, warnings);
        }
        return warnings;
    }

    private static RegistryWarning Unknown(string ns, string field, string what, string value, IEnumerable<string> known)
    {
        var names = known.Order(StringComparer.Ordinal).ToList();
        var suggestion = RegistryNames.Suggest(value, names);
        var mean = suggestion is null ? "" : $" Did you mean '{suggestion}'?";
        return new RegistryWarning(ns, field, value, suggestion,
            $"Namespace '{ns}': the {what} '{value}' is not defined in the registry.{mean} The registry defines: {string.Join(", ", names)}.");
    }

    private static void CheckSlotNames(string n, NamespaceConfig ns, PatternSpec pattern)
    {
        var declared = string.Join(", ", pattern.Slots.Select(s => s.Optional ? s.Name + " (optional)" : s.Name));
        foreach (var (slotName, _) in ns.Slots.Entries())
        {
            if (pattern.Slot(slotName) is null)
            {
                var suggestion = RegistryNames.Suggest(slotName, pattern.Slots.Select(s => s.Name));
                var mean = suggestion is null ? "" : $" Did you mean '{suggestion}'?";
                throw new RegistryValidationException(n, "slots", slotName, $"one of {declared}", slotName,
                    $"Namespace '{n}', slot '{slotName}': pattern '{pattern.Name}' has no slot '{slotName}'; it requires one of its slots: {declared}; given: '{slotName}'.{mean}");
            }
        }
        foreach (var spec in pattern.Slots.Where(s => !s.Optional))
        {
            if (ns.Slots.Get(spec.Name) is null)
            {
                var given = ns.Slots.Count == 0 ? "none" : string.Join(", ", ns.Slots.Entries().Select(e => e.Name));
                throw new RegistryValidationException(n, "slots", spec.Name, spec.Name, given,
                    $"Namespace '{n}', slot '{spec.Name}': pattern '{pattern.Name}' requires the slot '{spec.Name}' ({Required(spec)}); given the slots: {given}.");
            }
        }
    }

    private static string Required(SlotSpec spec)
    {
        if (spec.Required.Length == 0 && spec.Alternatives.Length == 0) return "any interfaces";
        var text = spec.Required.Length == 0 ? "" : string.Join(" and ", spec.Required);
        if (spec.Alternatives.Length == 0) return text;
        var alternatives = string.Join(", or ", spec.Alternatives.Select(a => string.Join(" and ", a)));
        return text.Length == 0 ? alternatives : $"{text}, or instead {alternatives}";
    }

    private static void CheckSlotInterfaces(string n, NamespaceConfig ns, PatternSpec pattern)
    {
        foreach (var (slotName, slot) in ns.Slots.Entries())
        {
            var spec = pattern.Slot(slotName)!;
            if (spec.Required.Length == 0 && spec.Alternatives.Length == 0) continue;
            var given = slot.Interfaces.Select(NamespaceValidator.InterfaceKey).ToHashSet(StringComparer.Ordinal);
            bool Has(string[] set) => set.All(i => given.Contains(NamespaceValidator.InterfaceKey(i)));
            var satisfied = (spec.Required.Length > 0 && Has(spec.Required)) || spec.Alternatives.Any(Has);
            if (!satisfied)
            {
                var required = Required(spec);
                var givenText = slot.Interfaces.Length == 0 ? "none" : string.Join(", ", slot.Interfaces);
                throw new RegistryValidationException(n, $"slots.{slotName}.interfaces", slotName, required, givenText,
                    $"Namespace '{n}', slot '{slotName}': pattern '{pattern.Name}' requires the interfaces {required}; given: {givenText}.");
            }
        }
    }

    private static void CheckImplemented(string n, string slotName, NamespaceSlot slot, BackendSpec backend)
    {
        var implemented = backend.Implemented.ToList();
        var offers = implemented.Count == 0 ? "it implements none" : "it implements " + string.Join(", ", implemented);
        foreach (var i in slot.Interfaces)
        {
            var listed = backend.Find(i);
            if (listed is null)
            {
                throw new RegistryValidationException(n, $"slots.{slotName}.interfaces", slotName, string.Join(", ", implemented), i,
                    $"Namespace '{n}', slot '{slotName}': backend '{backend.Name}' does not implement the interface {i}; {offers}; given: {i}.");
            }
            if (listed.Status != InterfaceStatus.Implemented)
            {
                throw new RegistryValidationException(n, $"slots.{slotName}.interfaces", slotName, string.Join(", ", implemented), i,
                    $"Namespace '{n}', slot '{slotName}': backend '{backend.Name}' lists the interface {listed.Name} as {listed.Status}, not implemented, and a slot may only use an implemented interface; {offers}; given: {i}.");
            }
        }
    }

    private static void CheckParameters(string n, Hashtable behavior, PatternSpec pattern, List<RegistryWarning> warnings)
    {
        foreach (var p in pattern.Parameters)
        {
            if (!behavior.ContainsKey(p.Name))
            {
                if (p.Required)
                {
                    throw new RegistryValidationException(n, $"behavior.{p.Name}", null, Describe(p), "none",
                        $"Namespace '{n}': pattern '{pattern.Name}' requires the behaviour parameter '{p.Name}' ({Describe(p)}); given: none.");
                }
                continue;
            }
            var value = behavior[p.Name];
            var problem = value is null ? (p.Required ? "must have a value" : null) : TypeProblem(p, value);
            if (problem is not null)
            {
                throw new RegistryValidationException(n, $"behavior.{p.Name}", null, Describe(p), Show(value),
                    $"Namespace '{n}': the behaviour parameter '{p.Name}' of pattern '{pattern.Name}' {problem}; given: {Show(value)}.");
            }
        }
        if (pattern.Parameters.Count == 0) return;
        foreach (var key in ConfigJson.SortedKeys(behavior))
        {
            if (pattern.Parameter(key) is null)
            {
                var names = pattern.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var suggestion = RegistryNames.Suggest(key, names);
                var mean = suggestion is null ? "" : $" Did you mean '{suggestion}'?";
                warnings.Add(new RegistryWarning(n, $"behavior.{key}", key, suggestion,
                    $"Namespace '{n}': the behaviour parameter '{key}' is not declared by pattern '{pattern.Name}'.{mean} It declares: {string.Join(", ", names)}."));
            }
        }
    }

    private static string Describe(ParameterSpec p)
    {
        var text = p.Type is null ? "any value" : Article(p.Type);
        if (p.Min is { } min) text += " of at least " + min.ToString(CultureInfo.InvariantCulture);
        return text;
    }

    private static string Article(string type) => type switch
    {
        "integer" => "an integer",
        "duration" => "a duration such as 5s",
        "boolean" => "a boolean (true or false)",
        _ => "a " + type,
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        bool b => b ? "true" : "false",
        IDictionary => "a mapping",
        object[] => "a list",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>What is wrong with <paramref name="value"/> for the parameter's type and minimum, or null.</summary>
    internal static string? TypeProblem(ParameterSpec p, object value)
    {
        var typeOk = p.Type switch
        {
            "string" => value is string,
            "integer" => value is int or long,
            "number" => value is int or long or double,
            "boolean" => value is bool,
            "duration" => value is string s && DurationRegex().IsMatch(s),
            _ => true,
        };
        if (!typeOk) return $"must be {Article(p.Type!)}";
        if (p.Min is { } min && value is int or long or double && Convert.ToDouble(value, CultureInfo.InvariantCulture) < min)
        {
            return $"must be at least {min.ToString(CultureInfo.InvariantCulture)}";
        }
        return null;
    }
}
