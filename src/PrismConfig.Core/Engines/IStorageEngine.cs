using System.Collections;

namespace PrismConfig.Core.Engines;

/// <summary>
/// The storage half of a store: where rows live and how they get there. The store above it owns every rule
/// (validation, canonical form, no-op detection, diffs, history entries, import plans, versions); an engine owns
/// connections, its SQL dialect, transactions, change detection, backup, health of the storage itself and the
/// translation of its own errors into <see cref="PrismConfigException"/>s. Nothing above an engine sees its types.
/// </summary>
/// <remarks>Implementations are thread-safe: a store calls them from any runspace.</remarks>
internal interface IStorageEngine : IDisposable
{
    /// <summary>The store's locator, safe to show: a file path, or a URI with no password.</summary>
    string Display { get; }

    /// <summary>The schema version of the open store.</summary>
    int SchemaVersion { get; }

    /// <summary>True when this engine created the store while opening it (nothing has been written to it yet).</summary>
    bool CreatedOnOpen { get; }

    /// <summary>What the user should fix that the open worked around (a password file others may read); never a secret.</summary>
    IReadOnlyList<string> OpenWarnings { get; }

    /// <summary>What the engine can do beyond reads and writes; the store asks instead of type-testing.</summary>
    EngineFeatures Features { get; }

    /// <summary>A value that changes whenever anyone, in any process, commits a change to the store.</summary>
    long ChangeToken();

    /// <summary>
    /// Subscribes to the store's commits. The subscription is live when this returns, so a caller that subscribes,
    /// then reads, misses nothing: any commit after the read wakes the next wait.
    /// </summary>
    IChangeSignal SubscribeToChanges();

    /// <summary>False when the store has gone away under this engine (its file was deleted): the caller reopens.</summary>
    bool StillThere();

    /// <summary>One namespace by its exact (canonical, lower-case) name, or null.</summary>
    NamespaceRow? ReadNamespace(string name);

    /// <summary>Namespaces matching every filter, sorted by name (ordinal).</summary>
    IReadOnlyList<NamespaceRow> ListNamespaces(NamespaceQuery? query);

    int CountNamespaces();

    /// <summary>Every namespace's name, row id, version and status.</summary>
    Dictionary<string, NamespaceKey> ReadKeys();

    /// <summary>The store's revision (the last committed change) and its epoch.</summary>
    StoreState ReadState();

    /// <summary>History rows matching the query: oldest first, or the newest <c>Last</c> newest first.</summary>
    IReadOnlyList<HistoryRow> ReadHistory(HistoryQuery? query);

    /// <summary>Every registry definition (pattern and backend), sorted by kind and name; empty for a store without a registry.</summary>
    IReadOnlyList<RegistryRow> ReadRegistry();

    /// <summary>The history of registry definitions, oldest first; a null filter matches every kind or name.</summary>
    IReadOnlyList<RegistryHistoryRow> ReadRegistryHistory(string? kind, string? name);

    /// <summary>
    /// Takes the store's write lock and begins a transaction. Waits for other writers up to the engine's timeout,
    /// reporting the wait to <paramref name="waiting"/> about once a second.
    /// </summary>
    IWriteScope BeginWrite(IProgress<TimeSpan>? waiting = null);

    /// <summary>The whole store from one consistent snapshot: what a replica is rebuilt from.</summary>
    StoreDump ReadDump();

    /// <summary>
    /// From one consistent snapshot: every change after <paramref name="afterRevision"/>, and the registry when its
    /// history count is not <paramref name="knownRegistryHistory"/>. What a replica applies in one pass.
    /// </summary>
    ChangeSet ReadChanges(long afterRevision, long knownRegistryHistory);

    /// <summary>Storage-level checks (integrity, references, schema); the store adds the row-level ones.</summary>
    HealthData ReadHealthData();

    /// <summary>A consistent copy of the whole store as a PrismConfig SQLite file (0600) at a path nobody holds yet.</summary>
    FileInfo BackupTo(string destinationFile);

    /// <summary>As <see cref="BackupTo"/>, into a new timestamped file in <paramref name="folder"/>, named atomically.</summary>
    FileInfo BackupToFolder(string folder, string prefix, DateTime utcNow);

    /// <summary>
    /// Replaces the store's whole content with a verified backup file, keeping the audit trail, in one write
    /// transaction: read every namespace row (tombstones included) and every history row of the live store, replace
    /// the content with the backup's (at the current schema, with a new epoch), call <paramref name="merge"/> with
    /// that transaction and what was read, and commit. The store owns what the merge writes
    /// (<see cref="Store.RestoreMerge"/>); the engine only provides the steps.
    /// </summary>
    void RestoreFrom(string backupFile, Action<IWriteScope, PreRestoreState?> merge);

