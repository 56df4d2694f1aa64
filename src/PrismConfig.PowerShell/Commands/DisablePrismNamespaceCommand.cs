using System.Management.Automation;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Sets namespaces to disabled (history operation 'disable'). Already disabled ones are left alone.</summary>
[Cmdlet(VerbsLifecycle.Disable, "PrismNamespace", SupportsShouldProcess = true)]
[OutputType(typeof(NamespaceConfig))]
public sealed class DisablePrismNamespaceCommand : StatusCommandBase
{
    private protected override string TargetStatus => NamespaceStatus.Disabled;
    private protected override string Verb => "Disable";
}
