using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Disable- and Enable-PrismNamespace differ only in the status they set.</summary>
public abstract class StatusCommandBase : GuardedWriteCmdlet
{
    /// <summary>Names or wildcard patterns.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected abstract string TargetStatus { get; }
    private protected abstract string Verb { get; }

    private protected override void ProcessItem()
    {
        var store = OpenStore(create: false);
        var expected = Expected;
        foreach (var current in Resolve(store, Name))
        {
            PlanConfirmApply(
                () => store.PlanStatus(current.Name, TargetStatus, expected),
                plan => $"{Verb} (set Status {plan.Current.Status} → {TargetStatus})",
                result => $"Namespace '{result.Config.Name}' is now {result.Config.Status} at version {result.Config.Version}.",
                Reason, expected, PassThru);
        }
    }
}
