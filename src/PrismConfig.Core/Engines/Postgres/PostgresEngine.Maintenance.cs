using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using PrismConfig.Core.Engines.Sqlite;

namespace PrismConfig.Core.Engines.Postgres;

/// <summary>Backups, restores and health: a PostgreSQL store's backup is a PrismConfig SQLite file, so it moves between engines.</summary>
internal sealed partial class PostgresEngine
{
    public FileInfo BackupTo(string destinationFile)
    {
        ThrowIfDisposed();
        var full = Path.GetFullPath(destinationFile);
        if (Directory.Exists(full))
        {
            throw new StorePathException(full, "StorePathIsDirectory", $"'{full}' is a folder. Give the path of a backup file to create.");
        }
        if (File.Exists(full))
        {
            throw new StorePathException(full, "BackupFileExists",
                $"The backup file '{full}' already exists. Choose a new file name, or remove the old file first; a backup never overwrites a file.");
        }
        PrivateFiles.CreateFolder(Path.GetDirectoryName(full)!);
        try
        {
            PrivateFiles.CreatePrivateFile(full);
        }
        catch (IOException ex) when (File.Exists(full))
        {
            throw new StorePathException(full, "BackupFileExists", $"The backup file '{full}' already exists. Choose a new file name; a backup never overwrites a file.", ex);
        }
        return BackupIntoClaimedFile(full);
    }

    public FileInfo BackupToFolder(string folder, string prefix, DateTime utcNow)
    {
        ThrowIfDisposed();
        PrivateFiles.CreateFolder(folder);
        return BackupIntoClaimedFile(Backup.BackupFiles.ClaimNewBackupPath(folder, utcNow, prefix));
    }

    private FileInfo BackupIntoClaimedFile(string full)
    {
        var succeeded = false;
        try
        {
            var file = SqliteEngine.WriteDumpToClaimedFile(ReadDump(), full, _options);
            succeeded = true;
            return file;
        }
        finally
        {
            if (!succeeded) SideFiles.TryDelete(full);
        }
    }

    /// <summary>The whole store from one REPEATABLE READ snapshot: writers go on meanwhile, and the copy is of one moment.</summary>
    public StoreDump ReadDump() => OnRead(connection =>
    {
        using var tx = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        var dump = DumpReader.ReadDump(connection, tx, ReadState(connection, tx));
        tx.Commit();
        return dump;
    });

    /// <summary>
    /// The changes after <paramref name="afterRevision"/> from one REPEATABLE READ snapshot. Revision order is commit
    /// order (the counter row serialises writers), so every revision up to the snapshot's is in it.
    /// </summary>
    public ChangeSet ReadChanges(long afterRevision, long knownRegistryHistory) => OnRead(connection =>
    {
        using var tx = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        var changes = DumpReader.ReadChanges(connection, tx, ReadState(connection, tx), afterRevision, knownRegistryHistory);
        tx.Commit();
        return changes;
    });


    /// <summary>
    /// Replaces the whole store with a verified PrismConfig SQLite backup, keeping the audit trail, in one transaction
    /// under the write lock: the live rows are read, the backup's copied in, and the store's merge written, so
    /// readers see the old content until it commits, then the new, never the copy without its merge. The store gets
    /// a new epoch.
    /// </summary>
    public void RestoreFrom(string backupFile, Action<IWriteScope, PreRestoreState?> merge)
    {
        ThrowIfDisposed();
        var dump = SqliteEngine.ReadDumpFromBackup(backupFile, _options);
        using var scope = (PostgresWriteScope)BeginWrite();
        var before = new PreRestoreState(scope.ReadEveryNamespace(), scope.ReadEveryHistory());
        scope.ReplaceWith(dump);
        merge(scope, before);
        scope.Commit();
    }

    public HealthData ReadHealthData() => OnRead(connection =>
    {
        using var tx = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        var data = new HealthData
        {
            SchemaVersion = connection.ExecuteScalar<int>(PostgresDialect.SchemaVersion, transaction: tx),
            HistoryEntries = (int)connection.ExecuteScalar<long>(PostgresDialect.CountHistory, transaction: tx),
            Namespaces = connection.Query<NamespaceRow>(PostgresDialect.SelectAllNamespaces, transaction: tx).AsList(),
            Agreement = connection.Query<AgreementRow>(PostgresDialect.HistoryAgreement, transaction: tx).AsList(),
            Revisions = connection.QuerySingle<RevisionSummary>(PostgresDialect.RevisionSummary, transaction: tx),
            Registry = connection.Query<RegistryRow>(SqlQueries.SelectRegistry, transaction: tx).AsList(),
        };
        var counts = connection.Query<SideTableCount>(PostgresDialect.SideTableCounts, transaction: tx).ToDictionary(c => c.NamespaceId);
        foreach (var row in data.Namespaces.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var count = counts.GetValueOrDefault(row.Id) ?? new SideTableCount();
            if (count.SlotRows != SlotCount(row.Slots) || count.TagRows != DistinctTagCount(row.Tags))
            {
                data.StorageProblems.Add($"namespace '{row.Name}': its namespace_tags or namespace_slots rows do not match its tags or slots column (written around PrismConfig?); Set-PrismNamespace rewrites them.");
            }
        }
        tx.Commit();
        return data;
    });

