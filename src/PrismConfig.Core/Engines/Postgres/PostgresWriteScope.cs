using System.Collections;
using System.Diagnostics;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Engines.Postgres;

/// <summary>
/// One READ COMMITTED transaction on a pooled connection that holds the store's write lock, the counter row of
/// store_state, from its first statement to its end. Disposing it without <see cref="Commit"/> rolls back.
/// </summary>
internal sealed class PostgresWriteScope : IWriteScope
{
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    private readonly PostgresEngine _engine;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _tx;
    private readonly Queue<long> _reservedIds = new();
    private int _nextReservation = 1;
    private NpgsqlBatch? _pending;
    private List<NamespaceRow> _newRows = [];
    private List<FeatureRow> _newFeatures = [];
    private List<HistoryWrite> _newHistory = [];
    private Task? _copying;
    private long? _revision;
    private bool _done;
    private bool _registryNotified;

    /// <summary>Pending statements go out together once there are this many (an import's thousands of rows).</summary>
    private const int FlushAt = 512;

    /// <summary>
    /// History rows go by COPY from this many: a COPY takes a round trip of its own, which a single write's one row
    /// would pay for, while an INSERT rides in the batch that goes out anyway.
    /// </summary>
    private const int CopyHistoryAt = 32;

    private PostgresWriteScope(PostgresEngine engine, NpgsqlConnection connection, NpgsqlTransaction tx, TimeSpan lockWait)
    {
        _engine = engine;
        _connection = connection;
        _tx = tx;
        LockWait = lockWait;
    }

    public TimeSpan LockWait { get; }

    /// <summary>
    /// Begins the transaction and takes the lock, waiting up to the store's timeout in one-second slices
    /// (lock_timeout), so that a waiting user can be told about once a second that the store is busy.
    /// </summary>
    public static PostgresWriteScope Begin(PostgresEngine engine, NpgsqlDataSource source, IProgress<TimeSpan>? waiting)
    {
        var clock = Stopwatch.StartNew();
        var timeout = engine.Options.BusyTimeout;
        var connection = source.OpenConnection();
        try
        {
            while (true)
            {
                var tx = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
                var remaining = timeout - clock.Elapsed;
                var slice = remaining < Slice ? remaining : Slice;
                try
                {
                    using var batch = new NpgsqlBatch(connection, tx);
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(FormattableString.Invariant($"SET LOCAL lock_timeout = {Math.Max(1, (long)slice.TotalMilliseconds)}")));
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresDialect.LockState));
                    batch.ExecuteNonQuery();
                    return new PostgresWriteScope(engine, connection, tx, clock.Elapsed);
                }
                catch (PostgresException ex) when (ex.SqlState == "55P03")
                {
                    tx.Rollback();
                    tx.Dispose();
                    if (clock.Elapsed >= timeout)
                    {
                        throw new StoreBusyException(engine.Display, timeout, ex);
                    }
                    waiting?.Report(clock.Elapsed);
                }
                catch
                {
                    tx.Dispose();
                    throw;
                }
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public NamespaceRow? ReadNamespace(string name) => Run(() =>
    {
        Flush();
        using var command = Command(PostgresDialect.SelectNamespaceByName);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? RowReader.Namespace(reader) : null;
    });

    public Dictionary<string, NamespaceKey> ReadKeys() => Run(() =>
    {
        Flush();
        return PostgresEngine.ReadKeys(_connection, _tx, _engine.Info);
    });

    public IReadOnlyList<NamespaceRow> ReadEveryNamespace() => Run(() =>
    {
        Flush();
        using var command = Command(PostgresDialect.SelectEveryNamespace);
        using var reader = command.ExecuteReader();
        var rows = new List<NamespaceRow>();
        while (reader.Read()) rows.Add(RowReader.Namespace(reader));
        return (IReadOnlyList<NamespaceRow>)rows;
    });

    public IReadOnlyList<HistoryRow> ReadEveryHistory() => Run(() =>
    {
        Flush();
        return (IReadOnlyList<HistoryRow>)_connection.Query<HistoryRow>(PostgresDialect.SelectEveryHistory, transaction: _tx).AsList();
    });

