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

    protected override void ProcessRecord()
    {
        var database = DatabasePath;
        var source = ResolveBackup();
        if (string.Equals(System.IO.Path.GetFullPath(source), System.IO.Path.GetFullPath(database),
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

            var exists = File.Exists(database);
            // The live store is opened (not created) before asking, so an unusable database fails up front.
            var store = exists ? OpenStore(create: false) : null;
            var action = $"Replace all contents with backup '{source}' ({backupNamespaces} namespace(s))";
            if (!ShouldProcess(database, action))
            {
                return;
            }
            if (!Force && !ShouldContinue(
                    $"Replace every namespace and all history in '{database}' with the contents of '{source}'? The current state is saved as a backup first.",
                    "Restore PrismConfig database"))
            {
                return;
            }

            string? preRestore = null;
            if (store is not null)
            {
                var folder = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(database) ?? ".", PreRestoreFolderName);
                CreatePrivateFolder(folder);
                preRestore = BackupFiles.NewBackupPath(folder, DateTime.UtcNow, "config-pre-restore");
                store.BackupTo(preRestore);
                WriteVerbose($"Saved the current state of '{database}' to '{preRestore}'.");
            }
            else
            {
                store = OpenStore(create: true);
            }

            store.RestoreFrom(source);
            WriteObject(new RestoreResult
            {
                Path = database,
                RestoredFrom = source,
                PreRestoreBackup = preRestore,
                Namespaces = store.CountNamespaces(),
                SchemaVersion = store.SchemaVersion,
            });
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
        }
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
    /// Opens the backup as a store of its own (refusing a non-database, a corrupt file or a too-new schema, all
    /// with the backup's path as the target) and runs the full health check on it.
    /// </summary>
    private static int Verify(string source)
    {
        using var backup = ConfigStore.Open(source, new StoreOptions { CreateIfMissing = false });
        var report = backup.CheckHealth();
        if (!report.IsHealthy)
        {
            throw new StoreCorruptException(source, "the backup failed its health check: " + string.Join(" ", report.Problems));
        }
        if (report.SchemaVersion > ConfigStore.CurrentSchemaVersion)
        {
            throw new SchemaTooNewException(source, report.SchemaVersion, ConfigStore.CurrentSchemaVersion);
        }
        return report.Namespaces;
    }

    private void CreatePrivateFolder(string folder)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "BackupFolderInvalid",
                ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, folder));
        }
    }
}
