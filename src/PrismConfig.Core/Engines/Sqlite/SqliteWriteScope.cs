using System.Collections;
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using PrismConfig.Core.Validation;
using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>One BEGIN IMMEDIATE transaction on the engine's write connection, under the engine's write lock.</summary>
internal sealed partial class SqliteWriteScope : IWriteScope, IReplicaScope
{
    private readonly SqliteEngine _engine;
    private readonly SqliteConnection _connection;
    private readonly Statements _s;
    private Action? _release;
    private bool _committed;
    private long? _revision;

    public SqliteWriteScope(SqliteEngine engine, SqliteConnection connection, Statements statements, TimeSpan lockWait, Action release)
    {
        _engine = engine;
        _connection = connection;
        _s = statements;
        LockWait = lockWait;
        _release = release;
    }

    public TimeSpan LockWait { get; }

    public NamespaceRow? ReadNamespace(string name) => Run(() => SqliteEngine.ReadByName(_s.SelectByName, name));

    public Dictionary<string, NamespaceKey> ReadKeys() => Run(() => SqliteEngine.ReadKeys(_connection));

    public IReadOnlyList<NamespaceRow> ReadEveryNamespace() => Run(() => SqliteEngine.ReadEveryNamespace(_connection));

    public IReadOnlyList<HistoryRow> ReadEveryHistory() => Run(() => SqliteEngine.ReadEveryHistory(_connection));

