using Dapper;
using Microsoft.Data.Sqlite;
using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>
/// A store in one SQLite file in the ADR-036 schema. Two long-lived connections: one for reads (query_only), one
/// for writes, each behind its own lock. Every write is one BEGIN IMMEDIATE transaction.
/// </summary>
internal sealed partial class SqliteEngine : IStorageEngine
{
    /// <summary>The schema version this build writes and understands (PRAGMA user_version).</summary>
    public const int CurrentSchemaVersion = SqliteDialect.RegistrySchemaVersion;

    private readonly string _path;
    private readonly StoreOptions _options;
    private readonly object _readLock = new();
    private readonly object _writeLock = new();
    private readonly SqliteConnection _read;
    private readonly SqliteConnection _write;
    private readonly Factory.DataVersionProbe _dataVersion;
    private readonly PreparedCommands _reads;
    private SqliteCommand? _readByName;
    private SqliteWriteScope.Statements? _statements;
    private int _schemaVersion;
    private bool _walReady; // guarded by _writeLock once constructed
    private volatile bool _committed;
    private volatile bool _disposed;
    private string? _createdFolder;

    private SqliteEngine(string path, StoreOptions options, SqliteConnection write, SqliteConnection read, Factory.DataVersionProbe probe,
        int schemaVersion, bool walReady, bool created)
    {
        _path = path;
        _options = options;
        _write = write;
        _read = read;
        _dataVersion = probe;
        _reads = new PreparedCommands(read);
        _schemaVersion = schemaVersion;
        _walReady = walReady;
        CreatedOnOpen = created;
    }

    public string Display => _path;

    public int SchemaVersion => _schemaVersion;

    public bool CreatedOnOpen { get; }

    public IReadOnlyList<string> OpenWarnings => [];

    public EngineFeatures Features => EngineFeatures.Backup | EngineFeatures.LocalChangeToken;

