using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// Removes namespaces (history operation 'delete'). The row is kept, disabled and under a tombstone name, so its
/// history stays readable (-IncludeRemoved) and Restore-PrismNamespace can bring it back; the name is free at once.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PrismNamespace", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemovePrismNamespaceCommand : GuardedWriteCmdlet
{
    /// <summary>Names or wildcard patterns.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[] Name { get; set; } = [];

    private protected override void ProcessItem()
    {
        var store = OpenStore(create: false);
        var expected = Expected;
        // Literal names go to the store as they are, so that a damaged namespace can still be removed.
        var literal = Name.Where(n => !string.IsNullOrEmpty(n) && !WildcardPattern.ContainsWildcardCharacters(n));
        var matched = Resolve(store, Name.Where(WildcardPattern.ContainsWildcardCharacters)).Select(ns => ns.Name);
        foreach (var name in literal.Concat(matched).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            PlanConfirmApply(
                () => store.PlanRemove(name, expected),
                plan => $"Remove (at version {plan.Current.Version}; its history is kept)",
                result => $"Namespace '{result.Config.Name}' was removed at version {result.Config.Version}.",
                Reason, expected, passThru: false);
        }
    }
}
