using System.Text.Json;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Store;

namespace PrismConfig.Core;

/// <summary>
/// The configuration store: validation, patching, canonical form, no-op detection, diffs, history entries, import
/// plans and optimistic versions, over a storage engine that it never looks inside. Thread-safe; open it once
/// per locator and reuse it.
/// </summary>
/// <remarks>
/// Single namespaces are served from an in-process cache that the engine's change token validates on every call:
/// the token moves whenever anyone, in any process, commits, and the cache is dropped when it does.
/// </remarks>
public sealed partial class ConfigStore : IDisposable
{
    /// <summary>The schema version this build writes and understands.</summary>
    public const int CurrentSchemaVersion = 4;

    /// <summary>Bounds the name cache (misses are cached too); it is simply cleared when it grows past this.</summary>
    private const int MaxCachedNames = 100_000;

    private readonly IStorageEngine _engine;
    private readonly object _cacheLock = new();
    private readonly Dictionary<string, StoredNamespace?> _cache = new(StringComparer.Ordinal);
    private readonly bool _cacheable;
    private long _cacheToken = long.MinValue;
    private volatile bool _disposed;
    private int _openWarningsTaken;

    private ConfigStore(StoreLocator locator, IStorageEngine engine)
    {
        Locator = locator;
        _engine = engine;
        _cacheable = engine.Features.HasFlag(EngineFeatures.LocalChangeToken);
    }

    /// <summary>
    /// Opens (and, with <see cref="StoreOptions.CreateIfMissing"/>, creates) the store a locator names: a file
    /// path, <c>sqlite:///path</c>, or a PostgreSQL URI. Throws a <see cref="PrismConfigException"/> naming the store.
    /// </summary>
    public static ConfigStore Open(string locator, StoreOptions? options = null) => Open(StoreLocator.Parse(locator), options);

    /// <inheritdoc cref="Open(string, StoreOptions?)"/>
    public static ConfigStore Open(StoreLocator locator, StoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(locator);
        var given = options ?? new StoreOptions();
        // A private copy: a caller changing its options object later must not change a shared open store.
        var opts = new StoreOptions { CreateIfMissing = given.CreateIfMissing, Durability = given.Durability, BusyTimeout = given.BusyTimeout, WarmReads = given.WarmReads };
        return new ConfigStore(locator, EngineFactory.Open(locator, opts));
    }

    /// <summary>Where the store lives.</summary>
    public StoreLocator Locator { get; }

    /// <summary>The store as it may be shown (a file path, or a URI without its password).</summary>
    public string Path => _engine.Display;

    /// <summary>The schema version of the open store.</summary>
    public int SchemaVersion => _engine.SchemaVersion;

    /// <summary>True when opening this store created it.</summary>
    public bool Created => _engine.CreatedOnOpen;

    /// <summary>
    /// What the user should fix that opening the store worked around (a pgpass file others may read), the first time
    /// it is asked for and empty after: a store opened once and shared by many commands says it once.
    /// </summary>
    public IReadOnlyList<string> TakeOpenWarnings() =>
        Interlocked.Exchange(ref _openWarningsTaken, 1) == 0 ? _engine.OpenWarnings : [];

    /// <summary>Where a pre-restore backup of this store goes by default.</summary>
    public string DefaultBackupFolder => _engine.DefaultBackupFolder;

    /// <summary>False when the store went away under this object (its file was deleted), so it must be reopened.</summary>
    public bool StillThere() => !_disposed && _engine.StillThere();

    /// <summary>Names are lower case; a lookup by any case finds the one namespace it can mean.</summary>
    internal static string Key(string name) => name.ToLowerInvariant();

    /// <summary>A copy of the namespace, or null.</summary>
    /// <remarks>A row read through (no cache) is already the caller's own object: only a cached one is copied.</remarks>
    public NamespaceConfig? TryGet(string name) => _cacheable ? TryGetStored(name)?.Config.Clone() : TryGetStored(name)?.Config;

    /// <summary>Like TryGet, but throws NamespaceNotFoundException.</summary>
    public NamespaceConfig Get(string name) => TryGet(name) ?? throw new NamespaceNotFoundException(name);