    /// <summary>Where a pre-restore backup of this store goes by default.</summary>
    string DefaultBackupFolder { get; }

    /// <summary>Removes a store that <see cref="CreatedOnOpen"/> and that never received a write. Disposes the engine.</summary>
    void DiscardCreated();
}

/// <summary>
/// A doorbell for commits. It says only that something may have changed; what changed is always read by revision,
/// so a lost or merged signal costs a little latency, never an update.
/// </summary>
internal interface IChangeSignal : IDisposable
{
    /// <summary>Waits up to <paramref name="timeout"/> for a commit; true when one may have happened.</summary>
    bool Wait(TimeSpan timeout, CancellationToken cancellation);
}

/// <summary>Optional capabilities of an engine.</summary>
[Flags]
internal enum EngineFeatures
{
    None = 0,
    /// <summary>Backups and restores through <see cref="IStorageEngine.BackupTo"/> and <see cref="IStorageEngine.RestoreFrom"/>.</summary>
    Backup = 1,
    /// <summary>
    /// <see cref="IStorageEngine.ChangeToken"/> costs no round trip, so the store may cache rows it validates with it.
    /// Without it a lookup reads through: the token would cost as much as the read it saves.
    /// </summary>
    LocalChangeToken = 2,
}

/// <summary>
/// One open write transaction, holding the store's write lock. Disposing it without <see cref="Commit"/> rolls
/// everything back. Every method may throw a translated <see cref="PrismConfigException"/>.
/// </summary>
internal interface IWriteScope : IDisposable
{
    /// <summary>How long <see cref="IStorageEngine.BeginWrite"/> waited for the write lock.</summary>
    TimeSpan LockWait { get; }

    NamespaceRow? ReadNamespace(string name);

    /// <summary>Every namespace's name, row id, version and status.</summary>
    Dictionary<string, NamespaceKey> ReadKeys();

    /// <summary>Every namespace row, removed ones (tombstone names) included, by row id.</summary>
    IReadOnlyList<NamespaceRow> ReadEveryNamespace();

    /// <summary>Every history row, by row id (its Name is the name the namespace had, as in ReadHistory).</summary>
    IReadOnlyList<HistoryRow> ReadEveryHistory();

    /// <summary>Inserts a namespace row from its already serialised JSON columns and returns its id.</summary>
    long InsertNamespace(NamespaceConfig ns, string backendConfigJson, string tagsJson);

    /// <summary>
    /// Writes <paramref name="after"/> over the row only if the stored version is still <paramref name="before"/>'s:
    /// <c>UPDATE … WHERE id = @id AND version = @v</c>. Only changed columns are written. False when no row matched.
    /// </summary>
    bool UpdateNamespace(long id, string storedName, NamespaceConfig before, NamespaceConfig after);

    /// <summary>Deletes removed flags and upserts added or changed ones.</summary>
    void SyncFeatures(long id, Hashtable? before, Hashtable after, long now);

    /// <summary>This transaction's store revision, taken on first use: the next value of the store-wide counter.</summary>
    long Revision { get; }

    /// <summary>Inserts a history row stamped with <see cref="Revision"/>.</summary>
    void InsertHistory(HistoryWrite row);

    /// <summary>Gives row <paramref name="id"/> a new name (a remove, a rename, a restore of a removed namespace).</summary>
    void RenameNamespace(long id, string newName);

    /// <summary>Every registry definition, read inside this transaction (so a write checks against what it commits with).</summary>
    IReadOnlyList<RegistryRow> ReadRegistry();

    /// <summary>Inserts a registry definition row and returns its id.</summary>
    long InsertRegistryDefinition(RegistryRow row);

    /// <summary>
    /// Writes the row's document, source, version and update metadata over definition <c>row.Id</c> only while its
    /// stored version is still <paramref name="expectedVersion"/>. False when no row matched.
    /// </summary>
    bool UpdateRegistryDefinition(RegistryRow row, int expectedVersion);

    void InsertRegistryHistory(RegistryHistoryWrite row);

    void Commit();
}

/// <summary>The live store as a whole-store restore found it, just before replacing it.</summary>
internal sealed record PreRestoreState(IReadOnlyList<NamespaceRow> Namespaces, IReadOnlyList<HistoryRow> History);

/// <summary>A namespace's identity and version, as an import plans against it.</summary>
internal readonly record struct NamespaceKey(long Id, int Version, string Status);

/// <summary>A history row to insert; the snapshots are JSON text.</summary>
internal sealed record HistoryWrite(long NamespaceId, string Operation, long ChangedAt, string ChangedBy, string? OldConfig,
    string NewConfig, int Version, string? Reason);

