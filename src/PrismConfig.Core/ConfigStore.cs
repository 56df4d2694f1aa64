using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PrismConfig.Core.Storage;
using PrismConfig.Core.Validation;
using Factory = PrismConfig.Core.Storage.SqliteConnectionFactory;

namespace PrismConfig.Core;

/// <summary>
/// The configuration store: one SQLite file in the ADR-036 schema. Thread-safe; open it once per path and
/// reuse it. Every write is one BEGIN IMMEDIATE transaction that writes exactly one history row per change.
/// </summary>
/// <remarks>
/// The store keeps two long-lived connections, opened once in <see cref="Open"/>: one for reads (query_only)
/// and one for writes, each guarded by its own lock. Reads of single namespaces are served from an in-process
/// snapshot cache that is validated on every call with PRAGMA data_version, which changes whenever any other
/// connection (this store's writer, another store, another process) commits. In WAL mode a call first looks at the
/// wal-index header in shared memory (<see cref="WalIndexWatch"/>), which every commit rewrites, and asks
/// data_version only when it has changed: the same answer without a read transaction's system calls.
/// </remarks>
public sealed partial class ConfigStore : IDisposable
{
    /// <summary>The schema version this build writes and understands (PRAGMA user_version).</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Bounds the name cache (misses are cached too); it is simply cleared when it grows past this.</summary>
    private const int MaxCachedNames = 100_000;

    private readonly string _path;
    private readonly StoreOptions _options;
    private readonly object _readLock = new();
    private readonly object _writeLock = new();
    private readonly SqliteConnection _read;
    private readonly SqliteConnection _write;
    private readonly Factory.DataVersionProbe _dataVersion;
    private readonly Dictionary<string, NamespaceConfig?> _cache = new(StringComparer.Ordinal);
    private long _cacheDataVersion = long.MinValue;
    private WalIndexWatch? _walIndex; // guarded by _readLock; null until the read connection is seen in WAL mode
    private SqliteCommand? _readByName;
    private WriteCommands? _writeCommands;
    private int _schemaVersion;
    private volatile bool _hasTagIndex;
    private bool _writePrepared; // guarded by _writeLock once the store is constructed
    private volatile bool _disposed;

    private ConfigStore(string path, StoreOptions options, SqliteConnection write, SqliteConnection read, Factory.DataVersionProbe probe, int schemaVersion)
    {
        _path = path;
        _options = options;
        _write = write;
        _read = read;
        _dataVersion = probe;
        _schemaVersion = schemaVersion;
    }

    /// <summary>
    /// Opens (and, with <see cref="StoreOptions.CreateIfMissing"/>, creates) the store at <paramref name="path"/>,
    /// running migrations. Throws StorePathException, StoreCorruptException, SchemaTooNewException,
    /// StorePermissionException or StoreBusyException.
    /// </summary>
    public static ConfigStore Open(string path, StoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var given = options ?? new StoreOptions();
        // A private copy: a caller changing its options object later must not change a shared open store.
        var opts = new StoreOptions { CreateIfMissing = given.CreateIfMissing, Durability = given.Durability, BusyTimeout = given.BusyTimeout };
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StorePathException(path, "StorePathInvalid", $"'{path}' is not a valid file path: {ex.Message}", ex);
        }

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

