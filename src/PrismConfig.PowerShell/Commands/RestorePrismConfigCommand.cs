using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Backup;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Replaces the whole store with a verified backup, after saving the current state as a backup of its own.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "PrismConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RestoreResult))]
public sealed class RestorePrismConfigCommand : PrismCmdlet
{
    /// <summary>The backup file to restore from.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Restore without asking.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The folder, beside the database, that receives the pre-restore backups.</summary>
    public const string PreRestoreFolderName = "backups";

    private protected override void ProcessItem()
    {
        var database = DatabasePath;
        var source = ResolveBackup();
        if (Locator.FilePath is { } file && string.Equals(System.IO.Path.GetFullPath(source), file,
                OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"'{source}' is the database itself; give a backup file."),
                "RestoreSourceIsDatabase", ErrorCategory.InvalidArgument, source));
        }

        try
        {
            // Verify before touching anything: the backup must open (header, schema version) and be healthy.
            var backupNamespaces = Verify(source);

            // The live store is opened (not created) before asking, so an unusable database fails up front.
            var store = OpenExistingStore();
            store?.ThrowIfReplica();
            var action = $"Replace all contents with backup '{source}' ({backupNamespaces} namespace(s))";
            if (!Confirmed(database, action, source))
            {
                return;
            }

            string? preRestore = null;
            if (store is not null)
            {
                // Claimed atomically, so two restores in the same second each keep their own undo file.
                preRestore = store.BackupToFolder(store.DefaultBackupFolder, "config-pre-restore").FullName;
                WriteVerbose($"Saved the current state of '{database}' to '{preRestore}'.");
            }
            else
            {
                store = OpenStore(create: true);
            }

            var audit = store.RestoreFrom(source);
            if (!audit.HistoryMerged && preRestore is not null)
            {
                WriteVerbose($"The history of '{database}' was not merged (the backup is not of its past, or there was none); the pre-restore backup '{preRestore}' keeps it.");
            }
            WriteObject(new RestoreResult
            {
                Path = database,
                RestoredFrom = source,
                PreRestoreBackup = preRestore,
                Namespaces = store.CountNamespaces(),
                SchemaVersion = store.SchemaVersion,
                BackupTakenAt = audit.BackupTakenAt,
                HistoryKept = audit.HistoryKept,
                NamespacesRestored = audit.NamespacesRestored,
                NamespacesRemoved = audit.NamespacesRemoved,
            });
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
        }
    }

    /// <summary>The usual advice for a damaged store is this command: say how to restore over one instead.</summary>
    private protected override ErrorRecord ErrorRecordFor(PrismConfigException ex)
    {
        var record = ToErrorRecord(ex);
        if (ex is StoreCorruptException corrupt && corrupt.Path == Locator.FilePath)
        {
            record.ErrorDetails = new ErrorDetails(
                $"'{corrupt.Path}' is damaged: {corrupt.Detail} Its current state cannot be saved first, so Restore-PrismConfig "
                + "does not overwrite it; it was not changed. To restore it, stop what uses it, move it aside with its -wal and -shm "
                + $"files (Move-Item '{corrupt.Path}' '{corrupt.Path}.damaged'; Move-Item '{corrupt.Path}-wal' '{corrupt.Path}.damaged-wal' "
                + $"-ErrorAction Ignore; Move-Item '{corrupt.Path}-shm' '{corrupt.Path}.damaged-shm' -ErrorAction Ignore), and run this "
                + "Restore-PrismConfig again: it then creates the database from the backup.");
        }
        return record;
    }

    /// <summary>
    /// Asks once: by ShouldProcess (ConfirmImpact High prompts by default), or by ShouldContinue when the session
    /// turned confirmation off with $ConfirmPreference = 'None'. -Force or -Confirm:$false skip the question;
    /// -WhatIf always wins.
    /// </summary>
    private bool Confirmed(string database, string action, string source)
    {
        var confirmGiven = MyInvocation.BoundParameters.TryGetValue("Confirm", out var confirm);
        if (Force && !(confirmGiven && confirm is SwitchParameter { IsPresent: true }))
        {
            if (WhatIfRequested())
            {
                ShouldProcess(database, action); // prints "What if: ..." and never prompts
                return false;
            }
            return true;
        }
        if (!ShouldProcess(database, action))
        {
            return false;
        }
        if (confirmGiven)
        {
            return true; // -Confirm: ShouldProcess asked; -Confirm:$false: the caller said not to ask
        }
        var preference = SessionState.PSVariable.GetValue("ConfirmPreference");
        var promptedAlready = !(preference is ConfirmImpact impact && impact == ConfirmImpact.None);
        return promptedAlready || ShouldContinue(
            $"Replace every namespace in '{database}' with the contents of '{source}'? History is kept, the restore is recorded in it, and the current state is saved as a backup first.",
            "Restore PrismConfig database");
    }

    private string ResolveBackup()
    {
        string resolved;
        try
        {
            resolved = GetResolvedProviderPathFromPSPath(Path, out _).Single();
        }
        catch (Exception ex) when (ex is ItemNotFoundException or InvalidOperationException)
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"The backup '{Path}' does not exist (or names more than one file). Nothing was changed.", Path, ex),
                "BackupNotFound", ErrorCategory.ObjectNotFound, Path));
            throw; // unreachable
        }
        if (!File.Exists(resolved))
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"The backup '{resolved}' is not a file. Nothing was changed.", resolved),
                "BackupNotFound", ErrorCategory.ObjectNotFound, resolved));
        }
        return resolved;
    }

    /// <summary>
    /// Runs the full health check on the backup (header, schema version, integrity, foreign keys, every row,
    /// versions against history) without changing it or leaving anything beside it.
    /// </summary>
    private static int Verify(string source)
    {
        var report = ConfigStore.CheckBackup(source);
        if (!report.IsHealthy)
        {
            throw new StoreCorruptException(source, "the backup failed its health check: " + string.Join(" ", report.Problems));
        }
        return report.Namespaces;
    }
}
