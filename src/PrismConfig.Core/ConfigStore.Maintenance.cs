using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PrismConfig.Core.Storage;
using PrismConfig.Core.Validation;
using Factory = PrismConfig.Core.Storage.SqliteConnectionFactory;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    /// <summary>
    /// A consistent online copy (SQLite backup API) to <paramref name="destinationFile"/>, integrity-checked, mode 0600.
    /// The destination must not exist. The copy is a self-contained single file (rollback-journal mode).
    /// </summary>
    public FileInfo BackupTo(string destinationFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationFile);
        ThrowIfDisposed();
        var full = System.IO.Path.GetFullPath(destinationFile);
        if (Directory.Exists(full))
        {
            throw Factory.DirectoryPath(full);
        }
        if (File.Exists(full))
        {
            throw new StorePathException(full, "BackupFileExists",
                $"The backup file '{full}' already exists. Choose a new file name, or remove the old file first; a backup never overwrites a file.");
        }
        Factory.CreateFolder(System.IO.Path.GetDirectoryName(full)!);
        try
        {
            Factory.CreatePrivateFile(full);
        }
        catch (IOException ex) when (File.Exists(full) || Directory.Exists(full))
        {
            // Created by someone else since the check above.
            throw new StorePathException(full, "BackupFileExists",
                $"The backup file '{full}' already exists. Choose a new file name, or remove the old file first; a backup never overwrites a file.", ex);
        }
        catch (IOException ex)
        {
            throw new StorePathException(full, "BackupFileInvalid", $"The backup file '{full}' cannot be created: {ex.Message}", ex);
        }
        return BackupIntoClaimedFile(full);
    }

    /// <summary>
    /// A backup into a new timestamped file in <paramref name="folder"/> (created 0700 if missing), named
    /// config-yyyyMMdd-HHmmss.db from <paramref name="utcNow"/> (default: now, UTC), with -1, -2... added when that
    /// name is taken. The name is claimed atomically (<see cref="Backup.BackupFiles.ClaimNewBackupPath"/>), so
    /// concurrent backups into one folder, from any process, each get their own file. Otherwise as <see cref="BackupTo"/>.
    /// </summary>
    public FileInfo BackupToFolder(string folder, DateTime? utcNow = null) => BackupToFolder(folder, "config", utcNow);

    /// <summary>As <see cref="BackupToFolder(string, DateTime?)"/>, with another name prefix (config-pre-restore, say).</summary>
    public FileInfo BackupToFolder(string folder, string prefix, DateTime? utcNow = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ThrowIfDisposed();
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(folder);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StorePathException(folder, "BackupFolderInvalid", $"'{folder}' is not a valid folder path: {ex.Message}", ex);
        }
        if (File.Exists(full))
        {
            throw new StorePathException(full, "BackupFolderInvalid", $"The backup folder '{full}' is a file, not a folder.");
        }
        Factory.CreateFolder(full);
        return BackupIntoClaimedFile(Backup.BackupFiles.ClaimNewBackupPath(full, utcNow ?? DateTime.UtcNow, prefix));
    }

    /// <summary>Backs up into <paramref name="full"/>, an empty file this call created; deletes it if the backup fails.</summary>
    private FileInfo BackupIntoClaimedFile(string full)
    {
        var succeeded = false;
        try
        {
            // A connection of its own: the backup neither blocks this store's readers nor its writer, and in WAL
            // mode other processes keep writing while the copy is taken from one consistent read snapshot.
            using (var source = Factory.Open(_path, SqliteOpenMode.ReadWrite, _options))
            using (var destination = Factory.Open(full, SqliteOpenMode.ReadWrite, _options))
            {
                source.BackupDatabase(destination);
                Factory.Execute(destination, SqliteDialect.JournalModeDelete);
                var check = Factory.Strings(destination, SqliteDialect.IntegrityCheck);
                if (check.Count != 1 || check[0] != "ok")
                {
                    throw new StoreCorruptException(full, "the backup copy failed its integrity check (" + string.Join("; ", check.Take(5)) + "); it was deleted.");
                }
            }
            Factory.RestrictToOwner(full);
            succeeded = true;
            return new FileInfo(full);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex);
        }
        catch (IOException ex)
        {
            throw new StoreErrorException(full, $"the backup could not be written ({ex.Message}); the incomplete file was deleted.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorePermissionException(full, "the backup file cannot be written by this user; the incomplete file was deleted.", ex);
        }
        finally
        {
            if (!succeeded)
            {
                foreach (var file in new[] { full, full + "-journal", full + "-wal", full + "-shm" })
                {
                    TryDelete(file);
                }
            }
        }
    }

    /// <summary>
    /// Replaces the store's whole content with a verified backup, atomically: the backup is checked (header, schema
    /// version, tables, integrity) before anything is touched, then copied into the live database with the SQLite
    /// backup API in a single write transaction, so readers see either the old or the new content.
    /// </summary>
    public void RestoreFrom(string backupFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupFile);
        ThrowIfDisposed();
        var full = System.IO.Path.GetFullPath(backupFile);
        if (Directory.Exists(full))
        {
            throw Factory.DirectoryPath(full);
        }
        if (!File.Exists(full))
        {
            throw new StorePathException(full, "BackupNotFound", $"The backup file '{full}' does not exist.");
        }
        var header = Factory.ReadHeader(full);
        if (header.UserVersion > CurrentSchemaVersion)
        {
            throw new SchemaTooNewException(full, header.UserVersion, CurrentSchemaVersion);
        }
        try
        {
            // Opened so that nothing is written or left beside the backup: a -wal/-shm left there would be orphaned
            // when retention later deletes the backup.
            using var source = new SqliteConnection(Factory.ReadOnlyUntouchedConnectionString(full, _options.BusyTimeout));
            source.Open();
            var version = (int)Factory.ScalarInt64(source, SqliteDialect.GetUserVersion);
            if (version > CurrentSchemaVersion)
            {
                throw new SchemaTooNewException(full, version, CurrentSchemaVersion);
            }
            var tables = Factory.Strings(source, SqliteDialect.ListTables);
            if (version < 1 || !Factory.IsOurSchema(tables))
            {
                throw new StoreCorruptException(full, "it is not a PrismConfig backup (no PrismConfig schema).");
            }
            var check = Factory.Strings(source, SqliteDialect.IntegrityCheck);
            if (check.Count != 1 || check[0] != "ok")
            {
                throw new StoreCorruptException(full, "the backup failed its integrity check (" + string.Join("; ", check.Take(5)) + ").");
            }

            lock (_writeLock)
            {
                ThrowIfDisposed();
                // The write connection must not be inside a transaction; it never is outside InWriteTransaction.
                PrepareFirstWrite();
                source.BackupDatabase(_write);
                if (version < CurrentSchemaVersion)
                {
                    version = Migrate(_write, _path, _options.BusyTimeout);
                }
                // A backup taken before the tag index existed gets it here, as a store opened by this build would.
                _hasTagIndex = EnsureTagIndex(_write, _path, _options.BusyTimeout);
                _schemaVersion = version;
            }
        }
        catch (SqliteException ex)
        {
            throw Factory.Translate(ex, _path, _options.BusyTimeout);
        }
        finally
        {
            InvalidateCache();
        }
    }

    /// <summary>integrity_check, foreign_key_check, schema version, validation of every row, version/history agreement.</summary>
    public HealthReport CheckHealth() => OnRead(() =>
    {
        var problems = new List<string>();
        var integrity = Factory.Strings(_read, SqliteDialect.IntegrityCheck);
        if (integrity.Count != 1 || integrity[0] != "ok")
        {
            problems.AddRange(integrity.Select(line => "integrity_check: " + line));
        }

        using (var command = _read.CreateCommand())
        {
            command.CommandText = SqliteDialect.ForeignKeyCheck;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                problems.Add(string.Format(CultureInfo.InvariantCulture,
                    "foreign_key_check: row {0} of table {1} refers to a missing row of table {2}.",
                    reader.IsDBNull(1) ? "?" : reader.GetValue(1), reader.GetValue(0), reader.GetValue(2)));
            }
        }

        var schemaVersion = (int)Factory.ScalarInt64(_read, SqliteDialect.GetUserVersion);
        if (schemaVersion != CurrentSchemaVersion)
        {
            problems.Add($"schema: the database has schema version {schemaVersion}; this PrismConfig uses {CurrentSchemaVersion}.");
        }

        var current = new Dictionary<string, NamespaceConfig>(StringComparer.Ordinal);
        foreach (var row in _read.Query<NamespaceRow>(SqliteDialect.SelectAllNamespaces))
        {
            NamespaceConfig ns;
            try
            {
                ns = row.ToConfig();
            }
            catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
            {
                problems.Add($"namespace '{row.Name}': its stored data cannot be read ({ex.Message}).");
                continue;
            }
            current[ns.Name] = ns;
            try
            {
                NamespaceValidator.Validate(ns);
            }
            catch (ValidationException ex)
            {
                problems.Add($"namespace '{row.Name}': field '{ex.Field}': {ex.Message}");
            }
        }

        foreach (var row in _read.Query<AgreementRow>(SqliteDialect.HistoryAgreement))
        {
            if (row.HistoryCount != row.Version)
            {
                problems.Add($"namespace '{row.Name}': field 'version' is {row.Version}, but it has {row.HistoryCount} history entries.");
            }
            if (row.MaxHistoryVersion != row.Version)
            {
                problems.Add($"namespace '{row.Name}': field 'version' is {row.Version}, but its newest history entry is version {(row.MaxHistoryVersion?.ToString(CultureInfo.InvariantCulture) ?? "none")}.");
            }
            if (row.LatestSnapshot is null)
            {
                problems.Add($"namespace '{row.Name}': it has no history snapshot.");
                continue;
            }
            if (!current.TryGetValue(row.Name, out var ns))
            {
                continue;
            }
            NamespaceConfig latest;
            try
            {
                latest = Snapshot.Parse(row.LatestSnapshot);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
            {
                problems.Add($"namespace '{row.Name}': its latest history snapshot cannot be read ({ex.Message}).");
                continue;
            }
            if (Snapshot.Serialize(NamespaceNormalizer.Canonicalize(latest)) != Snapshot.Serialize(ns))
            {
                var fields = ConfigDiff.Compute(latest, ns).Select(c => c.Property).ToList();
                foreach (var (field, a, b) in new (string, object, object)[]
                {
                    ("Version", latest.Version, ns.Version), ("UpdatedAt", latest.UpdatedAt, ns.UpdatedAt), ("CreatedAt", latest.CreatedAt, ns.CreatedAt),
                    ("CreatedBy", latest.CreatedBy ?? "", ns.CreatedBy ?? ""), ("UpdatedBy", latest.UpdatedBy ?? "", ns.UpdatedBy ?? ""),
                })
                {
                    if (!Equals(a, b)) fields.Add(field);
                }
                problems.Add($"namespace '{row.Name}': the stored row differs from its latest history snapshot in {string.Join(", ", fields)}.");
            }
        }

        return new HealthReport
        {
            Path = _path,
            SchemaVersion = schemaVersion,
            Namespaces = (int)Factory.ScalarInt64(_read, SqliteDialect.CountNamespaces),
            HistoryEntries = (int)Factory.ScalarInt64(_read, SqliteDialect.CountHistory),
            Problems = [.. problems],
        };
    });

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Best effort cleanup.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort cleanup.
        }
    }
}
