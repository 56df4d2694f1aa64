using System.Management.Automation;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Sets namespaces back to active (history operation 'enable'). Already active ones are left alone.</summary>
[Cmdlet(VerbsLifecycle.Enable, "PrismNamespace", SupportsShouldProcess = true)]
[OutputType(typeof(NamespaceConfig))]
public sealed class EnablePrismNamespaceCommand : StatusCommandBase
{
    private protected override string TargetStatus => NamespaceStatus.Active;
    private protected override string Verb => "Enable";
}