        // Refuse foreign, empty and too-new files before SQLite may write anything (even a journal-mode change).
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
            // A file that is not in WAL mode yet (a backup, a copy, a file someone switched) is only read here:
            // switching it to WAL writes its header, so that waits until the first write (PrepareFirstWrite), when
            // the store has been read as ours and the caller asked for a change. A damaged or foreign file that
            // merely looks like a store is never modified by opening or reading it. Files Core creates are WAL.
            var writePrepared = IsWal(write);
            if (version < CurrentSchemaVersion)
            {
                // Initialising a blank database (CreateIfMissing) or migrating is a write the caller asked for.
                EnableWal(write);
                version = Migrate(write, full, opts.BusyTimeout);
                writePrepared = true;
            }
            var hasTagIndex = writePrepared
                ? EnsureTagIndex(write, full, opts.BusyTimeout)
                : Factory.Strings(write, SqliteDialect.ListTables).Contains(SqliteDialect.TagIndexTable);
            read = Factory.Open(full, SqliteOpenMode.ReadWrite, opts);
            Factory.Execute(read, SqliteDialect.QueryOnly);
            probe = new Factory.DataVersionProbe(read);
            if (created)
            {
                Factory.RestrictToOwner(full + "-wal");
                Factory.RestrictToOwner(full + "-shm");
            }
            return new ConfigStore(full, opts, write, read, probe, version) { _hasTagIndex = hasTagIndex, _writePrepared = writePrepared };
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
    /// Creates a new store atomically: the schema is written to a private (0600) temporary file in the same folder,
    /// which is then linked into place without overwriting. There is never a half-initialised or empty file at
    /// <paramref name="full"/>, and two processes creating the same store at once both end up with one database.
    /// Returns false if another process created the file first.
    /// </summary>
    private static bool InitializeNewFile(string full, StoreOptions opts)
    {
        var folder = System.IO.Path.GetDirectoryName(full) ?? throw Factory.DirectoryPath(full);
        if (File.Exists(folder))
        {
            throw new StorePathException(full, "StoreFolderInvalid", $"The folder of '{full}' is a file, not a folder.");
        }
        Factory.CreateFolder(folder);
        var temp = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(full) + ".init-" + Guid.NewGuid().ToString("N"));
        try
        {
            Factory.CreatePrivateFile(temp);
            using (var connection = Factory.Open(temp, SqliteOpenMode.ReadWrite, opts))
            {
                Factory.Execute(connection, SqliteDialect.JournalModeWal);
                Migrate(connection, full, opts.BusyTimeout);
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
        catch (UnauthorizedAccessException ex)
        {
            throw new StorePermissionException(full, "the database cannot be created in its folder by this user.", ex);
        }
        finally
        {
            foreach (var leftover in new[] { temp, temp + "-wal", temp + "-shm", temp + "-journal" })
            {
                try
                {
                    File.Delete(leftover);
                }
                catch (IOException)
                {
                    // Best effort: a leftover temp file is harmless and hidden.
                }
                catch (UnauthorizedAccessException)
                {
                    // As above.
                }
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
        else if (!Factory.IsOurSchema(tables))
        {
            throw new StoreCorruptException(path, $"it says schema version {version} but lacks the tables {string.Join(", ", SqliteDialect.RequiredTables.Except(tables))}.");
        }
        return version;
    }

    private static void EnableWal(SqliteConnection connection)
    {
        // A no-op (no write) when the file is already in WAL mode, which every store Core creates is.
        // On a read-only file SQLite keeps the old mode; reads still work and writes fail with StorePermissionException.
        if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
        {
            return;
        }
        Factory.Execute(connection, SqliteDialect.JournalModeWal);
    }

    /// <summary>Whether the connection's database is in WAL mode. Only asks; "PRAGMA journal_mode" without a value writes nothing.</summary>
    private static bool IsWal(SqliteConnection connection) =>
        string.Equals(Factory.Scalar(connection, SqliteDialect.JournalMode) as string, "wal", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Called under the write lock before the first write of a store opened on a file that was not in WAL mode:
    /// switches it to WAL and adds the tag index if it lacks it, as <see cref="Open"/> does for WAL files.
    /// </summary>
    private void PrepareFirstWrite()
    {
        if (_writePrepared) return;
        EnableWal(_write);
        if (!_hasTagIndex)
        {
            _hasTagIndex = EnsureTagIndex(_write, _path, _options.BusyTimeout);
        }
        _writePrepared = true;
    }

    /// <summary>
    /// Adds the tag index (namespace_tags and its triggers) to a schema-1 store created before it existed, filled from
    /// namespaces.tags, in one BEGIN IMMEDIATE transaction. Returns whether the store has it; a read-only file
    /// without it is left alone and tag filters fall back to json_each.
    /// </summary>
    private static bool EnsureTagIndex(SqliteConnection connection, string path, TimeSpan busyTimeout)
    {
        if (Factory.Strings(connection, SqliteDialect.ListTables).Contains(SqliteDialect.TagIndexTable))
        {
            return true;
        }
        if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
        {
            return false;
        }
        Factory.BeginImmediate(connection, path, busyTimeout);
        try
        {
            var existed = Factory.Strings(connection, SqliteDialect.ListTables).Contains(SqliteDialect.TagIndexTable);
            foreach (var statement in SqliteDialect.TagIndex)
            {
                Factory.Execute(connection, statement);
            }
            if (!existed)
            {
                Factory.Execute(connection, SqliteDialect.BackfillTagIndex);
            }
            Factory.Commit(connection, path, busyTimeout);
            return true;
        }
        catch
        {
            Factory.RollbackQuietly(connection);
            throw;
        }
    }

    /// <summary>Runs the migrations inside one BEGIN IMMEDIATE transaction; all or nothing.</summary>
    private static int Migrate(SqliteConnection connection, string path, TimeSpan busyTimeout)
    {
        Factory.BeginImmediate(connection, path, busyTimeout);
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
            }
            Factory.Commit(connection, path, busyTimeout);
            return CurrentSchemaVersion;
        }
        catch
        {
            Factory.RollbackQuietly(connection);
            throw;
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string Path => _path;

    /// <summary>The schema version of the open database (PRAGMA user_version).</summary>
    public int SchemaVersion => _schemaVersion;

    // ----------------------------------------------------------------------------------------------------------
    // Reads
    // ----------------------------------------------------------------------------------------------------------

    /// <summary>
    /// A copy of the namespace, or null. Served from an in-process snapshot that PRAGMA data_version keeps current,
    /// and that the wal-index header vouches for between commits.
    /// </summary>
    public NamespaceConfig? TryGet(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_readLock)
        {
            ThrowIfDisposed();
            try
            {
                if (_walIndex is not { } watch || !watch.Unchanged())
                {
                    RevalidateCache();
                }
                if (!_cache.TryGetValue(name, out var cached))
                {
                    _readByName ??= PrepareReadByName(_read);
                    cached = LoadByName(_readByName, name)?.Config;
                    if (_cache.Count >= MaxCachedNames)
                    {
                        _cache.Clear();
                    }
                    _cache[name] = cached;
                }
                return cached?.Clone();
            }
            catch (SqliteException ex)
            {
                throw Translate(ex);
            }
        }
    }

    /// <summary>
    /// Under the read lock: asks data_version whether anyone committed, dropping the cache if so, and keeps the
    /// wal-index watch in step with it so that the next lookups can skip the question while nothing changes.
    /// </summary>
    private void RevalidateCache()
    {
        // The header is read before data_version: a commit between the two then shows as a changed header next time.
        Span<byte> header = stackalloc byte[WalIndexWatch.HeaderSize];
        var haveHeader = _walIndex is { } watch && watch.TryRead(header);
        var dataVersion = _dataVersion.Read(_read);
        DataVersionReads++;
        if (dataVersion != _cacheDataVersion)
        {
            _cache.Clear();
            _cacheDataVersion = dataVersion;
            // A store opened on a file not yet in WAL mode can be switched to it later (its first write, or
            // another process's); each change is the moment to try again. The read above mapped the -shm if it is.
            if (_walIndex is null && WalIndexWatch.Available && IsWal(_read))
            {
                _walIndex = WalIndexWatch.TryAttach(_read);
            }
        }
        if (haveHeader)
        {
            _walIndex!.Remember(header);
        }
        else
        {
            _walIndex?.Forget();
        }
    }

    /// <summary>How many times lookups have asked PRAGMA data_version (tests check the watch really skips it). Under the read lock.</summary>
    internal long DataVersionReads { get; private set; }

    /// <summary>Whether lookups skip data_version while the wal-index header is unchanged (tests check it stays so).</summary>
    internal bool WatchesWalIndex
    {
        get
        {
            lock (_readLock)
            {
                return _walIndex is not null;
            }
        }
    }

    /// <summary>Like TryGet, but throws NamespaceNotFoundException.</summary>
    public NamespaceConfig Get(string name) => TryGet(name) ?? throw new NamespaceNotFoundException(name);

    /// <summary>Namespaces matching every filter, sorted by name (ordinal).</summary>
    public IReadOnlyList<NamespaceConfig> List(NamespaceQuery? query = null) => OnRead(() =>
    {
        var parameters = new DynamicParameters();
        var sql = SqliteDialect.SelectNamespaces(query, parameters, _hasTagIndex);
        return (IReadOnlyList<NamespaceConfig>)_read.Query<NamespaceRow>(sql, parameters).Select(ToConfig).ToList();
    });

    /// <summary>How many namespaces the store holds, whatever their status.</summary>
    public int CountNamespaces() => OnRead(() => (int)Factory.ScalarInt64(_read, SqliteDialect.CountNamespaces));

    /// <summary>History entries matching the query, oldest first.</summary>
    public IReadOnlyList<HistoryEntry> GetHistory(HistoryQuery? query = null)
    {
        if (query?.Last is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Last, "Last is 0 or more.");
        }
        return OnRead(() =>
        {
            var parameters = new DynamicParameters();
            var sql = SqliteDialect.SelectHistoryEntries(query, parameters);
            var rows = _read.Query<HistoryRow>(sql, parameters).ToList();
            if (query?.Last is not null)
            {
                rows.Reverse();
            }
            return (IReadOnlyList<HistoryEntry>)rows.Select(ToHistoryEntry).ToList();
        });
    }

    private HistoryEntry ToHistoryEntry(HistoryRow row)
    {
        var oldConfig = ParseSnapshot(row.OldConfig, row.Name);
        var newConfig = ParseSnapshot(row.NewConfig, row.Name);
        return new HistoryEntry
        {
            Name = row.Name,
            Version = (int)(row.Version ?? 0),
            Operation = row.Operation,
            ChangedAt = DateTimeOffset.FromUnixTimeSeconds(row.ChangedAt),
            ChangedBy = row.ChangedBy,
            Reason = row.Reason,
            OldConfig = oldConfig,
            NewConfig = newConfig,
            Changes = ConfigDiff.Compute(oldConfig, newConfig),
        };
    }

    private NamespaceConfig? ParseSnapshot(string? json, string name)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            return Snapshot.Parse(json);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            throw new StoreCorruptException(_path, $"a history snapshot of namespace '{name}' is damaged ({ex.Message}).", ex);
        }
    }

