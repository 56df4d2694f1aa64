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
public sealed class RestorePrismNamespaceCommand : NamespaceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int Version { get; set; }

    [Parameter]
    public int ExpectedVersion { get; set; }

    [Parameter]
    public string? Reason { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected override void ProcessItem()
    {
        var store = OpenStoreForExistingTarget();
        var current = store?.TryGet(Name);
        if (store is null || current is null)
        {
            WriteNotFound(Name);
            return;
        }
        var expected = BoundInt(nameof(ExpectedVersion), ExpectedVersion);
        if (!VersionMatches(current, expected)) return;

        WriteResult preview;
        try
        {
            preview = store.PreviewRestore(Name, Version);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
            return;
        }

        var action = $"Restore to version {Version}" + (preview.Changed ? ": " + Display.DescribeChanges(preview.Changes) : " (same content as now)");
        if (!ShouldProcess(TargetText(current.Name), action)) return;

        try
        {
            var result = store.Restore(Name, Version, NewContext(Reason, expected));
            WriteVerbose(result.Changed
                ? $"Namespace '{result.Config.Name}' restored to the content of version {Version}; it is now at version {result.Config.Version}."
                : $"Namespace '{result.Config.Name}' already matched version {Version}; it stays at version {result.Config.Version}.");
            if (PassThru) WriteObject(result.Config);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
        }
    }
}