    public string DefaultBackupFolder => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_path) ?? ".", "backups");

    internal StoreOptions Options => _options;

    internal string Path => _path;

    public long ChangeToken() => OnRead(() => _dataVersion.Read(_read));

    public IChangeSignal SubscribeToChanges() => new TokenChangeSignal(ChangeToken, StillThere);

    public bool StillThere()
    {
        lock (_readLock)
        {
            return !_disposed && Factory.StillAtPath(_read, _path);
        }
    }

    public NamespaceRow? ReadNamespace(string name) => OnWarmRead(
        statements => ReadByName(statements.SelectByName, name),
        () =>
        {
            _readByName ??= PrepareReadByName(_read);
            return ReadByName(_readByName, name);
        });

    public IReadOnlyList<NamespaceRow> ListNamespaces(NamespaceQuery? query) => OnRead(() =>
    {
        var parameters = new DynamicParameters();
        var sql = SqlQueries.SelectNamespaces(SqliteDialect.Flavor, query, parameters);
        // Read by column position, as a lookup does: Dapper's by-name mapping cost about as much per row as the
        // query itself on a bulk read.
        using var command = _read.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters.ParameterNames)
        {
            command.Parameters.AddWithValue("@" + name, parameters.Get<object>(name));
        }
        using var reader = command.ExecuteReader();
        var rows = new List<NamespaceRow>();
        while (reader.Read())
        {
            rows.Add(RowReader.Namespace(reader));
        }
        return (IReadOnlyList<NamespaceRow>)rows;
    });

    public int CountNamespaces() => OnRead(() => (int)Factory.ScalarInt64(_read, SqliteDialect.CountNamespaces));

    public Dictionary<string, NamespaceKey> ReadKeys() => OnRead(() => ReadKeys(_read));

    internal static Dictionary<string, NamespaceKey> ReadKeys(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectNamespaceKeys;
        using var reader = command.ExecuteReader();
        var keys = new Dictionary<string, NamespaceKey>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var version = reader.GetInt64(2);
            if (version is < 0 or > int.MaxValue)
            {
                throw new StoreCorruptException(connection.DataSource, $"namespace '{reader.GetString(1)}' has the version {version}, which no write makes. Run Test-PrismConfig.");
            }
            keys[reader.GetString(1)] = new NamespaceKey(reader.GetInt64(0), (int)version, reader.GetString(3));
        }
        return keys;
    }

    public StoreState ReadState() => OnRead(() => ReadState(_read));

    internal static StoreState ReadState(SqliteConnection connection, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = SqliteDialect.SelectState;
        using var reader = command.ExecuteReader();
        return reader.Read() ? new StoreState(reader.GetInt64(0), reader.GetString(1)) : new StoreState(0, "");
    }

    public IReadOnlyList<HistoryRow> ReadHistory(HistoryQuery? query) => OnRead(() =>
    {
        var parameters = new DynamicParameters();
        var sql = SqlQueries.SelectHistoryEntries(SqliteDialect.Flavor, query, parameters);
        return (IReadOnlyList<HistoryRow>)_read.Query<HistoryRow>(sql, parameters).AsList();
    });

    public IReadOnlyList<RegistryRow> ReadRegistry() =>
        OnWarmRead(statements => ReadRegistry(statements.Commands, _schemaVersion), () => ReadRegistry(_reads, _schemaVersion));

    /// <remarks>Read after every commit by the next write's plan, so it is prepared once and read by column position.</remarks>
    internal static IReadOnlyList<RegistryRow> ReadRegistry(PreparedCommands commands, int schemaVersion)
    {
        if (schemaVersion < SqliteDialect.RegistrySchemaVersion) return [];
        using var reader = commands.Get(SqlQueries.SelectRegistry).ExecuteReader();
        var rows = new List<RegistryRow>();
        while (reader.Read())
        {
            rows.Add(RowReader.Registry(reader));
        }
        return rows;
    }

    internal static IReadOnlyList<RegistryRow> ReadRegistry(SqliteConnection connection, int schemaVersion)
    {
        using var commands = new PreparedCommands(connection);
        return ReadRegistry(commands, schemaVersion);
    }

    public IReadOnlyList<RegistryHistoryRow> ReadRegistryHistory(string? kind, string? name) => OnRead(() =>
        (IReadOnlyList<RegistryHistoryRow>)_read.Query<RegistryHistoryRow>(SqliteDialect.SelectRegistryHistory, new { kind, name }).AsList());

    internal static SqliteCommand PrepareReadByName(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectNamespaceByName;
        command.Parameters.Add("$name", SqliteType.Text);
        command.Prepare();
        return command;
    }

    internal static List<NamespaceRow> ReadEveryNamespace(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectEveryNamespace;
        using var reader = command.ExecuteReader();
        var rows = new List<NamespaceRow>();
        while (reader.Read()) rows.Add(RowReader.Namespace(reader));
        return rows;
    }

    internal static List<HistoryRow> ReadEveryHistory(SqliteConnection connection) =>
        connection.Query<HistoryRow>(SqliteDialect.SelectEveryHistory).AsList();

    internal static NamespaceRow? ReadByName(SqliteCommand selectByName, string name)
    {
        selectByName.Parameters[0].Value = name;
        using var r = selectByName.ExecuteReader();
        return r.Read() ? RowReader.Namespace(r) : null;
    }

    public IWriteScope BeginWrite(IProgress<TimeSpan>? waiting = null) => BeginWrite(waiting, replicaSync: false);

    /// <summary>
    /// A write on a replica is refused inside its transaction, after the lock: a store may have become a replica
    /// since this engine opened it, in another process. Only the sync itself (<paramref name="replicaSync"/>) writes.
    /// </summary>
    private SqliteWriteScope BeginWrite(IProgress<TimeSpan>? waiting, bool replicaSync)
    {
        SqliteWriteScope scope;
        Monitor.Enter(_writeLock);
        try
        {
            ThrowIfDisposed();
            if (!_walReady)
            {
                // A file opened while not in WAL mode switches now, when the caller has asked for a change.
                EnableWal(_write);
                _walReady = true;
            }
            _statements ??= new SqliteWriteScope.Statements(_write);
            var waited = WriteLock.Acquire(_write, _path, _options.BusyTimeout, waiting);
            scope = new SqliteWriteScope(this, _write, _statements, waited, () => Monitor.Exit(_writeLock));
        }
        catch (SqliteException ex)
        {
            Monitor.Exit(_writeLock);
            throw Translate(ex);
        }
        catch
        {
            Monitor.Exit(_writeLock);
            throw;
        }
        if (replicaSync) return scope;
        // The scope owns the lock now: disposing it rolls back and releases.
        ReplicaRecord? replica;
        try
        {
            replica = ReadReplica(_statements.Commands);
        }
        catch (SqliteException ex)
        {
            scope.Dispose();
            throw Translate(ex);
        }
        if (replica is null) return scope;
        scope.Dispose();
        throw new ReplicaReadOnlyException(_path, replica.Source);
    }

    /// <summary>Runs a read on the read connection under its lock, translating SQLite errors.</summary>
    private T OnRead<T>(Func<T> body)
    {
        lock (_readLock)
        {
            ThrowIfDisposed();
            try
            {
                return body();
            }
            catch (SqliteException ex)
            {
                throw Translate(ex);
            }
        }
    }

    /// <summary>
    /// A read served by the write connection when that is free: its page cache survives this engine's own commits
    /// and the read connection's does not, so the read after a write (the next write's plan, a watcher's re-read)
    /// finds its pages cached instead of reading each one again. It never waits, because while another thread
    /// writes the read connection serves; and never runs inside this thread's own write transaction, whose
    /// uncommitted rows no read may see.
    /// </summary>
    private T OnWarmRead<T>(Func<SqliteWriteScope.Statements, T> onWrite, Func<T> onRead)
    {
        if (!_options.WarmReads || Monitor.IsEntered(_writeLock) || !Monitor.TryEnter(_writeLock))
        {
            return OnRead(onRead);
        }
        try
        {
            ThrowIfDisposed();
            _statements ??= new SqliteWriteScope.Statements(_write);
            return onWrite(_statements);
        }
        catch (SqliteException ex)
        {
            throw Translate(ex);
        }
        finally
        {
            Monitor.Exit(_writeLock);
        }
    }

    internal PrismConfigException Translate(SqliteException ex) => Factory.Translate(ex, _path, _options.BusyTimeout);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Called by a write scope when it commits.</summary>
    internal void NoteCommit() => _committed = true;

    public void DiscardCreated()
    {
        // Only a store this engine made and nobody has written to: another writer here or in another process may
        // have filled it meanwhile, so emptiness is judged holding the write lock, after any such writer committed.
        var empty = false;
        if (CreatedOnOpen && !_committed && !_disposed)
        {
            try
            {
                using var scope = BeginWrite();
                empty = !_committed
                    && Factory.ScalarInt64(_write, SqliteDialect.CountNamespaces) == 0
                    && Factory.ScalarInt64(_write, SqliteDialect.CountHistory) == 0;
            }
            catch (PrismConfigException)
            {
                empty = false;
            }
        }
        Dispose();
        if (!empty) return;
        foreach (var file in SideFiles.WithSideFiles(_path))
        {
            SideFiles.TryDelete(file);
        }
        RemoveCreatedFolders();
    }

    /// <summary>The folders opening this store created, innermost first, each only while it is empty.</summary>
    private void RemoveCreatedFolders()
    {
        if (_createdFolder is null) return;
        for (var f = System.IO.Path.GetDirectoryName(_path); f is not null && f.Length >= _createdFolder.Length; f = System.IO.Path.GetDirectoryName(f))
        {
            try
            {
                Directory.Delete(f, recursive: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not empty (someone else put a file there meanwhile) or not ours to remove: leave it.
                return;
            }
            if (string.Equals(f, _createdFolder, StringComparison.Ordinal)) return;
        }
    }

    /// <summary>
    /// Closes both connections; the last one to close checkpoints the WAL into the file and removes -wal and -shm
    /// (SQLite does not when the file has moved, so then this store empties its WAL itself first).
    /// </summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            lock (_readLock)
            {
                if (_disposed) return;
                _disposed = true;
                if (!Factory.StillAtPath(_read, _path)) Factory.EmptyWalQuietly(_write);
                _dataVersion.Dispose();
                _reads.Dispose();
                _readByName?.Dispose();
                _statements?.Dispose();
                _read.Dispose();
                _write.Dispose();
            }
        }
    }
}
