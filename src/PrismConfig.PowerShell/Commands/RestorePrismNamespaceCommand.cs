using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Makes a namespace exactly what it was at an earlier version, as a new version (history operation 'restore').</summary>
/// <remarks>
/// Name and Version bind by property name on purpose, so a history entry pipes in:
/// Get-PrismNamespaceHistory orders -Version 3 | Restore-PrismNamespace.
/// </remarks>
[Cmdlet(VerbsData.Restore, "PrismNamespace", SupportsShouldProcess = true)]
[OutputType(typeof(NamespaceConfig))]
public sealed class RestorePrismNamespaceCommand : GuardedWriteCmdlet
{
    /// <summary>Names or wildcard patterns. A pattern matches live namespaces; a removed one is brought back by its literal name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public int Version { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Refuse a backend, pattern or parameter the store's registry does not define, instead of warning.</summary>
    [Parameter]
    public SwitchParameter Strict { get; set; }

    private protected override void ProcessItem()
    {
        var expected = Expected;
        var store = OpenStore(create: false);
        var literal = Name.Where(n => !string.IsNullOrEmpty(n) && !WildcardPattern.ContainsWildcardCharacters(n));
        var matched = Resolve(store, Name.Where(WildcardPattern.ContainsWildcardCharacters)).Select(ns => ns.Name);
        foreach (var name in literal.Concat(matched).Distinct(StringComparer.Ordinal))
        {
            Restore(store, name, expected);
        }
    }

    private void Restore(ConfigStore store, string name, int? expected)
    {
        PlanConfirmApply(
            () => store.PlanRestore(name, Version, expected),
            plan => $"Restore to version {Version}: " + Display.DescribeChanges(plan.Changes),
            result => $"Namespace '{result.Config.Name}' restored to the content of version {Version}; it is now at version {result.Config.Version}.",
            Reason, expected, PassThru, StrictWrites(Strict));
    }
}