    private sealed class SideTableCount
    {
        public long NamespaceId { get; set; }
        public long SlotRows { get; set; }
        public long TagRows { get; set; }
    }

    /// <summary>The slot rows the trigger writes for a slots column: one per list element; none when it is not a JSON list.</summary>
    private static long SlotCount(string? slots)
    {
        using var document = TryParse(slots);
        return document?.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.GetArrayLength() : 0;
    }

    /// <summary>The tag rows the trigger writes for a tags column: one per distinct string; none when it is not a JSON list.</summary>
    private static long DistinctTagCount(string? tags)
    {
        using var document = TryParse(tags);
        if (document?.RootElement.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }
        return document.RootElement.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.String)
            .Select(e => e.GetString())
            .Distinct(StringComparer.Ordinal)
            .LongCount();
    }

    private static JsonDocument? TryParse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            // Not JSON: the row check reports the column itself, and no side row can follow from it.
            return null;
        }
    }

    /// <summary>Writes a dump's rows over an emptied store with COPY, inside an open write scope.</summary>
    internal static void CopyIn(NpgsqlConnection connection, StoreDump dump)
    {
        CopyNamespaces(connection, dump.Namespaces);
        CopyFeatures(connection, dump.Features);
        CopyHistory(connection, dump.History);
        // The registry is a few dozen rows: plain inserts.
        connection.Execute(SqlQueries.InsertDumpRegistry, dump.Registry);
        connection.Execute(SqlQueries.InsertDumpRegistryHistory, dump.RegistryHistory);
    }

    /// <summary>Namespace rows, ids included, by binary COPY: one round trip for any number of rows.</summary>
    internal static void CopyNamespaces(NpgsqlConnection connection, IReadOnlyList<NamespaceRow> rows)
    {
        using (var copy = connection.BeginBinaryImport(PostgresDialect.CopyNamespaces))
        {
            foreach (var n in rows)
            {
                copy.StartRow();
                copy.Write(n.Id, NpgsqlDbType.Bigint);
                WriteText(copy, n.Name);
                WriteText(copy, n.Description);
                WriteText(copy, n.Backend);
                WriteText(copy, n.Pattern);
                WriteText(copy, n.Status);
                WriteText(copy, n.Consistency);
                WriteNumber(copy, n.CacheTtlSeconds);
                WriteNumber(copy, n.RateLimitRps);
                WriteText(copy, n.BackendConfig);
                WriteText(copy, n.Tags);
                copy.Write(n.Version, NpgsqlDbType.Bigint);
                copy.Write(n.CreatedAt, NpgsqlDbType.Bigint);
                copy.Write(n.UpdatedAt, NpgsqlDbType.Bigint);
                WriteText(copy, n.CreatedBy);
                WriteText(copy, n.UpdatedBy);
                WriteText(copy, n.PatternVersion);
                WriteText(copy, n.Behavior);
                WriteText(copy, n.Slots);
            }
            copy.Complete();
        }
    }

    internal static void CopyFeatures(NpgsqlConnection connection, IReadOnlyList<FeatureRow> rows)
    {
        using (var copy = connection.BeginBinaryImport(PostgresDialect.CopyFeatures))
        {
            foreach (var f in rows)
            {
                copy.StartRow();
                copy.Write(f.NamespaceId, NpgsqlDbType.Bigint);
                copy.Write(f.Name, NpgsqlDbType.Text);
                copy.Write(f.Enabled, NpgsqlDbType.Boolean);
                copy.Write(f.UpdatedAt, NpgsqlDbType.Bigint);
            }
            copy.Complete();
        }
    }

    private static void CopyHistory(NpgsqlConnection connection, IReadOnlyList<HistoryDumpRow> rows) =>
        CopyHistory(connection, PostgresDialect.CopyHistory, rows, withIds: true);

    /// <summary>New history rows of one write, all at its revision; the identity numbers them in list order.</summary>
    internal static void CopyNewHistory(NpgsqlConnection connection, IReadOnlyList<HistoryWrite> rows, long revision) =>
        CopyHistory(connection, PostgresDialect.CopyNewHistory,
            rows.Select(h => new HistoryDumpRow(0, h.NamespaceId, h.Operation, h.ChangedAt, h.ChangedBy, h.OldConfig, h.NewConfig, h.Version, h.Reason, revision)),
            withIds: false);

    private static void CopyHistory(NpgsqlConnection connection, string copySql, IEnumerable<HistoryDumpRow> rows, bool withIds)
    {
        using (var copy = connection.BeginBinaryImport(copySql))
        {
            foreach (var h in rows)
            {
                copy.StartRow();
                if (withIds) copy.Write(h.Id, NpgsqlDbType.Bigint);
                copy.Write(h.NamespaceId, NpgsqlDbType.Bigint);
                WriteText(copy, h.Operation);
                copy.Write(h.ChangedAt, NpgsqlDbType.Bigint);
                WriteText(copy, h.ChangedBy);
                WriteText(copy, h.OldConfig);
                WriteText(copy, h.NewConfig);
                WriteNumber(copy, h.Version);
                WriteText(copy, h.Reason);
                WriteNumber(copy, h.Revision);
            }
            copy.Complete();
        }
    }

    private static void WriteText(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, NpgsqlDbType.Text);
    }

    private static void WriteNumber(NpgsqlBinaryImporter copy, long? value)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value.Value, NpgsqlDbType.Bigint);
    }
}
