using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

internal sealed partial class SqliteEngine
{
    public FileInfo BackupTo(string destinationFile)
    {
        ThrowIfDisposed();
        var full = System.IO.Path.GetFullPath(destinationFile);
        if (Directory.Exists(full))
        {
            throw Factory.DirectoryPath(full);
        }
        if (File.Exists(full))
        {
            throw BackupExists(full, null);
        }
        PrivateFiles.CreateFolder(System.IO.Path.GetDirectoryName(full)!);
        try
        {
            PrivateFiles.CreatePrivateFile(full);
        }
        catch (IOException ex) when (File.Exists(full) || Directory.Exists(full))
        {
            // Created by someone else since the check above.
            throw BackupExists(full, ex);
        }
        catch (IOException ex)
        {
            throw new StorePathException(full, "BackupFileInvalid", $"The backup file '{full}' cannot be created: {ex.Message}", ex);
        }
        return BackupIntoClaimedFile(full);
    }

    private static StorePathException BackupExists(string full, Exception? inner) => new(full, "BackupFileExists",
        $"The backup file '{full}' already exists. Choose a new file name, or remove the old file first; a backup never overwrites a file.", inner);

    public FileInfo BackupToFolder(string folder, string prefix, DateTime utcNow)
    {
        ThrowIfDisposed();
        PrivateFiles.CreateFolder(folder);
        return BackupIntoClaimedFile(Backup.BackupFiles.ClaimNewBackupPath(folder, utcNow, prefix));
    }

    /// <summary>Backs up into <paramref name="full"/>, an empty file this call created; deletes it if the backup fails.</summary>
    private FileInfo BackupIntoClaimedFile(string full)
    {
        var succeeded = false;
        try
        {
            // A connection of its own: the backup blocks neither this store's readers nor its writer, and in WAL
            // mode other processes keep writing while the copy is taken from one consistent read snapshot.
            using (var source = Factory.Open(_path, SqliteOpenMode.ReadWrite, _options))
            using (var destination = Factory.Open(full, SqliteOpenMode.ReadWrite, _options))
            {
                source.BackupDatabase(destination);
                Factory.Execute(destination, SqliteDialect.JournalModeDelete);
                var check = Factory.Strings(destination, SqliteDialect.IntegrityCheck);
                if (check.Count != 1 || check[0] != "ok")
                {
                    // The backup API copies pages as they are: a copy that fails the check is a damaged store.
                    throw new StoreCorruptException(_path, "a backup copy of it failed its integrity check ("
                        + string.Join("; ", check.Take(5)) + "), so its pages are damaged; the copy was deleted.");
                }
            }
            PrivateFiles.RestrictToOwner(full);
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
                foreach (var file in SideFiles.WithSideFiles(full))
                {
                    SideFiles.TryDelete(file);
                }
            }
        }
    }

    /// <summary>
    /// Replaces the store's whole content with a verified backup in one write transaction. The backup is checked and
    /// read (an older one migrated in a private copy) before the lock is taken; then the live rows are read for the
    /// merge, the backup's rows written over them with a new epoch, and the merge written, all committed at once. A
    /// reader, another writer or a crash sees the old store or the restored one with its audit rows, never the copy
    /// alone, and nobody can commit between the read of the live rows and the restore.
    /// </summary>
    public void RestoreFrom(string backupFile, Action<IWriteScope, PreRestoreState?> merge)
    {
        ThrowIfDisposed();
        var dump = ReadDumpFromBackup(backupFile, _options);
        using var scope = BeginWrite(waiting: null, replicaSync: false);
        var before = new PreRestoreState(scope.ReadEveryNamespace(), scope.ReadEveryHistory());
        scope.ReplaceWith(dump);
        merge(scope, before);
        scope.Commit();
    }

    /// <summary>
    /// Opens a backup file read-only so that nothing is written or left beside it (a -wal/-shm left there would be
    /// orphaned when retention later deletes the backup). Refuses a missing file, a folder and a too-new schema.
    /// </summary>
    internal static SqliteConnection OpenBackupUntouched(string full, TimeSpan busyTimeout)
    {
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
        var source = new SqliteConnection(Factory.ReadOnlyUntouchedConnectionString(full, busyTimeout));
        try
        {
            source.Open();
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Checks a backup's schema and integrity; returns its schema version.</summary>
    internal static int CheckBackup(SqliteConnection source, string full)
    {
        var version = (int)Factory.ScalarInt64(source, SqliteDialect.GetUserVersion);
        if (version > CurrentSchemaVersion)
        {
            throw new SchemaTooNewException(full, version, CurrentSchemaVersion);
        }
        var tables = Factory.Strings(source, SqliteDialect.ListTables);
        if (version < 1 || !Factory.IsOurSchema(tables, version))
        {
            throw new StoreCorruptException(full, "it is not a PrismConfig backup (no PrismConfig schema).");
        }
        var check = Factory.Strings(source, SqliteDialect.IntegrityCheck);
        if (check.Count != 1 || check[0] != "ok")
        {
            throw new StoreCorruptException(full, "the backup failed its integrity check (" + string.Join("; ", check.Take(5)) + ").");
        }
        return version;
    }

    /// <summary>The health data of a backup file, read without changing it or leaving anything beside it.</summary>
    internal static HealthData ReadBackupHealthData(string backupFile, TimeSpan busyTimeout)
    {
        var full = System.IO.Path.GetFullPath(backupFile);
        try
        {
            using var source = OpenBackupUntouched(full, busyTimeout);
            CheckBackup(source, full);
            return ReadHealthData(source);
        }
        catch (SqliteException ex)
        {
            throw Factory.Translate(ex, full, busyTimeout);
        }
    }

    public HealthData ReadHealthData() => OnRead(() => ReadHealthData(_read));

    private static HealthData ReadHealthData(SqliteConnection connection)
    {
        var problems = new List<string>();
        var integrity = Factory.Strings(connection, SqliteDialect.IntegrityCheck);
        if (integrity.Count != 1 || integrity[0] != "ok")
        {
            problems.AddRange(integrity.Select(line => "integrity_check: " + line));
        }
        using (var command = connection.CreateCommand())
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
        var schemaVersion = (int)Factory.ScalarInt64(connection, SqliteDialect.GetUserVersion);
        var data = new HealthData
        {
            SchemaVersion = schemaVersion,
            HistoryEntries = (int)Factory.ScalarInt64(connection, SqliteDialect.CountHistory),
            Namespaces = connection.Query<NamespaceRow>(schemaVersion >= 2 ? SqliteDialect.SelectAllNamespaces : SqliteDialect.SelectAllNamespacesSchema1).AsList(),
            Agreement = connection.Query<AgreementRow>(SqliteDialect.HistoryAgreement).AsList(),
            Revisions = schemaVersion >= 3 ? connection.QuerySingle<RevisionSummary>(SqliteDialect.RevisionSummary) : null,
            Registry = ReadRegistry(connection, schemaVersion),
        };
        if (schemaVersion >= 2)
        {
            foreach (var name in Factory.Strings(connection, SqliteDialect.SlotRowDisagreement))
            {
                problems.Add($"namespace '{name}': its namespace_slots rows do not match its slots column (written around PrismConfig?); Set-PrismNamespace -Slots rewrites them.");
            }
        }
        data.StorageProblems.AddRange(problems);
        return data;
    }
}