    /// <remarks>
    /// New rows, their features and (many) history rows are queued and go out by binary COPY, ahead of the other queued
    /// statements (changes to existing rows' features): an import's thousands of creates are then a few round trips.
    /// </remarks>
    public long InsertNamespace(NamespaceConfig ns, string backendConfigJson, string tagsJson) => Run(() =>
    {
        var id = NextId();
        _newRows.Add(new NamespaceRow
        {
            Id = id,
            Name = ns.Name,
            Description = ns.Description,
            Backend = ns.Backend,
            Pattern = ns.Pattern,
            Status = ns.Status,
            Consistency = ns.Consistency,
            CacheTtlSeconds = ns.CacheTtlSeconds,
            RateLimitRps = ns.RateLimitRps,
            BackendConfig = backendConfigJson,
            Tags = tagsJson,
            Version = ns.Version,
            CreatedAt = ns.CreatedAt.ToUnixTimeSeconds(),
            UpdatedAt = ns.UpdatedAt.ToUnixTimeSeconds(),
            CreatedBy = ns.CreatedBy,
            UpdatedBy = ns.UpdatedBy,
            PatternVersion = ns.PatternVersion,
            Behavior = ChangedColumns.BehaviorJson(ns),
            Slots = ChangedColumns.SlotsJson(ns),
        });
        if (_newRows.Count >= FlushAt) SendBatch();
        return id;
    });

    /// <summary>A row id from the sequence, reserved in growing blocks (1, 2, 4 … 512) so a single create wastes none.</summary>
    private long NextId()
    {
        if (_reservedIds.Count == 0)
        {
            // Not a flush: queued rows keep waiting for their batch, which a flush here would send half full and wait for.
            ReserveIds(_nextReservation);
            _nextReservation = Math.Min(FlushAt, _nextReservation * 2);
        }
        return _reservedIds.Dequeue();
    }

    private void ReserveIds(int count)
    {
        WaitForCopies();
        using var reserve = Command(PostgresDialect.ReserveNamespaceIds);
        reserve.Parameters.Add(new NpgsqlParameter<int>("count", count));
        using var reader = reserve.ExecuteReader();
        while (reader.Read()) _reservedIds.Enqueue(reader.GetInt64(0));
    }

    /// <summary>
    /// A full batch goes out. The ids the next batch needs are reserved first, while the connection is free, so that
    /// its rows are prepared while this one is copied rather than after.
    /// </summary>
    private void SendBatch()
    {
        if (_reservedIds.Count < FlushAt) ReserveIds(FlushAt - _reservedIds.Count);
        CopyQueued(overlap: true);
    }

    private void Queue(NpgsqlBatchCommand command)
    {
        _pending ??= new NpgsqlBatch(_connection, _tx);
        _pending.BatchCommands.Add(command);
        if (_pending.BatchCommands.Count >= FlushAt) Flush();
    }

    /// <summary>
    /// Copies the queued new rows, features and history rows in. A full batch (<paramref name="overlap"/>) goes to a
    /// thread-pool task and this returns: an import prepares its next rows while the server works through these,
    /// where waiting would leave one side of the loopback idle at every batch. The connection is the task's until
    /// <see cref="WaitForCopies"/>, which everything else that uses it calls first.
    /// </summary>
    private void CopyQueued(bool overlap)
    {
        WaitForCopies();
        var (rows, features) = (_newRows, _newFeatures);
        // A few history rows wait for Flush's batch instead: a COPY costs round trips of its own.
        var history = _newHistory.Count >= CopyHistoryAt ? _newHistory : null;
        if (rows.Count == 0 && features.Count == 0 && history is null) return;
        var revision = history is null ? 0 : Revision;
        (_newRows, _newFeatures) = ([], []);
        if (history is not null) _newHistory = [];
        void Copy()
        {
            if (rows.Count > 0) PostgresEngine.CopyNamespaces(_connection, rows);
            if (features.Count > 0) PostgresEngine.CopyFeatures(_connection, features);
            if (history is not null) PostgresEngine.CopyNewHistory(_connection, history, revision);
        }
        if (overlap && _engine.Options.OverlapCopies) _copying = Task.Run(Copy);
        else Copy();
    }

    /// <summary>Waits for the copies <see cref="CopyQueued"/> began; their failure is thrown here.</summary>
    private void WaitForCopies()
    {
        if (_copying is not { } copying) return;
        _copying = null;
        copying.GetAwaiter().GetResult();
    }

