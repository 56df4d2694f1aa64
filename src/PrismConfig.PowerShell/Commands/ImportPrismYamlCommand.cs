using System.Collections.ObjectModel;
using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Yaml;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Applies YAML namespace files to the store declaratively, in one transaction.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "PrismYaml", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ImportResult))]
public sealed class ImportPrismYamlCommand : PrismCmdlet
{
    /// <summary>Progress is reported at most once per this many namespaces.</summary>
    private const int ProgressEvery = 250;

    /// <summary>YAML files; wildcards allowed; relative paths follow $PWD.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Disable namespaces that are in the store but in none of the files.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>Recorded in history for every change; defaults to "imported from &lt;file names&gt;".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reason { get; set; }

    private readonly List<string> files = [];

    protected override void ProcessRecord()
    {
        foreach (var path in Path)
        {
            files.AddRange(ResolveFiles(path));
        }
    }

    // Every file is collected first: all the files of one call are one desired set, applied in one transaction.
    protected override void EndProcessing()
    {
        if (files.Count == 0) return;
        var distinct = files.Distinct(StringComparer.Ordinal).ToList();

        var desired = ReadDesired(distinct);
        var reason = Reason ?? DefaultReason(distinct);
        var database = DatabasePath;

        IReadOnlyList<ImportResult> plan;
        var exists = File.Exists(database);
        try
        {
            plan = exists
                ? OpenStore(create: false).Import(desired.Configs, new ImportOptions { Prune = Prune, DryRun = true, Reason = reason })
                : PlanAgainstNothing(desired.Configs);
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
            return;
        }
        AttachSources(plan, desired.Sources);

        var action = "Import " + Summarize(plan);
        if (!ShouldProcess($"Performing \"{action}\" on target \"{database}\".", $"{action} into '{database}'?", "Confirm", out var why))
        {
            // -WhatIf shows the plan; a declined -Confirm shows nothing.
            if (why == ShouldProcessReason.WhatIf)
            {
                WriteObject(plan, enumerateCollection: true);
            }
            return;
        }

        IReadOnlyList<ImportResult> results;
        try
        {
            var store = OpenStore(create: true);
            var progress = new ImportProgress(this, desired.Configs.Count);
            results = store.Import(desired.Configs, new ImportOptions { Prune = Prune, Reason = reason, Progress = progress });
            progress.Complete();
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
            return;
        }
        AttachSources(results, desired.Sources);
        WriteObject(results, enumerateCollection: true);
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
                new FileNotFoundException($"The YAML file '{path}' does not exist. Nothing was imported.", path, ex),
                "YamlFileNotFound", ErrorCategory.ObjectNotFound, path));
            throw; // unreachable
        }
        if (provider.Name != "FileSystem")
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"'{path}' is not a file system path. Import-PrismYaml reads YAML files."),
                "YamlPathNotFileSystem", ErrorCategory.InvalidArgument, path));
        }
        foreach (var file in resolved)
        {
            if (Directory.Exists(file))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"'{file}' is a folder; pass YAML files (for example '{System.IO.Path.Combine(file, "*.yaml")}'). Nothing was imported."),
                    "YamlPathIsFolder", ErrorCategory.InvalidArgument, file));
            }
        }
        return resolved.ToList();
    }

    private sealed record Desired(List<NamespaceConfig> Configs, Dictionary<string, string> Sources);

    private Desired ReadDesired(List<string> paths)
    {
        var configs = new List<NamespaceConfig>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, YamlNamespace>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            WriteVerbose($"Reading '{path}'.");
            IReadOnlyList<YamlNamespace> read;
            try
            {
                read = NamespaceYaml.ReadFile(path);
            }
            catch (PrismConfigException ex)
            {
                ThrowCoreError(ex);
                throw; // unreachable
            }
            foreach (var item in read)
            {
                var name = item.Config.Name;
                if (seen.TryGetValue(name, out var first))
                {
                    ThrowCoreError(new YamlImportException(item.File, item.Line, item.Column,
                        $"namespace '{name}' is defined twice: also in {first.File}:{first.Line}:{first.Column}; keep one definition",
                        name));
                }
                seen[name] = item;
                configs.Add(item.Config);
                sources[name] = item.File;
            }
        }
        return new Desired(configs, sources);
    }

    private static string DefaultReason(List<string> paths)
    {
        var reason = "imported from " + string.Join(", ", paths.Select(p => System.IO.Path.GetFileName(p)));
        return reason.Length <= 1000 ? reason : string.Concat(reason.AsSpan(0, 997), "...");
    }

    /// <summary>The plan when there is no database yet (-WhatIf must not create one): everything is created.</summary>
    private static List<ImportResult> PlanAgainstNothing(List<NamespaceConfig> desired) =>
        desired
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => new ImportResult { Name = c.Name, Action = ImportAction.Created, Version = 1 })
            .ToList();

    private static void AttachSources(IReadOnlyList<ImportResult> results, Dictionary<string, string> sources)
    {
        foreach (var r in results)
        {
            if (r.Source is null && r.Action != ImportAction.Disabled && sources.TryGetValue(r.Name, out var file))
            {
                r.Source = file;
            }
        }
    }

    private static string Summarize(IReadOnlyList<ImportResult> plan)
    {
        int Count(ImportAction a) => plan.Count(r => r.Action == a);
        return $"{Count(ImportAction.Created)} created, {Count(ImportAction.Updated)} updated, {Count(ImportAction.Disabled)} disabled, {Count(ImportAction.Unchanged)} unchanged";
    }

    /// <summary>Turns Core's per-namespace callbacks into throttled Write-Progress records on the pipeline thread.</summary>
    private sealed class ImportProgress(ImportPrismYamlCommand cmdlet, int total) : IProgress<int>
    {
        private readonly int thread = Environment.CurrentManagedThreadId;
        private readonly ProgressRecord record = new(1, "Import-PrismYaml", "Applying namespaces");
        private bool written;

        public void Report(int value)
        {
            // WriteProgress is only legal on the pipeline thread; Core calls back synchronously, but be sure.
            if (Environment.CurrentManagedThreadId != thread || value % ProgressEvery != 0) return;
            record.StatusDescription = $"{value} of {total} namespaces";
            record.PercentComplete = total > 0 ? Math.Min(100, (int)(100L * value / total)) : -1;
            cmdlet.WriteProgress(record);
            written = true;
        }

        public void Complete()
        {
            if (!written) return;
            record.RecordType = ProgressRecordType.Completed;
            cmdlet.WriteProgress(record);
        }
    }
}
