using System.Collections.ObjectModel;
using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Registry;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Loads Prism pattern and backend definitions into the store, versioned and audited.</para>
/// </summary>
/// <remarks>
/// Every file of one call is read and checked before anything is written, and all of them are written in one
/// transaction: a malformed file (named with its line and column) leaves the registry as it was.
/// </remarks>
[Cmdlet(VerbsData.Import, "PrismRegistry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RegistryImportResult))]
public sealed class ImportPrismRegistryCommand : PrismCmdlet
{
    /// <summary>Registry files, or folders (every .yaml and .yml file under them, as Prism's registry/ tree lays them out).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Recorded in the registry history; defaults to "imported from &lt;file names&gt;".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reason { get; set; }

    private readonly List<string> files = [];

    private protected override void ProcessItem()
    {
        foreach (var path in Path)
        {
            files.AddRange(ResolveFiles(path));
        }
    }

    private protected override void Complete()
    {
        if (files.Count == 0) return;
        var distinct = files.Distinct(StringComparer.Ordinal).ToList();
        var documents = new List<RegistryDocument>();
        try
        {
            foreach (var file in distinct)
            {
                WriteVerbose($"Reading '{file}'.");
                documents.AddRange(RegistryYaml.ReadFile(file));
            }
            var store = OpenExistingStore();
            if (WhatIfRequested() || ConfirmationWillBeAsked(ConfirmImpact.Medium))
            {
                var plan = store is null ? ConfigStore.PlanRegistryImportIntoNewStore(documents) : store.PlanRegistryImport(documents);
                var counts = Counts(plan);
                if (!ShouldProcess($"Performing \"Import registry {counts}\" on target \"{DatabasePath}\".", $"Import registry {counts} into '{DatabasePath}'?", "Confirm", out var why))
                {
                    if (why == ShouldProcessReason.WhatIf) WriteObject(plan, enumerateCollection: true);
                    return;
                }
            }
            store ??= OpenStore(create: true);
            var reason = Reason ?? DefaultReason(distinct);
            var results = store.ImportRegistry(documents, new RegistryImportOptions { Reason = reason, LockWaitProgress = LockWaitProgress() });
            WriteObject(results, enumerateCollection: true);
            var refused = store.RegistryViolations();
            if (refused.Count > 0)
            {
                WriteWarning($"{refused.Count} stored namespace(s) do not satisfy the registry now, and their next change will be refused; Test-PrismConfig lists them. First: {refused[0]}");
            }
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
        }
    }

    private static string Counts(IReadOnlyList<RegistryImportResult> plan) =>
        $"{plan.Count(r => r.Action == ImportAction.Created)} created, {plan.Count(r => r.Action == ImportAction.Updated)} updated, {plan.Count(r => r.Action == ImportAction.Unchanged)} unchanged";

    private static string DefaultReason(List<string> paths)
    {
        var reason = "imported from " + string.Join(", ", paths.Select(p => System.IO.Path.GetFileName(p)));
        return reason.Length <= 1000 ? reason : string.Concat(reason.AsSpan(0, 997), "...");
    }

    private List<string> ResolveFiles(string path)
    {
        Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            resolved = GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"The registry path '{path}' does not exist. Nothing was imported.", path, ex),
                "RegistryFileNotFound", ErrorCategory.ObjectNotFound, path));
            throw; // unreachable
        }
        if (provider.Name != "FileSystem")
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"'{path}' is not a file system path. Import-PrismRegistry reads YAML files and folders."),
                "RegistryPathNotFileSystem", ErrorCategory.InvalidArgument, path));
        }
        var result = new List<string>();
        foreach (var item in resolved)
        {
            if (!Directory.Exists(item))
            {
                result.Add(item);
                continue;
            }
            var found = Directory.EnumerateFiles(item, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (found.Count == 0)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"The folder '{item}' holds no .yaml or .yml files. Nothing was imported."),
                    "RegistryFolderEmpty", ErrorCategory.InvalidArgument, item));
            }
            result.AddRange(found);
        }
        return result;
    }
}
