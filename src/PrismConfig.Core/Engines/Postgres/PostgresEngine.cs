using Dapper;
using Npgsql;

namespace PrismConfig.Core.Engines.Postgres;

/// <summary>
/// A store in a PostgreSQL database, shared by many hosts and operators. Connections come from a pool; a read is one
/// round trip on any of them. Every write is one transaction that first locks the store's counter row, so writes
/// are serial as in SQLite, every check a write makes inside its transaction holds until it commits, and the
/// revision each commit takes is in commit order.
/// </summary>
internal sealed partial class PostgresEngine : IStorageEngine
{
    /// <summary>The schema version this build writes and understands (schema_migrations).</summary>
    public const int CurrentSchemaVersion = 4;

    private readonly PostgresConnectionInfo _info;
    private readonly StoreOptions _options;
    private readonly NpgsqlDataSource _source;
    private int _schemaVersion;
    private volatile bool _committed;
    private volatile bool _disposed;

    private PostgresEngine(PostgresConnectionInfo info, StoreOptions options, NpgsqlDataSource source, int schemaVersion, bool created)
    {
        _info = info;
        _options = options;
        _source = source;
        _schemaVersion = schemaVersion;
        CreatedOnOpen = created;
    }

    public string Display => _info.Display;

    public int SchemaVersion => _schemaVersion;

    public bool CreatedOnOpen { get; }

    public IReadOnlyList<string> OpenWarnings => _info.PassFileWarning is { } warning ? [warning] : [];

    public EngineFeatures Features => EngineFeatures.Backup;

    /// <summary>Pre-restore backups go under the user's local data folder, one folder per server and database.</summary>
    public string DefaultBackupFolder => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "PrismConfig", "backups", string.Concat((_info.Server + "-" + _info.Database).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')));

    internal PostgresConnectionInfo Info => _info;

    internal StoreOptions Options => _options;

    public static PostgresEngine Open(StoreLocator locator, StoreOptions options)
    {
        var info = PostgresConnectionInfo.Parse(locator.Value, locator.Display);
        NpgsqlDataSource? source = null;
        try
        {
            source = NpgsqlDataSource.Create(info.ConnectionString);
            var (version, created) = OpenSchema(source, info, options);
            return new PostgresEngine(info, options, source, version, created);
        }
        catch (Exception ex) when (PostgresErrors.IsOurs(ex))
        {
            source?.Dispose();
            throw PostgresErrors.Translate(ex, info, options.BusyTimeout);
        }
        catch
        {
            source?.Dispose();
            throw;
        }
    }

    /// <summary>Checks that the database holds a PrismConfig store (or nothing, which CreateIfMissing initialises) and migrates it.</summary>
    private static (int Version, bool Created) OpenSchema(NpgsqlDataSource source, PostgresConnectionInfo info, StoreOptions options)
    {
        using var connection = source.OpenConnection();
        var probe = Probe(connection);
        if (probe.HasMigrations)
        {
            var version = connection.ExecuteScalar<int>(PostgresDialect.SchemaVersion);
            if (version > CurrentSchemaVersion) throw new SchemaTooNewException(info.Display, version, CurrentSchemaVersion);
            if (version == CurrentSchemaVersion) return (version, false);
        }
        else if (probe.HasNamespaces)
        {
            throw new StoreCorruptException(info.Display, "it has a namespaces table but no PrismConfig schema_migrations table, so it is not a PrismConfig store.");
        }
        else if (!options.CreateIfMissing)
        {
            throw new StorePathException(info.Display, "DatabaseNotFound",
                $"The PostgreSQL database '{info.Database}' on {info.Server} holds no PrismConfig store yet. Create one with Initialize-PrismConfig -Database '{StoreLocator.ForCommand(info.Display)}' or New-PrismNamespace.");
        }
        return Migrate(connection, info);
    }

    private readonly record struct SchemaProbe(bool HasMigrations, bool HasNamespaces);

    private static SchemaProbe Probe(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(PostgresDialect.SchemaProbe, connection);
        using var reader = command.ExecuteReader();
        reader.Read();
        return new SchemaProbe(reader.GetBoolean(0), reader.GetBoolean(1));
    }

    /// <summary>Creates or migrates the schema in one transaction under an advisory lock, so concurrent openers agree.</summary>
    private static (int Version, bool Created) Migrate(NpgsqlConnection connection, PostgresConnectionInfo info)
    {
        using var tx = connection.BeginTransaction();
        connection.Execute(PostgresDialect.MigrationLock, transaction: tx);
        var probe = Probe(connection);
        var version = probe.HasMigrations ? connection.ExecuteScalar<int>(PostgresDialect.SchemaVersion, transaction: tx) : 0;
        if (version > CurrentSchemaVersion) throw new SchemaTooNewException(info.Display, version, CurrentSchemaVersion);
        var created = false;
        if (version < PostgresDialect.FirstSchemaVersion)
        {
            if (probe.HasNamespaces)
            {
                throw new StoreCorruptException(info.Display, "it has a namespaces table but no PrismConfig schema_migrations table, so it is not a PrismConfig store.");
            }
            foreach (var statement in PostgresDialect.MigrationTo3)
            {
                connection.Execute(statement, transaction: tx);
            }
            created = true;
            version = 3;
        }
        if (version < 4)
        {
            foreach (var statement in PostgresDialect.MigrationTo4)
            {
                connection.Execute(statement, transaction: tx);
            }
        }
        tx.Commit();
        return (CurrentSchemaVersion, created);
    }

    /// <summary>No cheap token: asking the server costs a round trip, so the store reads through instead of caching.</summary>
    public long ChangeToken() => ReadState().Revision;

    public IChangeSignal SubscribeToChanges()
    {
        ThrowIfDisposed();
        return new PostgresChangeSignal(_info, Translate);
    }

    public bool StillThere() => !_disposed;

    public NamespaceRow? ReadNamespace(string name) => OnRead(connection =>
    {
        using var command = new NpgsqlCommand(PostgresDialect.SelectNamespaceByName, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? RowReader.Namespace(reader) : null;
    });

    public IReadOnlyList<NamespaceRow> ListNamespaces(NamespaceQuery? query) => OnRead(connection =>
    {
        var parameters = new DynamicParameters();
        var sql = SqlQueries.SelectNamespaces(PostgresDialect.Flavor, query, parameters);
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var name in parameters.ParameterNames)
        {
            command.Parameters.AddWithValue(name, parameters.Get<object>(name));
        }
        using var reader = command.ExecuteReader();
        var rows = new List<NamespaceRow>();
        while (reader.Read())
        {
            rows.Add(RowReader.Namespace(reader));
        }
        return (IReadOnlyList<NamespaceRow>)rows;
    });

    public int CountNamespaces() => OnRead(connection => (int)connection.ExecuteScalar<long>(PostgresDialect.CountNamespaces));

    public Dictionary<string, NamespaceKey> ReadKeys() => OnRead(connection => ReadKeys(connection, null, _info));

    internal static Dictionary<string, NamespaceKey> ReadKeys(NpgsqlConnection connection, NpgsqlTransaction? tx, PostgresConnectionInfo info)
    {
        using var command = new NpgsqlCommand(PostgresDialect.SelectNamespaceKeys, connection, tx);
        using var reader = command.ExecuteReader();
        var keys = new Dictionary<string, NamespaceKey>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var version = reader.GetInt64(2);
            if (version is < 0 or > int.MaxValue)
            {
                throw new StoreCorruptException(info.Display, $"namespace '{reader.GetString(1)}' has the version {version}, which no write makes. Run Test-PrismConfig.");
            }
            keys[reader.GetString(1)] = new NamespaceKey(reader.GetInt64(0), (int)version, reader.GetString(3));
        }
        return keys;
    }

