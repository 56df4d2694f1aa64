using Dapper;
using Microsoft.Data.Sqlite;
using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>Whole-store copies between a SQLite file and a <see cref="StoreDump"/>: how other engines back up and restore.</summary>
internal sealed partial class SqliteEngine
{
    internal const string InsertDumpNamespace = """
        INSERT INTO namespaces (id, name, description, backend, pattern, status, consistency, cache_ttl_seconds, rate_limit_rps, backend_config,
                                tags, version, created_at, updated_at, created_by, updated_by, pattern_version, behavior, slots)
        VALUES ($id, $name, $description, $backend, $pattern, $status, $consistency, $cache_ttl_seconds, $rate_limit_rps, $backend_config,
                $tags, $version, $created_at, $updated_at, $created_by, $updated_by, $pattern_version, $behavior, $slots)
        """;

    internal const string InsertDumpHistory = """
        INSERT INTO namespace_history (id, namespace_id, operation, changed_at, changed_by, old_config, new_config, version, reason, revision)
        VALUES ($id, $namespace_id, $operation, $changed_at, $changed_by, $old_config, $new_config, $version, $reason, $revision)
        """;

    /// <summary>
    /// Reads a verified backup file as a dump at the current schema. An older backup is migrated in a private
    /// temporary copy, so the file itself is never changed.
    /// </summary>
    public static StoreDump ReadDumpFromBackup(string backupFile, StoreOptions options)
    {
        var full = System.IO.Path.GetFullPath(backupFile);
        int version;
        try
        {
            using var source = OpenBackupUntouched(full, options.BusyTimeout);
            version = CheckBackup(source, full);
            if (version == CurrentSchemaVersion)
            {
                return ReadDump(source);
            }
        }
        catch (SqliteException ex)
        {
            throw Factory.Translate(ex, full, options.BusyTimeout);
        }
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "prismconfig-" + Guid.NewGuid().ToString("N"));
        try
        {
            PrivateFiles.CreateFolder(folder);
            var copy = System.IO.Path.Combine(folder, "backup.db");
            File.Copy(full, copy);
            PrivateFiles.RestrictToOwner(copy);
            using var engine = Open(copy, new StoreOptions { BusyTimeout = options.BusyTimeout });
            return engine.OnRead(() => ReadDump(engine._read));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreErrorException(full, $"the backup has an older schema, and a private copy of it to bring up to date cannot be written in '{folder}' ({ex.Message}). "
                + "Free space in the temporary folder, or point TMPDIR at another one.", ex);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is private (0700) and the system cleans it.
            }
        }
    }

    /// <summary>The whole store from one read transaction: WAL gives it one snapshot while writers go on.</summary>
    public StoreDump ReadDump() => OnRead(() => ReadDump(_read));

    private static StoreDump ReadDump(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction(deferred: true);
        return DumpReader.ReadDump(connection, tx, ReadState(connection, tx));
    }

    /// <summary>The changes after <paramref name="afterRevision"/>, from one read transaction.</summary>
    public ChangeSet ReadChanges(long afterRevision, long knownRegistryHistory) => OnRead(() =>
    {
        using var tx = _read.BeginTransaction(deferred: true);
        return DumpReader.ReadChanges(_read, tx, ReadState(_read, tx), afterRevision, knownRegistryHistory);
    });


    /// <summary>
    /// Writes a dump as a new PrismConfig SQLite file at <paramref name="full"/>, a path this call claimed (an empty
    /// file it created): built in a private temporary file beside it, integrity-checked, then moved over the claim.
    /// </summary>
    public static FileInfo WriteDumpToClaimedFile(StoreDump dump, string full, StoreOptions options)
    {
        var folder = System.IO.Path.GetDirectoryName(full)!;
        var temp = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(full) + ".writing-" + Guid.NewGuid().ToString("N"));
        try
        {
            PrivateFiles.CreatePrivateFile(temp);
            using (var connection = Factory.Open(temp, SqliteOpenMode.ReadWrite, options))
            {
                Migrate(connection, temp, options);
                Factory.BeginImmediate(connection, temp, options.BusyTimeout);
                InsertDump(connection, dump);
                Factory.Commit(connection, temp, options.BusyTimeout);
                var check = Factory.Strings(connection, SqliteDialect.IntegrityCheck);
                if (check.Count != 1 || check[0] != "ok")
                {
                    throw new StoreCorruptException(full, "the backup copy failed its integrity check (" + string.Join("; ", check.Take(5)) + "); it was deleted.");
                }
            }
            PrivateFiles.RestrictToOwner(temp);
            File.Move(temp, full, overwrite: true);
            return new FileInfo(full);
        }
        catch (SqliteException ex)
        {
            throw Factory.Translate(ex, full, options.BusyTimeout);
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
            foreach (var leftover in SideFiles.WithSideFiles(temp))
            {
                SideFiles.TryDelete(leftover);
            }
        }
    }

    internal static void InsertDump(SqliteConnection connection, StoreDump dump)
    {
        WriteNamespaces(connection, InsertDumpNamespace, dump.Namespaces);
        InsertFeatures(connection, dump.Features);
        InsertHistory(connection, dump.History);
        InsertRegistry(connection, dump);
        using var state = connection.CreateCommand();
        state.CommandText = "UPDATE store_state SET revision = $revision WHERE id = 1";
        state.Parameters.AddWithValue("$revision", dump.Revision);
        state.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="sql"/> (an INSERT or UPDATE naming every namespace column, id included) once per row.</summary>
    internal static void WriteNamespaces(SqliteConnection connection, string sql, IEnumerable<NamespaceRow> rows)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        string[] names = ["$id", "$name", "$description", "$backend", "$pattern", "$status", "$consistency", "$cache_ttl_seconds", "$rate_limit_rps",
            "$backend_config", "$tags", "$version", "$created_at", "$updated_at", "$created_by", "$updated_by", "$pattern_version", "$behavior", "$slots"];
        foreach (var name in names) command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        command.Prepare();
        foreach (var n in rows)
        {
            object?[] values = [n.Id, n.Name, n.Description, n.Backend, n.Pattern, n.Status, n.Consistency, n.CacheTtlSeconds, n.RateLimitRps,
                n.BackendConfig, n.Tags, n.Version, n.CreatedAt, n.UpdatedAt, n.CreatedBy, n.UpdatedBy, n.PatternVersion, n.Behavior, n.Slots];
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
            command.ExecuteNonQuery();
        }
    }

    internal static void InsertFeatures(SqliteConnection connection, IEnumerable<FeatureRow> rows)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO namespace_features (namespace_id, feature_name, enabled, updated_at) VALUES ($n, $f, $e, $u)";
        foreach (var name in new[] { "$n", "$f", "$e", "$u" }) insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        insert.Prepare();
        foreach (var f in rows)
        {
            insert.Parameters[0].Value = f.NamespaceId;
            insert.Parameters[1].Value = f.Name;
            insert.Parameters[2].Value = f.Enabled ? 1 : 0;
            insert.Parameters[3].Value = f.UpdatedAt;
            insert.ExecuteNonQuery();
        }
    }

    internal static void InsertHistory(SqliteConnection connection, IEnumerable<HistoryDumpRow> rows)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = InsertDumpHistory;
        foreach (var name in new[] { "$id", "$namespace_id", "$operation", "$changed_at", "$changed_by", "$old_config", "$new_config", "$version", "$reason", "$revision" })
        {
            insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        }
        insert.Prepare();
        foreach (var h in rows)
        {
            object?[] values = [h.Id, h.NamespaceId, h.Operation, h.ChangedAt, h.ChangedBy, h.OldConfig, h.NewConfig, h.Version, h.Reason, h.Revision];
            for (var i = 0; i < values.Length; i++) insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
    }

    internal static void InsertRegistry(SqliteConnection connection, StoreDump dump)
    {
        connection.Execute(SqlQueries.InsertDumpRegistry, dump.Registry);
        connection.Execute(SqlQueries.InsertDumpRegistryHistory, dump.RegistryHistory);
    }
}