    public long InsertNamespace(NamespaceConfig ns, string backendConfigJson, string tagsJson) => Run(() =>
    {
        var p = _s.Insert.Parameters;
        p["$name"].Value = ns.Name;
        p["$description"].Value = (object?)ns.Description ?? DBNull.Value;
        p["$backend"].Value = ns.Backend;
        p["$pattern"].Value = ns.Pattern;
        p["$status"].Value = ns.Status;
        p["$consistency"].Value = ns.Consistency;
        p["$cache_ttl_seconds"].Value = (object?)ns.CacheTtlSeconds ?? DBNull.Value;
        p["$rate_limit_rps"].Value = (object?)ns.RateLimitRps ?? DBNull.Value;
        p["$backend_config"].Value = backendConfigJson;
        p["$tags"].Value = tagsJson;
        p["$version"].Value = ns.Version;
        p["$created_at"].Value = ns.CreatedAt.ToUnixTimeSeconds();
        p["$updated_at"].Value = ns.UpdatedAt.ToUnixTimeSeconds();
        p["$created_by"].Value = (object?)ns.CreatedBy ?? DBNull.Value;
        p["$updated_by"].Value = (object?)ns.UpdatedBy ?? DBNull.Value;
        p["$pattern_version"].Value = (object?)ns.PatternVersion ?? DBNull.Value;
        p["$behavior"].Value = (object?)ChangedColumns.BehaviorJson(ns) ?? DBNull.Value;
        p["$slots"].Value = (object?)ChangedColumns.SlotsJson(ns) ?? DBNull.Value;
        _s.Insert.ExecuteNonQuery();
        return SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);
    });

    public bool UpdateNamespace(long id, string storedName, NamespaceConfig before, NamespaceConfig after) => Run(() =>
    {
        var (mask, values) = ChangedColumns.Compute(before, after);
        var command = _s.UpdateFor(mask);
        var p = command.Parameters;
        for (var i = 0; i < values.Length; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                p[Statements.UpdatableColumns[i].Parameter].Value = values[i] ?? DBNull.Value;
            }
        }
        p["$version"].Value = after.Version;
        p["$updated_at"].Value = after.UpdatedAt.ToUnixTimeSeconds();
        p["$updated_by"].Value = (object?)after.UpdatedBy ?? DBNull.Value;
        p["$id"].Value = id;
        // The name too: row ids repeat across stores, and a whole-store restore may put another namespace at this id.
        p["$expected_name"].Value = storedName;
        p["$expected_version"].Value = before.Version;
        return command.ExecuteNonQuery() == 1;
    });

    public void SyncFeatures(long id, Hashtable? before, Hashtable after, long now) => Run(() =>
    {
        if (before is not null)
        {
            foreach (var key in ConfigJson.SortedKeys(before))
            {
                if (!after.ContainsKey(key))
                {
                    _s.DeleteFeature.Parameters["$namespace_id"].Value = id;
                    _s.DeleteFeature.Parameters["$feature_name"].Value = key;
                    _s.DeleteFeature.ExecuteNonQuery();
                }
            }
        }
        foreach (var key in ConfigJson.SortedKeys(after))
        {
            var enabled = after[key] is true;
            if (before is not null && before.ContainsKey(key) && (before[key] is true) == enabled)
            {
                continue;
            }
            var p = _s.UpsertFeature.Parameters;
            p["$namespace_id"].Value = id;
            p["$feature_name"].Value = key;
            p["$enabled"].Value = enabled ? 1 : 0;
            p["$updated_at"].Value = now;
            _s.UpsertFeature.ExecuteNonQuery();
        }
        return true;
    });

    public long Revision => _revision ??= Run(() => (long)_s.TakeRevision.ExecuteScalar()!);

    public void InsertHistory(HistoryWrite row) => Run(() =>
    {
        var p = _s.InsertHistory.Parameters;
        p["$revision"].Value = Revision;
        p["$namespace_id"].Value = row.NamespaceId;
        p["$operation"].Value = row.Operation;
        p["$changed_at"].Value = row.ChangedAt;
        p["$changed_by"].Value = row.ChangedBy;
        p["$old_config"].Value = (object?)row.OldConfig ?? DBNull.Value;
        p["$new_config"].Value = row.NewConfig;
        p["$version"].Value = row.Version;
        p["$reason"].Value = (object?)row.Reason ?? DBNull.Value;
        _s.InsertHistory.ExecuteNonQuery();
        return true;
    });

    public void RenameNamespace(long id, string newName) => Run(() =>
    {
        using var command = _connection.CreateCommand();
        command.CommandText = SqliteDialect.RenameNamespace;
        command.Parameters.AddWithValue("$name", newName);
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteNonQuery();
    });

    public IReadOnlyList<RegistryRow> ReadRegistry() => Run(() => SqliteEngine.ReadRegistry(_s.Commands, _engine.SchemaVersion));

    public long InsertRegistryDefinition(RegistryRow row) => Run(() =>
    {
        _connection.Execute(SqliteDialect.InsertRegistryDefinition, row);
        return SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);
    });

    public bool UpdateRegistryDefinition(RegistryRow row, int expectedVersion) => Run(() =>
        _connection.Execute(SqlQueries.UpdateRegistryDefinition,
            new { row.Document, row.Source, row.Version, row.UpdatedAt, row.UpdatedBy, row.Id, ExpectedVersion = expectedVersion }) == 1);

    public void InsertRegistryHistory(RegistryHistoryWrite row) => Run(() => _connection.Execute(SqlQueries.InsertRegistryHistory, row));

    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_release is null, this);
        try
        {
            Factory.Commit(_connection, _engine.Path, _engine.Options.BusyTimeout);
            _committed = true;
            _engine.NoteCommit();
        }
        catch (SqliteException ex)
        {
            throw _engine.Translate(ex);
        }
    }

    public void Dispose()
    {
        if (_release is not { } release) return;
        _release = null;
        try
        {
            if (!_committed)
            {
                Factory.RollbackQuietly(_connection);
            }
        }
        finally
        {
            release();
        }
    }

    private T Run<T>(Func<T> body)
    {
        ObjectDisposedException.ThrowIf(_release is null, this);
        try
        {
            return body();
        }
        catch (SqliteException ex)
        {
            throw _engine.Translate(ex);
        }
    }

    /// <summary>The write connection's statements, prepared once and reused (imports run thousands of them).</summary>
    internal sealed class Statements : IDisposable
    {
        /// <summary>The namespace columns an update may change, in the bit order of the update mask.</summary>
        internal static readonly (string Column, string Parameter)[] UpdatableColumns =
            [.. ChangedColumns.Names.Select(name => (name, "$" + name))];

        private readonly SqliteConnection _connection;
        private readonly Dictionary<int, SqliteCommand> _updates = [];

        public Statements(SqliteConnection connection)
        {
            _connection = connection;
            SelectByName = SqliteEngine.PrepareReadByName(connection);
            Insert = Prepare(connection, SqliteDialect.InsertNamespace, "$name", "$description", "$backend", "$pattern", "$status", "$consistency",
                "$cache_ttl_seconds", "$rate_limit_rps", "$backend_config", "$tags", "$version", "$created_at", "$updated_at", "$created_by", "$updated_by",
                "$pattern_version", "$behavior", "$slots");
            UpsertFeature = Prepare(connection, SqliteDialect.UpsertFeature, "$namespace_id", "$feature_name", "$enabled", "$updated_at");
            DeleteFeature = Prepare(connection, SqliteDialect.DeleteFeature, "$namespace_id", "$feature_name");
            InsertHistory = Prepare(connection, SqliteDialect.InsertHistory, "$namespace_id", "$operation", "$changed_at", "$changed_by",
                "$old_config", "$new_config", "$version", "$reason", "$revision");
            TakeRevision = Prepare(connection, SqliteDialect.TakeRevision);
            Commands = new PreparedCommands(connection);
        }

        public SqliteCommand SelectByName { get; }
        public SqliteCommand Insert { get; }
        public SqliteCommand UpsertFeature { get; }
        public SqliteCommand DeleteFeature { get; }
        public SqliteCommand InsertHistory { get; }
        public SqliteCommand TakeRevision { get; }

        /// <summary>The parameterless reads a write makes (the replica check, the registry an import validates with).</summary>
        public PreparedCommands Commands { get; }

        /// <summary>The prepared UPDATE that sets the columns in <paramref name="mask"/> and the metadata, guarded by the version.</summary>
        public SqliteCommand UpdateFor(int mask)
        {
            if (_updates.TryGetValue(mask, out var command)) return command;
            var sets = new List<string>();
            var parameters = new List<string>();
            for (var i = 0; i < UpdatableColumns.Length; i++)
            {
                if ((mask & (1 << i)) == 0) continue;
                sets.Add(UpdatableColumns[i].Column + " = " + UpdatableColumns[i].Parameter);
                parameters.Add(UpdatableColumns[i].Parameter);
            }
            sets.Add("version = $version");
            sets.Add("updated_at = $updated_at");
            sets.Add("updated_by = $updated_by");
            parameters.AddRange(["$version", "$updated_at", "$updated_by", "$id", "$expected_name", "$expected_version"]);
            command = Prepare(_connection, SqliteDialect.UpdateNamespaceColumns(sets), [.. parameters]);
            _updates[mask] = command;
            return command;
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }
            command.Prepare();
            return command;
        }

        public void Dispose()
        {
            SelectByName.Dispose();
            Insert.Dispose();
            UpsertFeature.Dispose();
            DeleteFeature.Dispose();
            InsertHistory.Dispose();
            TakeRevision.Dispose();
            Commands.Dispose();
            foreach (var command in _updates.Values)
            {
                command.Dispose();
            }
        }
    }
}

