using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Renames a namespace (history operation 'rename'); its whole history moves with it to the new name.</summary>
[Cmdlet(VerbsCommon.Rename, "PrismNamespace", SupportsShouldProcess = true)]
[OutputType(typeof(NamespaceConfig))]
public sealed class RenamePrismNamespaceCommand : GuardedWriteCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string NewName { get; set; } = "";

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override void ProcessItem()
    {
        var expected = Expected;
        PlanConfirmApply(
            () => OpenStore(create: false).PlanRename(Name, NewName, expected),
            plan => $"Rename to '{plan.Proposed.Name}'",
            result => $"Namespace '{Name}' is now '{result.Config.Name}' at version {result.Config.Version}.",
            Reason, expected, PassThru);
    }
}