/// <summary>One registry definition row: the whole document as JSON text.</summary>
internal sealed class RegistryRow
{
    public long Id { get; set; }
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The definition as a JSON object, unknown keys included.</summary>
    public string Document { get; set; } = "{}";
    public string? Source { get; set; }
    public long Version { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }

    /// <summary>True when both lists hold the same rows, in the same order, equal in every column.</summary>
    public static bool SameRows(IReadOnlyList<RegistryRow> a, IReadOnlyList<RegistryRow> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!a[i].SameAs(b[i])) return false;
        }
        return true;
    }

    private bool SameAs(RegistryRow o) =>
        Id == o.Id && Version == o.Version && CreatedAt == o.CreatedAt && UpdatedAt == o.UpdatedAt
        && string.Equals(Kind, o.Kind, StringComparison.Ordinal) && string.Equals(Name, o.Name, StringComparison.Ordinal)
        && string.Equals(Document, o.Document, StringComparison.Ordinal) && string.Equals(Source, o.Source, StringComparison.Ordinal)
        && string.Equals(CreatedBy, o.CreatedBy, StringComparison.Ordinal) && string.Equals(UpdatedBy, o.UpdatedBy, StringComparison.Ordinal);
}

/// <summary>A registry history row to insert; the documents are JSON text.</summary>
internal sealed record RegistryHistoryWrite(long DefinitionId, string Operation, long ChangedAt, string ChangedBy, string? OldDocument,
    string NewDocument, int Version, string? Reason);

internal sealed class RegistryHistoryRow
{
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    public long Version { get; set; }
    public string Operation { get; set; } = "";
    public long ChangedAt { get; set; }
    public string? ChangedBy { get; set; }
    public string? Reason { get; set; }
    public string? OldDocument { get; set; }
    public string NewDocument { get; set; } = "{}";
}

/// <summary>One namespace row with its features folded in, as every engine returns it: plain column values.</summary>
internal sealed class NamespaceRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Backend { get; set; } = "";
    public string Pattern { get; set; } = "";
    public string Status { get; set; } = "";
    public string Consistency { get; set; } = "";
    public long? CacheTtlSeconds { get; set; }
    public long? RateLimitRps { get; set; }
    public string BackendConfig { get; set; } = "{}";
    public string? Tags { get; set; }
    public long Version { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }
    /// <summary>The features as a JSON object of booleans.</summary>
    public string? Features { get; set; }
    public string? PatternVersion { get; set; }
    /// <summary>The behaviour parameters as a JSON object, or null for none.</summary>
    public string? Behavior { get; set; }
    /// <summary>The slots as a JSON list in slot order (see ConfigJson.ParseSlots), or null for none.</summary>
    public string? Slots { get; set; }
}

internal sealed class HistoryRow
{
    public long Id { get; set; }
    public long NamespaceId { get; set; }
    public string Name { get; set; } = "";
    public long? Version { get; set; }
    public string Operation { get; set; } = "";
    public long ChangedAt { get; set; }
    public string? ChangedBy { get; set; }
    public string? Reason { get; set; }
    public string? OldConfig { get; set; }
    public string? NewConfig { get; set; }
    public long? Revision { get; set; }
}

/// <summary>Per namespace: its version, how many history rows it has, the highest history version and the newest snapshot.</summary>
internal sealed class AgreementRow
{
    public string Name { get; set; } = "";
    public long Version { get; set; }
    public long HistoryCount { get; set; }
    public long? MaxHistoryVersion { get; set; }
    public string? LatestSnapshot { get; set; }
}

/// <summary>What an engine reports for a health check: its own problems, and the rows the store checks.</summary>
internal sealed class HealthData
{
    public List<string> StorageProblems { get; } = [];
    public int SchemaVersion { get; init; }
    public int HistoryEntries { get; init; }
    public IReadOnlyList<NamespaceRow> Namespaces { get; init; } = [];
    public IReadOnlyList<AgreementRow> Agreement { get; init; } = [];
    /// <summary>The registry definitions, which the store checks every namespace against.</summary>
    public IReadOnlyList<RegistryRow> Registry { get; init; } = [];
    /// <summary>Revisions on history rows, for the continuity check; null for a store without revisions (schema 2 and older).</summary>
    public RevisionSummary? Revisions { get; init; }
}

internal sealed class RevisionSummary
{
    public long? MinRevision { get; set; }
    public long? MaxRevision { get; set; }
    public long DistinctRevisions { get; set; }
    public long MissingRevisions { get; set; }
    public long? StoreRevision { get; set; }
}
