using Dapper;
using Microsoft.Data.Sqlite;
using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>Whole-store copies between a SQLite file and a <see cref="StoreDump"/>: how other engines back up and restore.</summary>
internal sealed partial class SqliteEngine
{
    private const string DumpNamespaces = """
        SELECT id, name, description, backend, pattern, status, consistency, cache_ttl_seconds, rate_limit_rps, backend_config,
               tags, version, created_at, updated_at, created_by, updated_by, NULL, pattern_version, behavior, slots
          FROM namespaces ORDER BY id
        """;

    private const string InsertDumpNamespace = """
        INSERT INTO namespaces (id, name, description, backend, pattern, status, consistency, cache_ttl_seconds, rate_limit_rps, backend_config,
                                tags, version, created_at, updated_at, created_by, updated_by, pattern_version, behavior, slots)
        VALUES ($id, $name, $description, $backend, $pattern, $status, $consistency, $cache_ttl_seconds, $rate_limit_rps, $backend_config,
                $tags, $version, $created_at, $updated_at, $created_by, $updated_by, $pattern_version, $behavior, $slots)
        """;

    private const string InsertDumpHistory = """
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
        PrivateFiles.CreateFolder(folder);
        try
        {
            var copy = System.IO.Path.Combine(folder, "backup.db");
            File.Copy(full, copy);
            PrivateFiles.RestrictToOwner(copy);
            using var engine = Open(copy, new StoreOptions { BusyTimeout = options.BusyTimeout });
            return engine.OnRead(() => ReadDump(engine._read));
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

    private static StoreDump ReadDump(SqliteConnection connection)
    {
        var dump = new StoreDump { Revision = ReadState(connection).Revision };
        using (var command = connection.CreateCommand())
        {
            command.CommandText = DumpNamespaces;
            using var r = command.ExecuteReader();
            while (r.Read()) dump.Namespaces.Add(RowReader.Namespace(r));
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT namespace_id, feature_name, enabled, updated_at FROM namespace_features ORDER BY namespace_id, feature_name";
            using var r = command.ExecuteReader();
            while (r.Read()) dump.Features.Add(new FeatureRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2) != 0, r.GetInt64(3)));
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, namespace_id, operation, changed_at, changed_by, old_config, new_config, version, reason, revision FROM namespace_history ORDER BY id";
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                dump.History.Add(new HistoryDumpRow(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), Text(r, 4), Text(r, 5), Text(r, 6),
                    r.IsDBNull(7) ? null : r.GetInt64(7), Text(r, 8), r.IsDBNull(9) ? null : r.GetInt64(9)));
            }
        }
        dump.Registry.AddRange(connection.Query<RegistryRow>(SqlQueries.SelectRegistry));
        dump.RegistryHistory.AddRange(connection.Query<RegistryHistoryDumpRow>(SqlQueries.DumpRegistryHistory));
        return dump;
    }

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

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

    private static void InsertDump(SqliteConnection connection, StoreDump dump)
    {
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = InsertDumpNamespace;
            string[] names = ["$id", "$name", "$description", "$backend", "$pattern", "$status", "$consistency", "$cache_ttl_seconds", "$rate_limit_rps",
                "$backend_config", "$tags", "$version", "$created_at", "$updated_at", "$created_by", "$updated_by", "$pattern_version", "$behavior", "$slots"];
            foreach (var name in names) insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            insert.Prepare();
            foreach (var n in dump.Namespaces)
            {
                object?[] values = [n.Id, n.Name, n.Description, n.Backend, n.Pattern, n.Status, n.Consistency, n.CacheTtlSeconds, n.RateLimitRps,
                    n.BackendConfig, n.Tags, n.Version, n.CreatedAt, n.UpdatedAt, n.CreatedBy, n.UpdatedBy, n.PatternVersion, n.Behavior, n.Slots];
                for (var i = 0; i < values.Length; i++) insert.Parameters[i].Value = values[i] ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO namespace_features (namespace_id, feature_name, enabled, updated_at) VALUES ($n, $f, $e, $u)";
            foreach (var name in new[] { "$n", "$f", "$e", "$u" }) insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            insert.Prepare();
            foreach (var f in dump.Features)
            {
                insert.Parameters[0].Value = f.NamespaceId;
                insert.Parameters[1].Value = f.Name;
                insert.Parameters[2].Value = f.Enabled ? 1 : 0;
                insert.Parameters[3].Value = f.UpdatedAt;
                insert.ExecuteNonQuery();
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = InsertDumpHistory;
            foreach (var name in new[] { "$id", "$namespace_id", "$operation", "$changed_at", "$changed_by", "$old_config", "$new_config", "$version", "$reason", "$revision" })
            {
                insert.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }
            insert.Prepare();
            foreach (var h in dump.History)
            {
                object?[] values = [h.Id, h.NamespaceId, h.Operation, h.ChangedAt, h.ChangedBy, h.OldConfig, h.NewConfig, h.Version, h.Reason, h.Revision];
                for (var i = 0; i < values.Length; i++) insert.Parameters[i].Value = values[i] ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }
        connection.Execute(SqlQueries.InsertDumpRegistry, dump.Registry);
        connection.Execute(SqlQueries.InsertDumpRegistryHistory, dump.RegistryHistory);
        using var state = connection.CreateCommand();
        state.CommandText = "UPDATE store_state SET revision = $revision WHERE id = 1";
        state.Parameters.AddWithValue("$revision", dump.Revision);
        state.ExecuteNonQuery();
    }
}
