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

    public EngineFeatures Features => EngineFeatures.Backup | EngineFeatures.LocalChangeToken;

    public string DefaultBackupFolder => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_path) ?? ".", "backups");

    internal StoreOptions Options => _options;

    internal string Path => _path;

    /// <summary>
    /// Opens (and, with <see cref="StoreOptions.CreateIfMissing"/>, creates) the store at <paramref name="full"/>,
    /// running migrations. Refuses foreign, empty and too-new files before SQLite may write anything.
    /// </summary>
    public static SqliteEngine Open(string full, StoreOptions opts)
    {
        if (Directory.Exists(full))
        {
            throw Factory.DirectoryPath(full);
        }
        var created = false;
        if (!File.Exists(full))
        {
            if (!opts.CreateIfMissing)
            {
                throw StorePathException.Missing(full);
            }
            created = InitializeNewFile(full, opts);
        }

        var header = Factory.ReadHeader(full);
        if (header.UserVersion > CurrentSchemaVersion)
        {
            throw new SchemaTooNewException(full, header.UserVersion, CurrentSchemaVersion);
        }

        SqliteConnection? write = null;
        SqliteConnection? read = null;
        Factory.DataVersionProbe? probe = null;
        try
        {
            write = Factory.Open(full, SqliteOpenMode.ReadWrite, opts);
            var version = CheckSchema(write, full, opts.CreateIfMissing);
            // A file not in WAL mode yet (a backup, a copy) is only read here: switching it writes its header, so
            // that waits for the first write. A damaged or foreign file is never modified by opening or reading it.
            var walReady = IsWal(write);
            if (version < CurrentSchemaVersion)
            {
                // Initialising a blank database (CreateIfMissing) or migrating is a write the caller asked for.
                EnableWal(write);
                version = Migrate(write, full, opts);
                walReady = true;
            }
            read = Factory.Open(full, SqliteOpenMode.ReadWrite, opts);
            Factory.Execute(read, SqliteDialect.QueryOnly);
            probe = new Factory.DataVersionProbe(read);
            if (created)
            {
                PrivateFiles.RestrictToOwner(full + "-wal");
                PrivateFiles.RestrictToOwner(full + "-shm");
            }
            return new SqliteEngine(full, opts, write, read, probe, version, walReady, created);
        }
        catch (Exception ex)
        {
            probe?.Dispose();
            read?.Dispose();
            write?.Dispose();
            if (ex is SqliteException sqlite)
            {
                throw Factory.Translate(sqlite, full, opts.BusyTimeout);
            }
            throw;
        }
    }

    /// <summary>
    /// Creates a new store atomically: the schema is written to a private temporary file in the same folder, which
    /// is then linked into place without overwriting. There is never a half-initialised file at <paramref name="full"/>,
    /// and two processes creating the same store at once both end up with one database. False if another won.
    /// </summary>
    private static bool InitializeNewFile(string full, StoreOptions opts)
    {
        var folder = System.IO.Path.GetDirectoryName(full) ?? throw Factory.DirectoryPath(full);
        if (File.Exists(folder))
        {
            throw new StorePathException(full, "StoreFolderInvalid", $"The folder of '{full}' is a file, not a folder.");
        }
        PrivateFiles.CreateFolder(folder);
        var temp = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(full) + ".init-" + Guid.NewGuid().ToString("N"));
        try
        {
            PrivateFiles.CreatePrivateFile(temp);
            using (var connection = Factory.Open(temp, SqliteOpenMode.ReadWrite, opts))
            {
                Factory.Execute(connection, SqliteDialect.JournalModeWal);
                Migrate(connection, full, opts);
            }
            try
            {
                File.Move(temp, full, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(full))
            {
                return false;
            }
        }
        catch (SqliteException ex)
        {
            throw Factory.Translate(ex, full, opts.BusyTimeout);
        }
        catch (StorePermissionException ex) when (Equals(ex.Target, temp))
        {
            // The temporary file is ours, not the user's: name the database they asked for.
            throw new StorePermissionException(full, "the database cannot be created in its folder by this user.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorePermissionException(full, "the database cannot be created in its folder by this user.", ex);
        }
        catch (IOException ex)
        {
            // The message names our temporary file, which the user never asked for: say what it means instead.
            var why = ex is FileNotFoundException or DirectoryNotFoundException
                ? $"its folder '{folder}' does not accept new files (a system folder such as /proc, or one that is gone)"
                : ex.Message.Replace(temp, full, StringComparison.Ordinal);
            throw new StorePermissionException(full, $"the database cannot be created there: {why}.", ex);
        }
        finally
        {
            foreach (var leftover in SideFiles.WithSideFiles(temp))
            {
                SideFiles.TryDelete(leftover);
            }
        }
    }

    /// <summary>Checks that the file is a PrismConfig store (or a blank database we may initialise) and returns its schema version.</summary>
    private static int CheckSchema(SqliteConnection connection, string path, bool mayInitialise)
    {
        var version = (int)Factory.ScalarInt64(connection, SqliteDialect.GetUserVersion);
        if (version > CurrentSchemaVersion)
        {
            throw new SchemaTooNewException(path, version, CurrentSchemaVersion);
        }
        var tables = Factory.Strings(connection, SqliteDialect.ListTables);
        if (version == 0)
        {
            if (tables.Count > 0)
            {
                throw new StoreCorruptException(path, $"it is a SQLite database, but not a PrismConfig one (it has the tables {string.Join(", ", tables)} and no PrismConfig schema version).");
            }
            if (!mayInitialise)
            {
                throw new StoreCorruptException(path, "it is an empty SQLite database without the PrismConfig schema. Initialise it with Initialize-PrismConfig.");
            }
        }
        else if (!Factory.IsOurSchema(tables, version))
        {
            throw new StoreCorruptException(path, $"it says schema version {version} but lacks the tables {string.Join(", ", SqliteDialect.RequiredTablesFor(version).Except(tables))}.");
        }
        return version;
    }

    private static void EnableWal(SqliteConnection connection)
    {
        // A no-op when the file is already in WAL mode. On a read-only file SQLite keeps the old mode; reads still
        // work and writes fail with StorePermissionException.
        if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
        {
            return;
        }
        Factory.Execute(connection, SqliteDialect.JournalModeWal);
    }

    private static bool IsWal(SqliteConnection connection) =>
        string.Equals(Factory.Scalar(connection, SqliteDialect.JournalMode) as string, "wal", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs the migrations inside one BEGIN IMMEDIATE transaction; all or nothing.</summary>
    private static int Migrate(SqliteConnection connection, string path, StoreOptions options)
    {
        Factory.BeginImmediate(connection, path, options.BusyTimeout);
        try
        {
            // Re-read inside the lock: another process may have migrated while we waited.
            var version = (int)Factory.ScalarInt64(connection, SqliteDialect.GetUserVersion);
            if (version > CurrentSchemaVersion)
            {
                throw new SchemaTooNewException(path, version, CurrentSchemaVersion);
            }
            if (version < 1)
            {
                foreach (var statement in SqliteDialect.MigrationTo1)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(1));
                version = 1;
            }
            if (version < 2)
            {
                foreach (var statement in SqliteDialect.MigrationTo2)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(2));
                version = 2;
            }
            if (version < 3)
            {
                foreach (var statement in SqliteDialect.MigrationTo3)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(3));
                version = 3;
            }
            if (version < SqliteDialect.RegistrySchemaVersion)
            {
                foreach (var statement in SqliteDialect.RegistryMigration)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(SqliteDialect.RegistrySchemaVersion));
            }
            Factory.Commit(connection, path, options.BusyTimeout);
            return CurrentSchemaVersion;
        }
        catch
        {
            Factory.RollbackQuietly(connection);
            throw;
        }
    }

    public long ChangeToken() => OnRead(() => _dataVersion.Read(_read));

    public IChangeSignal SubscribeToChanges() => new TokenChangeSignal(ChangeToken);

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
