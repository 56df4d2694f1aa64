namespace PrismConfig.Core;

/// <summary>
/// The configuration store: one SQLite file in the ADR-036 schema. Thread-safe; open it once per path and
/// reuse it. Every write is one BEGIN IMMEDIATE transaction that writes exactly one history row per change.
/// </summary>
public sealed partial class ConfigStore : IDisposable
{
    /// <summary>The schema version this build writes and understands (PRAGMA user_version).</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>
    /// Opens (and, with <see cref="StoreOptions.CreateIfMissing"/>, creates) the store at <paramref name="path"/>,
    /// running migrations. Throws StorePathException, StoreCorruptException, SchemaTooNewException,
    /// StorePermissionException or StoreBusyException.
    /// </summary>
    public static ConfigStore Open(string path, StoreOptions? options = null) => throw new NotImplementedException();

    public string Path => throw new NotImplementedException();
    public int SchemaVersion => throw new NotImplementedException();

    public NamespaceConfig Create(NamespaceConfig config, WriteContext? context = null) => throw new NotImplementedException();

    /// <summary>A copy of the namespace, or null. Served from an in-process snapshot that PRAGMA data_version keeps current.</summary>
    public NamespaceConfig? TryGet(string name) => throw new NotImplementedException();

    /// <summary>Like TryGet, but throws NamespaceNotFoundException.</summary>
    public NamespaceConfig Get(string name) => throw new NotImplementedException();

    /// <summary>Namespaces matching every filter, sorted by name (ordinal).</summary>
    public IReadOnlyList<NamespaceConfig> List(NamespaceQuery? query = null) => throw new NotImplementedException();

    public int CountNamespaces() => throw new NotImplementedException();

    /// <summary>What <see cref="Update"/> would do, without writing: the proposed state and its changes.</summary>
    public WriteResult PreviewUpdate(string name, NamespacePatch patch) => throw new NotImplementedException();

    /// <summary>Applies a partial change. A patch that changes nothing writes nothing and keeps the version.</summary>
    public WriteResult Update(string name, NamespacePatch patch, WriteContext? context = null) => throw new NotImplementedException();

    /// <summary>Sets the status. History operation: 'disable' for disabled, 'enable' for active, 'update' for migrating.</summary>
    public WriteResult SetStatus(string name, string status, WriteContext? context = null) => throw new NotImplementedException();

    /// <summary>What <see cref="Restore"/> would do, without writing.</summary>
    public WriteResult PreviewRestore(string name, int version) => throw new NotImplementedException();

    /// <summary>Makes the namespace exactly its snapshot at <paramref name="version"/>, as a new version (operation 'restore').</summary>
    public WriteResult Restore(string name, int version, WriteContext? context = null) => throw new NotImplementedException();

    public IReadOnlyList<HistoryEntry> GetHistory(HistoryQuery? query = null) => throw new NotImplementedException();

    /// <summary>
    /// Declaratively applies a whole desired set in one transaction: create missing, update different, leave equal,
    /// and with Prune disable the rest. All or nothing.
    /// </summary>
    public IReadOnlyList<ImportResult> Import(IReadOnlyList<NamespaceConfig> desired, ImportOptions? options = null) => throw new NotImplementedException();

    /// <summary>A consistent online copy (SQLite backup API) to <paramref name="destinationFile"/>, integrity-checked, mode 0600.</summary>
    public FileInfo BackupTo(string destinationFile) => throw new NotImplementedException();

    /// <summary>Replaces the store's whole content with a verified backup, atomically.</summary>
    public void RestoreFrom(string backupFile) => throw new NotImplementedException();

    /// <summary>integrity_check, foreign_key_check, schema version, validation of every row, version/history agreement.</summary>
    public HealthReport CheckHealth() => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
