using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Disable- and Enable-PrismNamespace differ only in the status they set.</summary>
public abstract class StatusCommandBase : NamespaceCmdlet
{
    /// <summary>Names or wildcard patterns.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter]
    public int ExpectedVersion { get; set; }

    [Parameter]
    public string? Reason { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected abstract string TargetStatus { get; }
    private protected abstract string Verb { get; }

    private protected override void ProcessItem()
    {
        var store = OpenStoreForExistingTarget();
        var expected = BoundInt(nameof(ExpectedVersion), ExpectedVersion);
        foreach (var current in Resolve(store, Name))
        {
            // The version check comes first: a stale -ExpectedVersion is a conflict even when someone else has
            // already made the change, or an optimistic caller would believe its own write landed.
            if (!VersionMatches(current, expected)) continue;
            if (string.Equals(current.Status, TargetStatus, StringComparison.Ordinal))
            {
                WriteVerbose($"Namespace '{current.Name}' is already {TargetStatus}; nothing was written and it stays at version {current.Version}.");
                if (PassThru) WriteObject(current);
                continue;
            }
            if (!ShouldProcess(TargetText(current.Name), $"{Verb} (set Status {current.Status} → {TargetStatus})")) continue;
            try
            {
                var result = store!.SetStatus(current.Name, TargetStatus, NewContext(Reason, expected));
                WriteVerbose($"Namespace '{result.Config.Name}' is now {result.Config.Status} at version {result.Config.Version}.");
                if (PassThru) WriteObject(result.Config);
            }
            catch (PrismConfigException ex)
            {
                WriteCoreError(ex);
            }
        }
    }
}
