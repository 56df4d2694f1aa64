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

    /// <summary>Lets -Prune disable more than half (or all) of the active namespaces, or prune with an empty desired set.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Recorded in history for every change; defaults to "imported from &lt;file names&gt;".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reason { get; set; }

    /// <summary>Refuse a backend, pattern or parameter the store's registry does not define, instead of warning.</summary>
    [Parameter]
    public SwitchParameter Strict { get; set; }

    /// <summary>Outputs the results. They are output without it too; scripts name it as they do for the other writers.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly List<string> files = [];

    // Filled while planning and applying (a plan and its apply both meet the same damaged row); reported once each.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, NamespaceDamagedException> damaged = new(StringComparer.Ordinal);

    private protected override void ProcessItem()
    {
        foreach (var path in Path)
        {
            files.AddRange(ResolveYamlFiles(path, "Nothing was imported."));
        }
    }

    // Every file is collected first: all the files of one call are one desired set, applied in one transaction.
    // No question is ever asked inside a transaction: when ShouldProcess will ask (or -WhatIf), the files are first
    // planned read-only and the question carries the plan's counts; the files are then read again and applied only
    // if every namespace is still what the plan saw. When it will not ask, the files are read once, in the write.
    private protected override void Complete()
    {
        if (files.Count == 0) return;
        var distinct = files.Distinct(StringComparer.Ordinal).ToList();
        var database = DatabasePath;
        var options = new ImportOptions
        {
            Prune = Prune,
            Force = Force,
            Reason = Reason ?? DefaultReason(distinct),
            ReadAhead = true,
            LockWaitProgress = LockWaitProgress(),
            Strict = StrictWrites(Strict),
            Damaged = ex => damaged.TryAdd(ex.Name, ex),
        };
        var desired = new DesiredStream(distinct);
        options.SourceOf = desired.SourceOf;
        foreach (var path in distinct)
        {
            WriteVerbose($"Reading '{path}'.");
        }
        var store = OpenExistingStore();
        ImportPlan? plan = null;
        try
        {
            if (WhatIfRequested() || ConfirmationWillBeAsked(Impact))
            {
                plan = store is null ? ConfigStore.PlanImportIntoNewStore(desired.Read(), options) : store.PlanImport(desired.Read(), options);
                WriteRegistryWarnings(plan.Results.SelectMany(r => r.Warnings));
                var action = "Import " + plan.Summary;
                if (!ShouldProcess($"Performing \"{action}\" on target \"{database}\".", $"{action} into '{database}'?", "Confirm", out var why))
                {
                    // -WhatIf shows the plan; a declined -Confirm shows nothing.
                    if (why == ShouldProcessReason.WhatIf)
                    {
                        ReportDamaged();
                        foreach (var r in plan.Results) WriteObject(Masked(r));
                    }
                    return;
                }
                // The attribute says Medium; -Prune is High. ShouldProcess asked only if -Confirm was given, so the
                // raised impact asks here when the preference alone calls for it.
                if (Prune && !ConfirmGiven() && !ShouldContinue($"{action} into '{database}'? -Prune disables every namespace the files do not list.", "Confirm prune"))
                {
                    return;
                }
            }
            else if (!ShouldProcess(database, "Import namespaces from " + string.Join(", ", distinct)))
            {
                return;
            }
        }
        catch (PrismConfigException ex)
        {
            ThrowTerminatingError(WithSource(ex, distinct));
            return;
        }

        // Only this call may take back a store it created: one that existed when it started is never removed.
        var createdHere = false;
        if (store is null)
        {
            store = OpenStore(create: true);
            createdHere = store.Created;
        }
        ImportResultCollection results;
        var progress = new ImportProgress(this);
        try
        {
            options.Progress = progress;
            results = store.ApplyImport(desired.Read(), options, plan);
        }
        catch (PrismConfigException ex)
        {
            // A store this import created, and that received nothing, is removed again: a typo leaves no file.
            if (createdHere) StoreCache.Discard(store);
            ThrowTerminatingError(WithSource(ex, distinct));
            return;
        }
        // Written one at a time as they are read back: a large import's results are never all in memory.
        using (results)
        {
            progress.Complete();
            ReportDamaged();
            if (plan is null) WriteRegistryWarnings(results.Warnings);
            foreach (var r in results) WriteObject(Masked(r));
        }
    }

    /// <summary>
    /// An error the store found about one namespace, placed in the files: a registry refusal gets the file and line of
    /// the namespace, a repeated name becomes the YAML error that names both definitions.
    /// </summary>
    private static ErrorRecord WithSource(PrismConfigException ex, List<string> paths)
    {
        var placed = NamespaceYaml.InFiles(ex, paths);
        var record = ToErrorRecord(placed);
        if (placed is RegistryValidationException r && NamespaceYaml.FindDefinitions(paths, r.NamespaceName, 1) is [var at])
        {
            record.ErrorDetails = new ErrorDetails($"{at.File}:{at.Line}:{at.Column}: {ex.Message} Nothing was imported.");
        }
        return record;
    }

    /// <summary>-Prune can disable namespaces in bulk, so it is High impact: it prompts under the default preference.</summary>
    private ConfirmImpact Impact => Prune ? ConfirmImpact.High : ConfirmImpact.Medium;

    private bool ConfirmGiven() => MyInvocation.BoundParameters.ContainsKey("Confirm");

    /// <summary>
    /// The YAML files as one stream of namespaces. Core enumerates it on its read-ahead thread (ImportOptions.ReadAhead),
    /// so it touches nothing of PowerShell's; repeated names are Core's to find. It keeps only where each file starts,
    /// so that <see cref="SourceOf"/> can name the file of any position.
    /// </summary>
    private sealed class DesiredStream(List<string> paths)
    {
        private readonly List<(int First, string File)> starts = [];

        /// <summary>Reads every file from the start; a second read (the apply after a plan) starts afresh.</summary>
        public IEnumerable<NamespaceConfig> Read()
        {
            lock (starts) starts.Clear();
            var position = 0;
            foreach (var path in paths)
            {
                lock (starts) starts.Add((position, path));
                foreach (var item in NamespaceYaml.StreamFile(path))
                {
                    position++;
                    yield return item.Config;
                }
            }
        }

        /// <summary>The file the namespace at <paramref name="position"/> came from; called on the importing thread while the reader runs ahead.</summary>
        public string? SourceOf(int position)
        {
            lock (starts)
            {
                for (var i = starts.Count - 1; i >= 0; i--)
                {
                    if (starts[i].First <= position) return starts[i].File;
                }
                return null;
            }
        }
    }

    private static string DefaultReason(List<string> paths)
    {
        var reason = "imported from " + string.Join(", ", paths.Select(p => System.IO.Path.GetFileName(p)));
        return reason.Length <= 1000 ? reason : string.Concat(reason.AsSpan(0, 997), "...");
    }

    /// <summary>
    /// The result with each change's old and new value masked: results are a report (a table, a CI log, a JSON
    /// artefact), never a way back to the stored values, which Get-PrismNamespace gives.
    /// </summary>
    private static ImportResult Masked(ImportResult r)
    {
        if (r.Changes.Length > 0)
        {
            r.Changes = r.Changes.Select(c => new PropertyChange(c.Property,
                Core.Display.SecretMasker.MaskAnyChange(c.Property, c.OldValue),
                Core.Display.SecretMasker.MaskAnyChange(c.Property, c.NewValue))).ToArray();
        }
        return r;
    }

    private void ReportDamaged()
    {
        foreach (var ex in damaged.Values.OrderBy(e => e.Name, StringComparer.Ordinal)) WriteCoreError(ex);
    }

    /// <summary>Turns Core's per-namespace callbacks into throttled Write-Progress records on the pipeline thread.</summary>
    /// <remarks>The files are streamed, so the total is not known until the end: the record counts, without a percentage.</remarks>
    private sealed class ImportProgress(ImportPrismYamlCommand cmdlet) : IProgress<int>
    {
        private readonly int thread = Environment.CurrentManagedThreadId;
        private readonly ProgressRecord record = new(1, "Import-PrismYaml", "Applying namespaces");
        private bool written;

        public void Report(int value)
        {
            // WriteProgress is only legal on the pipeline thread; Core calls back synchronously, but be sure.
            if (Environment.CurrentManagedThreadId != thread || value % ProgressEvery != 0 || value == 0) return;
            record.StatusDescription = $"{value} namespaces";
            record.PercentComplete = -1;
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
