using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Gets namespaces by name (wildcards allowed), backend, pattern, status and tags.</summary>
[Cmdlet(VerbsCommon.Get, "PrismNamespace")]
[OutputType(typeof(NamespaceConfig))]
public sealed class GetPrismNamespaceCommand : NamespaceCmdlet
{
    /// <summary>Names or wildcard patterns. A literal name that does not exist is an error; a pattern that matches nothing is not.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(BackendCompleter))]
    public string[]? Backend { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(PatternCompleter))]
    public string[]? Pattern { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(StatusCompleter))]
    public string[]? Status { get; set; }

    /// <summary>Every tag given must be present.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? Tag { get; set; }

    /// <summary>Slot names: namespaces that fill any of them; with -Backend, that backend must be in one of these slots.</summary>
    [Parameter]
    public string[]? Slot { get; set; }

    /// <summary>Adds Defaults (the registry's parameter defaults the namespace does not set) and EffectiveBehavior; nothing is written.</summary>
    [Parameter]
    public SwitchParameter IncludeDefaults { get; set; }

    private ConfigStore? _store;

    private protected override void ProcessItem()
    {
        var store = _store = OpenStore(create: false);
        var names = Name;

        // The hot path: one literal name and no filters is a snapshot lookup, nothing more.
        if (names is { Length: 1 } && Backend is null && Pattern is null && Status is null && Tag is null && Slot is null
            && !WildcardPattern.ContainsWildcardCharacters(names[0]))
        {
            var ns = store.TryGet(names[0]);
            if (ns is null)
            {
                WriteNotFound(names[0]);
            }
            else
            {
                Emit(ns);
            }
            return;
        }

        var query = new NamespaceQuery
        {
            Backends = Lower(Backend),
            Patterns = Lower(Pattern),
            Statuses = Lower(Status),
            Tags = Lower(Tag),
            Slots = Lower(Slot),
        };

        if (names is null)
        {
            foreach (var ns in store.List(query, WriteCoreError)) Emit(ns);
            return;
        }

        var results = new SortedDictionary<string, NamespaceConfig>(StringComparer.Ordinal);
        var patterns = new List<string>();
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name)) continue;
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                patterns.Add(name);
                continue;
            }
            if (TryGetReporting(store, name) is { } ns && Matches(ns, query))
            {
                results[ns.Name] = ns;
            }
        }
        if (patterns.Count > 0)
        {
            query.Names = patterns;
            foreach (var ns in store.List(query, WriteCoreError)) results[ns.Name] = ns;
        }
        foreach (var ns in results.Values) Emit(ns);
    }

    /// <summary>The namespace, with the registry's defaults beside its own behaviour when asked: shown, never written.</summary>
    private void Emit(NamespaceConfig ns)
    {
        if (!IncludeDefaults)
        {
            WriteObject(ns);
            return;
        }
        var defaults = _store!.BehaviorDefaults(ns);
        var effective = (System.Collections.Hashtable)NamespaceConfig.NewTable();
        foreach (System.Collections.DictionaryEntry e in defaults) effective[e.Key] = e.Value;
        foreach (System.Collections.DictionaryEntry e in ns.Behavior) effective[e.Key] = e.Value;
        var output = PSObject.AsPSObject(ns);
        output.Properties.Add(new PSNoteProperty("Defaults", defaults));
        output.Properties.Add(new PSNoteProperty("EffectiveBehavior", effective));
        WriteObject(output);
    }

    private static string[]? Lower(string[]? values) =>
        values is null ? null : Array.ConvertAll(values, v => (v ?? "").ToLowerInvariant());

    // The same meaning as the store's query: -Backend matches the namespace's backend or any slot's; with -Slot,
    // only the named slots count.
    private static bool Matches(NamespaceConfig ns, NamespaceQuery q) =>
        (q.Slots is null
            ? q.Backends is null || ns.Backends.Any(b => q.Backends.Contains(b, StringComparer.Ordinal))
            : ns.Slots.Entries().Any(e => q.Slots.Contains(e.Name, StringComparer.Ordinal)
                && (q.Backends is null || q.Backends.Contains(e.Slot.Backend, StringComparer.Ordinal))))
        && (q.Patterns is null || q.Patterns.Contains(ns.Pattern, StringComparer.Ordinal))
        && (q.Statuses is null || q.Statuses.Contains(ns.Status, StringComparer.Ordinal))
        && (q.Tags is null || q.Tags.All(t => ns.Tags.Contains(t, StringComparer.Ordinal)));
}