    public StoreState ReadState() => OnRead(connection => ReadState(connection, null));

    private static StoreState ReadState(NpgsqlConnection connection, NpgsqlTransaction? tx)
    {
        using var command = new NpgsqlCommand(PostgresDialect.SelectState, connection, tx);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new StoreState(reader.GetInt64(0), reader.GetString(1)) : new StoreState(0, "");
    }

    public IReadOnlyList<RegistryRow> ReadRegistry() => OnRead(connection =>
        (IReadOnlyList<RegistryRow>)connection.Query<RegistryRow>(SqlQueries.SelectRegistry).AsList());

    public IReadOnlyList<RegistryHistoryRow> ReadRegistryHistory(string? kind, string? name) => OnRead(connection =>
        (IReadOnlyList<RegistryHistoryRow>)connection.Query<RegistryHistoryRow>(PostgresDialect.SelectRegistryHistory, new { kind, name }).AsList());

    public IReadOnlyList<HistoryRow> ReadHistory(HistoryQuery? query) => OnRead(connection =>
    {
        var parameters = new DynamicParameters();
        var sql = SqlQueries.SelectHistoryEntries(PostgresDialect.Flavor, query, parameters);
        return (IReadOnlyList<HistoryRow>)connection.Query<HistoryRow>(sql, parameters).AsList();
    });

    public IWriteScope BeginWrite(IProgress<TimeSpan>? waiting = null)
    {
        ThrowIfDisposed();
        try
        {
            return PostgresWriteScope.Begin(this, _source, waiting);
        }
        catch (Exception ex) when (PostgresErrors.IsOurs(ex))
        {
            throw Translate(ex);
        }
    }

    /// <summary>
    /// Runs a read on a pooled connection, translating errors. A read that fails because its connection broke (the
    /// server restarted, a proxy dropped it) is tried once more on a fresh one: reads change nothing.
    /// </summary>
    private T OnRead<T>(Func<NpgsqlConnection, T> body)
    {
        ThrowIfDisposed();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var connection = _source.OpenConnection();
                return body(connection);
            }
            catch (Exception ex) when (attempt == 0 && PostgresErrors.IsBrokenConnection(ex))
            {
                _source.Clear();
            }
            catch (Exception ex) when (PostgresErrors.IsOurs(ex))
            {
                throw Translate(ex);
            }
        }
    }

    internal PrismConfigException Translate(Exception ex) => PostgresErrors.Translate(ex, _info, _options.BusyTimeout);

    internal void NoteCommit() => _committed = true;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void DiscardCreated()
    {
        // As in SQLite: only a schema this engine created and nobody has written to, judged under the write lock.
        if (CreatedOnOpen && !_committed && !_disposed)
        {
            try
            {
                using var connection = _source.OpenConnection();
                using var tx = connection.BeginTransaction();
                connection.Execute(PostgresDialect.LockState, transaction: tx);
                var empty = connection.ExecuteScalar<long>(PostgresDialect.CountHistory, transaction: tx) == 0
                    && connection.ExecuteScalar<long>("SELECT COUNT(*) FROM namespaces", transaction: tx) == 0;
                if (empty)
                {
                    connection.Execute(PostgresDialect.DropSchema, transaction: tx);
                    tx.Commit();
                }
            }
            catch (Exception ex) when (PostgresErrors.IsOurs(ex))
            {
                // Leaving an empty schema behind is harmless; the failure that led here is what the caller reports.
            }
        }
        Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _source.Dispose();
    }
}