    private NamespaceConfig ToConfig(NamespaceRow row)
    {
        try
        {
            return row.ToConfig();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            throw new StoreCorruptException(_path, $"the stored row of namespace '{row.Name}' is damaged ({ex.Message}). Run Test-PrismConfig for details.", ex);
        }
    }

    private static SqliteCommand PrepareReadByName(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectNamespaceByName;
        command.Parameters.Add("$name", SqliteType.Text);
        command.Prepare();
        return command;
    }

    private StoredNamespace? LoadByName(SqliteCommand selectByName, string name)
    {
        selectByName.Parameters[0].Value = name;
        using var reader = selectByName.ExecuteReader();
        if (!reader.Read()) return null;
        var row = NamespaceRow.Read(reader);
        return new StoredNamespace(row.Id, ToConfig(row));
    }

    private Dictionary<string, StoredNamespace> LoadAll(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectAllNamespaces;
        using var reader = command.ExecuteReader();
        var all = new Dictionary<string, StoredNamespace>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var row = NamespaceRow.Read(reader);
            all[row.Name] = new StoredNamespace(row.Id, ToConfig(row));
        }
        return all;
    }

    /// <summary>Every namespace's name, row id and status: all an import needs to know up front.</summary>
    private static Dictionary<string, NamespaceKey> LoadKeys(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectNamespaceKeys;
        using var reader = command.ExecuteReader();
        var keys = new Dictionary<string, NamespaceKey>(StringComparer.Ordinal);
        while (reader.Read())
        {
            keys[reader.GetString(1)] = new NamespaceKey(reader.GetInt64(0), reader.GetString(2));
        }
        return keys;
    }

    private readonly record struct NamespaceKey(long Id, string Status);

    private static string? LoadSnapshotJson(SqliteConnection connection, long namespaceId, int version)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectHistorySnapshot;
        command.Parameters.AddWithValue("$namespace_id", namespaceId);
        command.Parameters.AddWithValue("$version", version);
        return command.ExecuteScalar() as string;
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

    private PrismConfigException Translate(SqliteException ex) => Factory.Translate(ex, _path, _options.BusyTimeout);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void InvalidateCache()
    {
        lock (_readLock)
        {
            _cache.Clear();
            _cacheDataVersion = long.MinValue;
            _walIndex?.Forget();
        }
    }

    /// <summary>Closes the store's connections. Safe to call more than once.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            lock (_readLock)
            {
                if (_disposed) return;
                _disposed = true;
                // SQLite's -shm mapping goes away with the read connection.
                _walIndex = null;
                _dataVersion.Dispose();
                _readByName?.Dispose();
                _writeCommands?.Dispose();
                _read.Dispose();
                _write.Dispose();
                _cache.Clear();
            }
        }
    }
}