/// <summary>
/// Takes SQLite's write lock (BEGIN IMMEDIATE) for as long as the store's timeout allows. SQLite's own busy
/// handler sleeps and polls; a slow fsync under disk load can hold another writer's lock for seconds, so the
/// wait is sized for that, and it is taken in short slices so that a waiting user can be told it is waiting.
/// </summary>
internal static class WriteLock
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ReportAfter = TimeSpan.FromSeconds(1);

    public static TimeSpan Acquire(SqliteConnection connection, string path, TimeSpan timeout, IProgress<TimeSpan>? waiting)
    {
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var handle = connection.Handle!;
        while (true)
        {
            var remaining = timeout - clock.Elapsed;
            var slice = remaining < Slice ? remaining : Slice;
            SQLitePCL.raw.sqlite3_busy_timeout(handle, Math.Max(0, (int)slice.TotalMilliseconds));
            int rc;
            try
            {
                rc = SQLitePCL.raw.sqlite3_exec(handle, SqliteDialect.BeginImmediate);
            }
            finally
            {
                SQLitePCL.raw.sqlite3_busy_timeout(handle, Math.Max(0, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds)));
            }
            if (rc == 0)
            {
                return clock.Elapsed;
            }
            // Only SQLITE_BUSY waits: SQLite runs no busy handler for SQLITE_LOCKED, so retrying that would spin.
            if ((rc & 0xFF) != 5 || clock.Elapsed >= timeout)
            {
                throw Factory.LastErrorException(connection, rc);
            }
            if (waiting is not null && clock.Elapsed - lastReport >= ReportAfter)
            {
                lastReport = clock.Elapsed;
                waiting.Report(clock.Elapsed);
            }
        }
    }
}