    /// <summary>Sends the queued statements; every read, guarded update and the commit come after it.</summary>
    private void Flush()
    {
        CopyQueued(overlap: false);
        foreach (var row in _newHistory) BatchHistory(row);
        _newHistory.Clear();
        if (_pending is not { } batch) return;
        _pending = null;
        using (batch)
        {
            // The statements are the same few each time: prepared once per pooled connection, the server skips
            // parsing and planning them for every row.
            batch.Prepare();
            batch.ExecuteNonQuery();
        }
    }

    public bool UpdateNamespace(long id, string storedName, NamespaceConfig before, NamespaceConfig after) => Run(() =>
    {
        Flush();
        var (mask, values) = ChangedColumns.Compute(before, after);
        var sets = new List<string>();
        using var command = Command("");
        for (var i = 0; i < values.Length; i++)
        {
            if ((mask & (1 << i)) == 0) continue;
            var column = ChangedColumns.Names[i];
            sets.Add($"{column} = @{column}");
            if (column is "cache_ttl_seconds" or "rate_limit_rps")
            {
                Number(command.Parameters, column, values[i] is null ? null : Convert.ToInt64(values[i], System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                Text(command.Parameters, column, (string?)values[i]);
            }
        }
        sets.AddRange(["version = @version", "updated_at = @updated_at", "updated_by = @updated_by"]);
        command.CommandText = PostgresDialect.UpdateNamespaceColumns(sets);
        Number(command.Parameters, "version", after.Version);
        Number(command.Parameters, "updated_at", after.UpdatedAt.ToUnixTimeSeconds());
        Text(command.Parameters, "updated_by", after.UpdatedBy);
        Number(command.Parameters, "id", id);
        // The name too: row ids repeat across stores, and a whole-store restore may put another namespace at this id.
        Text(command.Parameters, "expected_name", storedName);
        Number(command.Parameters, "expected_version", before.Version);
        return command.ExecuteNonQuery() == 1;
    });

    public void SyncFeatures(long id, Hashtable? before, Hashtable after, long now) => Run(() =>
    {
        if (before is null)
        {
            // A namespace's first features: plain rows, copied with it.
            foreach (var key in ConfigJson.SortedKeys(after))
            {
                _newFeatures.Add(new FeatureRow(id, key, after[key] is true, now));
            }
            return true;
        }
        if (before is not null)
        {
            foreach (var key in ConfigJson.SortedKeys(before))
            {
                if (after.ContainsKey(key)) continue;
                var delete = new NpgsqlBatchCommand(PostgresDialect.DeleteFeature);
                Number(delete.Parameters, "namespace_id", id);
                Text(delete.Parameters, "feature_name", key);
                Queue(delete);
            }
        }
        foreach (var key in ConfigJson.SortedKeys(after))
        {
            var enabled = after[key] is true;
            if (before is not null && before.ContainsKey(key) && (before[key] is true) == enabled) continue;
            var upsert = new NpgsqlBatchCommand(PostgresDialect.UpsertFeature);
            Number(upsert.Parameters, "namespace_id", id);
            Text(upsert.Parameters, "feature_name", key);
            upsert.Parameters.Add(new NpgsqlParameter<bool>("enabled", enabled));
            Number(upsert.Parameters, "updated_at", now);
            Queue(upsert);
        }
        return true;
    });

    public long Revision => _revision ??= Run(() =>
    {
        Flush();
        using var command = Command(PostgresDialect.TakeRevision);
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetInt64(0);
    });

    /// <remarks>History rows are queued and go out in order, after the new rows they refer to.</remarks>
    public void InsertHistory(HistoryWrite row)
    {
        // Taken now, not at the flush: the revision's counter row is what orders this commit among the others.
        _ = Revision;
        ObjectDisposedException.ThrowIf(_done, this);
        _newHistory.Add(row);
        if (_newHistory.Count >= FlushAt) Run(() => { SendBatch(); return true; });
    }

    private void BatchHistory(HistoryWrite row)
    {
        var command = new NpgsqlBatchCommand(PostgresDialect.InsertHistory);
        var p = command.Parameters;
        Number(p, "namespace_id", row.NamespaceId);
        Text(p, "operation", row.Operation);
        Number(p, "changed_at", row.ChangedAt);
        Text(p, "changed_by", row.ChangedBy);
        Text(p, "old_config", row.OldConfig);
        Text(p, "new_config", row.NewConfig);
        Number(p, "version", row.Version);
        Text(p, "reason", row.Reason);
        Number(p, "revision", Revision);
        (_pending ??= new NpgsqlBatch(_connection, _tx)).BatchCommands.Add(command);
    }

    public void RenameNamespace(long id, string newName) => Run(() =>
    {
        Flush();
        using var command = Command(PostgresDialect.RenameNamespace);
        Text(command.Parameters, "name", newName);
        Number(command.Parameters, "id", id);
        return command.ExecuteNonQuery();
    });

    public IReadOnlyList<RegistryRow> ReadRegistry() => Run(() =>
    {
        Flush();
        return (IReadOnlyList<RegistryRow>)_connection.Query<RegistryRow>(SqlQueries.SelectRegistry, transaction: _tx).AsList();
    });

    public long InsertRegistryDefinition(RegistryRow row) => Run(() =>
    {
        Flush();
        return _connection.ExecuteScalar<long>(PostgresDialect.InsertRegistryDefinition, row, _tx);
    });

    public bool UpdateRegistryDefinition(RegistryRow row, int expectedVersion) => Run(() =>
    {
        Flush();
        return _connection.Execute(SqlQueries.UpdateRegistryDefinition,
            new { row.Document, row.Source, row.Version, row.UpdatedAt, row.UpdatedBy, row.Id, ExpectedVersion = (long)expectedVersion }, _tx) == 1;
    });

    public void InsertRegistryHistory(RegistryHistoryWrite row) => Run(() =>
    {
        Flush();
        if (!_registryNotified)
        {
            // A registry change takes no revision, but a replica must hear of it as soon as it commits, not at its next poll.
            _connection.Execute(PostgresDialect.NotifyRegistry, transaction: _tx);
            _registryNotified = true;
        }
        return _connection.Execute(SqlQueries.InsertRegistryHistory, row, _tx);
    });

    /// <summary>
    /// Empties the store and copies a dump's rows in; the counter goes back to the dump's revision (the next write in
    /// this transaction takes the one after it) and the store gets a new epoch.
    /// </summary>
    internal void ReplaceWith(StoreDump dump) => Run(() =>
    {
        Flush();
        using (var empty = Command(PostgresDialect.EmptyStore)) empty.ExecuteNonQuery();
        PostgresEngine.CopyIn(_connection, dump);
        using (var identities = Command(PostgresDialect.ResetIdentities)) identities.ExecuteNonQuery();
        using var state = Command(PostgresDialect.RestoreState);
        Number(state.Parameters, "revision", dump.Revision);
        state.ExecuteNonQuery();
        return true;
    });

    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        Run(() =>
        {
            Flush();
            _tx.Commit();
            return true;
        });
        _done = true;
        _engine.NoteCommit();
    }

    public void Dispose()
    {
        try
        {
            WaitForCopies();
        }
        catch (Exception ex) when (PostgresErrors.IsOurs(ex))
        {
            // A failed copy fails the transaction, which is rolled back below or was never committed.
        }
        if (_done)
        {
            _pending?.Dispose();
            _tx.Dispose();
            _connection.Dispose();
            return;
        }
        _done = true;
        try
        {
            _tx.Rollback();
        }
        catch (Exception ex) when (PostgresErrors.IsOurs(ex))
        {
            // The connection is gone; the server rolls the transaction back itself.
        }
        finally
        {
            _pending?.Dispose();
            _tx.Dispose();
            _connection.Dispose();
        }
    }

    private NpgsqlCommand Command(string sql) => new(sql, _connection, _tx);

    private static void Text(NpgsqlParameterCollection p, string name, string? value) =>
        p.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    private static void Number(NpgsqlParameterCollection p, string name, long? value) =>
        p.Add(new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = (object?)value ?? DBNull.Value });

    private T Run<T>(Func<T> body)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        try
        {
            return body();
        }
        catch (Exception ex) when (PostgresErrors.IsOurs(ex))
        {
            throw _engine.Translate(ex);
        }
    }
}