    /// <summary>The cached row and state of a namespace (not a copy: callers must not change it), or null.</summary>
    private StoredNamespace? TryGetStored(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = Key(name);
        if (!_cacheable)
        {
            ThrowIfDisposed();
            var fresh = _engine.ReadNamespace(key);
            return fresh is null ? null : new StoredNamespace(fresh.Id, ToConfig(fresh));
        }
        lock (_cacheLock)
        {
            ThrowIfDisposed();
            var token = _engine.ChangeToken();
            if (token != _cacheToken)
            {
                _cache.Clear();
                _cacheToken = token;
            }
            if (!_cache.TryGetValue(key, out var cached))
            {
                var row = _engine.ReadNamespace(key);
                cached = row is null ? null : new StoredNamespace(row.Id, ToConfig(row));
                if (_cache.Count >= MaxCachedNames)
                {
                    _cache.Clear();
                }
                _cache[key] = cached;
            }
            return cached;
        }
    }

    /// <summary>Namespaces matching every filter, sorted by name (ordinal).</summary>
    /// <remarks>A damaged row throws <see cref="NamespaceDamagedException"/>; the overload with a callback skips it instead.</remarks>
    public IReadOnlyList<NamespaceConfig> List(NamespaceQuery? query = null) => List(query, null);

    /// <summary>
    /// As <see cref="List(NamespaceQuery?)"/>, but a damaged row is passed to <paramref name="damaged"/> and skipped,
    /// so one bad row costs one error, not the whole list.
    /// </summary>
    public IReadOnlyList<NamespaceConfig> List(NamespaceQuery? query, Action<NamespaceDamagedException>? damaged)
    {
        ThrowIfDisposed();
        var rows = _engine.ListNamespaces(query);
        var list = new List<NamespaceConfig>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                list.Add(ToConfig(row));
            }
            catch (NamespaceDamagedException ex) when (damaged is not null)
            {
                damaged(ex);
            }
        }
        return list;
    }

    /// <summary>How many namespaces the store holds, whatever their status.</summary>
    public int CountNamespaces()
    {
        ThrowIfDisposed();
        return _engine.CountNamespaces();
    }

    /// <summary>The store's revision (its last committed change) and epoch.</summary>
    public StoreState State
    {
        get
        {
            ThrowIfDisposed();
            return _engine.ReadState();
        }
    }

    /// <summary>History entries matching the query, oldest first.</summary>
    public IReadOnlyList<HistoryEntry> GetHistory(HistoryQuery? query = null)
    {
        if (query?.Last is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Last, "Last is 0 or more.");
        }
        ThrowIfDisposed();
        var rows = _engine.ReadHistory(query).ToList();
        if (query?.Last is not null)
        {
            rows.Reverse();
        }
        return rows.Select(ToHistoryEntry).ToList();
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
            Revision = row.Revision ?? 0,
            Id = row.Id,
        };
    }

    private NamespaceConfig? ParseSnapshot(string? json, string name)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            return Snapshot.Parse(json);
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw new StoreCorruptException(Path, $"a history snapshot of namespace '{name}' is damaged ({ex.Message}).", ex);
        }
    }

    private NamespaceConfig ToConfig(NamespaceRow row)
    {
        try
        {
            return Rows.ToConfig(row);
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw new NamespaceDamagedException(Path, row.Name, $"its stored data cannot be read ({ex.Message}).", ex);
        }
    }

    /// <summary>What reading damaged stored JSON or numbers throws.</summary>
    internal static bool IsDamage(Exception ex) => ex is JsonException or FormatException or OverflowException or InvalidOperationException;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void InvalidateCache()
    {
        lock (_cacheLock)
        {
            _cache.Clear();
            _cacheToken = long.MinValue;
            _registry = null;
            _registryRows = null;
        }
    }

    /// <summary>
    /// Closes a store that opening created, and removes it again: for a caller whose first write failed, so that a
    /// mistyped path leaves nothing behind. A store that existed before is only closed.
    /// </summary>
    public void DiscardIfCreated()
    {
        lock (_cacheLock)
        {
            _disposed = true;
            _cache.Clear();
        }
        _engine.DiscardCreated();
    }

    /// <summary>Closes the store. Safe to call more than once.</summary>
    public void Dispose()
    {
        lock (_cacheLock)
        {
            if (_disposed) return;
            _disposed = true;
            _cache.Clear();
        }
        _engine.Dispose();
    }
}

/// <summary>A namespace as a write sees it: its row id and its current state.</summary>
internal sealed record StoredNamespace(long Id, NamespaceConfig Config);
