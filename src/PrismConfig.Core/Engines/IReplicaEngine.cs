namespace PrismConfig.Core.Engines;

/// <summary>
/// An engine whose store can be a local replica of another store: a SQLite file that Sync-PrismConfig keeps in step.
/// A replica is read-only to every writer but the sync: <see cref="IStorageEngine.BeginWrite"/> refuses with
/// <see cref="ReplicaReadOnlyException"/>, and the sync writes through <see cref="BeginReplicaWrite"/>.
/// </summary>
internal interface IReplicaEngine
{
    /// <summary>The write lock and a transaction, like <see cref="IStorageEngine.BeginWrite"/>, for the sync alone.</summary>
    IReplicaScope BeginReplicaWrite(IProgress<TimeSpan>? waiting = null);

    /// <summary>What the store records about the source it replicates, or null when it is not a replica.</summary>
    ReplicaRecord? ReadReplica();

    /// <summary>As <see cref="IReplicaScope.IsEmpty"/>, read outside any write transaction, for a preview of a pass.</summary>
    bool IsEmpty();
}

/// <summary>One sync pass's write transaction on a replica. Disposing it without <see cref="Commit"/> changes nothing.</summary>
internal interface IReplicaScope : IDisposable
{
    ReplicaRecord? ReadReplica();

    /// <summary>The replica's revision and epoch: the source's, as of the last pass.</summary>
    StoreState ReadState();

    /// <summary>True when the store holds no namespace, history or registry row: it may become a replica.</summary>
    bool IsEmpty();

    /// <summary>Replaces the whole content with <paramref name="dump"/>, taking its revision and epoch.</summary>
    void Replace(StoreDump dump);

    /// <summary>Writes the changed namespaces over their rows (by id), appends the history rows and moves the revision.</summary>
    void Apply(ChangeSet changes);

    void WriteReplica(ReplicaRecord record);

    void Commit();
}

/// <summary>
/// What a replica records about its source: the source's locator with no password, the registry history it has, and
/// when a pass last changed it and last reached the source (Unix milliseconds).
/// </summary>
internal sealed record ReplicaRecord(string Source, long RegistryHistoryCount, long LastSyncedAt, long LastContactAt);
