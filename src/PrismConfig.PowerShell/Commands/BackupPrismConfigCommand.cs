using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Backup;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Takes a consistent online backup of the store with SQLite's backup API, and optionally prunes old backups.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "PrismConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class BackupPrismConfigCommand : PrismCmdlet
{
    /// <summary>An existing folder (or a path ending in a separator) for a timestamped file name, or a file path.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>Delete backups in the destination folder whose name-timestamp is more than this many days old.</summary>
    [Parameter]
    [ValidateRange(1, 36500)]
    public int RetainDays { get; set; }

    private protected override void Complete()
    {
        var database = DatabasePath;
        // The store is opened (never created) first, so a missing or unusable database fails before any folder is made.
        var store = OpenStore(create: false);
        // For a folder, target is only a preview of the name (for -WhatIf and messages): Core claims the actual name
        // atomically when it writes, so concurrent backups into one folder in the same second each get a file.
        var target = ResolveTarget(out var folder, out var isFolder);

        if (!Directory.Exists(folder))
        {
            if (!ShouldProcess(folder, "Create backup folder (mode 0700)"))
            {
                // Under -WhatIf, still say what the backup and the retention would do.
                ShouldProcess(target, $"Back up '{database}'");
                return;
            }
            CreatePrivateFolder(folder);
        }

        if (!isFolder && (File.Exists(target) || Directory.Exists(target)))
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"'{target}' already exists; Backup-PrismConfig never overwrites a file. Give a folder to get a new timestamped name, or another file path."),
                "BackupExists", ErrorCategory.ResourceExists, target));
        }

        FileInfo? backup = null;
        if (ShouldProcess(target, $"Back up '{database}'"))
        {
            try
            {
                backup = isFolder ? store.BackupToFolder(folder) : store.BackupTo(target);
            }
            catch (PrismConfigException ex)
            {
                ThrowCoreError(ex);
                return;
            }
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(RetainDays)))
        {
            PruneOldBackups(folder, backup?.FullName ?? target);
        }

        if (backup is not null)
        {
            WriteFileItem(backup.FullName);
        }
    }

    private string ResolveTarget(out string folder, out bool isFolder)
    {
        var resolved = GetUnresolvedProviderPathFromPSPath(Destination);
        isFolder = Directory.Exists(resolved)
            || Destination.EndsWith('/')
            || Destination.EndsWith(System.IO.Path.DirectorySeparatorChar)
            || Destination.EndsWith(System.IO.Path.AltDirectorySeparatorChar);
        if (isFolder)
        {
            folder = System.IO.Path.TrimEndingDirectorySeparator(resolved);
            return BackupFiles.NewBackupPath(folder, DateTime.UtcNow);
        }
        folder = System.IO.Path.GetDirectoryName(resolved) ?? resolved;
        return resolved;
    }

    private void PruneOldBackups(string folder, string justMade)
    {
        IReadOnlyList<FileInfo> expired;
        try
        {
            expired = BackupFiles.Expired(folder, RetainDays, DateTime.UtcNow, keep: justMade);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, "BackupRetentionFailed", ErrorCategory.ReadError, folder));
            return;
        }
        foreach (var file in expired)
        {
            if (!ShouldProcess(file.FullName, $"Delete backup older than {RetainDays} day(s)")) continue;
            try
            {
                BackupFiles.Delete(file); // with its -wal/-shm/-journal, if any, so none is orphaned
                WriteVerbose($"Deleted expired backup '{file.FullName}'.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // One undeletable old backup must not fail a backup that succeeded.
                WriteError(new ErrorRecord(ex, "BackupRetentionFailed",
                    ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, file.FullName));
            }
        }
    }

    private void CreatePrivateFolder(string folder)
    {
        try
        {
            PrivateFiles.CreateFolder(folder);
        }
        catch (PrismConfigException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "BackupFolderInvalid",
                ex.Kind == PrismErrorKind.PermissionDenied ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, folder));
        }
    }
}
