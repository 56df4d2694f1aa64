using System.Diagnostics;
using PrismConfig.Core.Engines;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    /// <summary>
    /// One sync pass: makes this store (a local SQLite file) equal to <paramref name="source"/> at the source's
    /// current revision, in one transaction, so a reader of the replica sees a revision whole or not at all.
    /// </summary>
    /// <remarks>
    /// Changes are read by revision, never by id or time, so a pass after any outage picks up exactly where the last
    /// one ended. The replica is rebuilt from a snapshot instead when it is new, when the source's epoch changed (a
    /// whole-store restore), or when the source's history no longer holds every revision after the replica's. A pass
    /// that fails, at any point, leaves the replica as it was.
    /// </remarks>
    public SyncResult SyncFrom(ConfigStore source, IProgress<TimeSpan>? lockWait = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfDisposed();
        source.ThrowIfDisposed();
        CheckReplicaPair(Locator, Path, _engine is IReplicaEngine, source);
        var replica = (IReplicaEngine)_engine;
        var clock = Stopwatch.StartNew();
        SyncResult result;
        try
        {
            using var scope = replica.BeginReplicaWrite(lockWait);
            var record = scope.ReadReplica();
            var before = scope.ReadState();
            var pass = PlanPass(source, record, before, scope.IsEmpty);
            result = pass.Result;
            if (pass.Dump is { } dump)
            {
                scope.Replace(dump);
            }
            else if (pass.Changed)
            {
                scope.Apply(pass.Changes!);
            }
            var stamp = result.SyncedAt.ToUnixTimeMilliseconds();
            scope.WriteReplica(new ReplicaRecord(source.Path, pass.RegistryHistory, pass.Changed || record is null ? stamp : record.LastSyncedAt, stamp));
            scope.Commit();
        }
        finally
        {
            InvalidateCache();
        }
        result.Duration = clock.Elapsed;
        return result;
    }

    /// <summary>
    /// What <see cref="SyncFrom"/> would do now, read from both stores with no write transaction and no lock, so a
    /// preview neither waits for the sync it previews nor changes what the replica records (its last contact).
    /// </summary>
    public SyncResult PlanSyncFrom(ConfigStore source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfDisposed();
        source.ThrowIfDisposed();
        CheckReplicaPair(Locator, Path, _engine is IReplicaEngine, source);
        var replica = (IReplicaEngine)_engine;
        return PlanPass(source, replica.ReadReplica(), _engine.ReadState(), replica.IsEmpty).Result;
    }

    /// <summary>What the first <see cref="SyncFrom"/> into <paramref name="replica"/>, a store that does not exist yet, would do: a full copy.</summary>
    public static SyncResult PlanSyncIntoNewReplica(StoreLocator replica, ConfigStore source)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(source);
        source.ThrowIfDisposed();
        CheckReplicaPair(replica, replica.Display, replica.Kind == StoreKind.Sqlite, source);
        var dump = source._engine.ReadDump();
        return Rebuild(new SyncResult { Database = replica.Display, Source = source.Path, SyncedAt = DateTimeOffset.UtcNow }, dump, NewReplicaReason, null);
    }

    private const string NewReplicaReason = "a new replica";

    /// <summary>One pass, decided: a dump to replace the replica with, or the changes to apply (which may be none).</summary>
    private sealed record SyncPass(SyncResult Result, StoreDump? Dump, ChangeSet? Changes, bool Changed, long RegistryHistory);

    /// <summary>
    /// Decides a pass from what the replica records and where it is; the sync calls it inside its write transaction,
    /// a preview outside any. It reads the source, never writes either store.
    /// </summary>
    private SyncPass PlanPass(ConfigStore source, ReplicaRecord? record, StoreState before, Func<bool> isEmpty)
    {
        var result = new SyncResult { Database = Path, Source = source.Path, FromRevision = record is null ? 0 : before.Revision, SyncedAt = DateTimeOffset.UtcNow };
        string? rebuild;
        ChangeSet? changes = null;
        if (record is null)
        {
            if (!isEmpty())
            {
                throw new PrismConfigException(PrismErrorKind.Conflict, "ReplicaTargetInUse",
                    $"'{Path}' is a PrismConfig store with its own namespaces, not a replica; nothing was written. Sync into a new file, " +
                    "or move this store away first (Backup-PrismConfig keeps a copy).", Path);
            }
            rebuild = NewReplicaReason;
        }
        else if (!StoreLocator.SameStore(record.Source, source.Path))
        {
            throw new PrismConfigException(PrismErrorKind.Conflict, "ReplicaSourceMismatch",
                $"'{Path}' is a replica of '{record.Source}', not of '{source.Path}'; nothing was written. Sync it from '{record.Source}', " +
                $"or sync '{source.Path}' into another file.", Path);
        }
        else
        {
            changes = source._engine.ReadChanges(before.Revision, record.RegistryHistoryCount);
            rebuild = RebuildReason(before, changes);
        }

        if (rebuild is not null)
        {
            var dump = source._engine.ReadDump();
            return new SyncPass(Rebuild(result, dump, rebuild, record), dump, null, true, dump.RegistryHistory.Count);
        }
        var c = changes!;
        result.Revision = c.State.Revision;
        result.Changes = c.History.Count;
        result.Namespaces = c.Namespaces.Count;
        result.RegistryChanged = c.Registry is not null;
        return new SyncPass(result, null, c, c.History.Count > 0 || c.Registry is not null, c.RegistryHistoryCount);
    }

    private static SyncResult Rebuild(SyncResult result, StoreDump dump, string reason, ReplicaRecord? record)
    {
        result.Rebuilt = true;
        result.Reason = reason;
        result.Revision = dump.Revision;
        result.Changes = dump.History.Count;
        result.Namespaces = dump.Namespaces.Count;
        result.RegistryChanged = dump.RegistryHistory.Count != (record?.RegistryHistoryCount ?? 0);
        return result;
    }

    /// <summary>
    /// Refuses a replica that is its source, then one that is not a local file. In that order: a PostgreSQL store
    /// named as both is first of all its own source, whatever the spelling of the two URIs.
    /// </summary>
    private static void CheckReplicaPair(StoreLocator replica, string replicaPath, bool local, ConfigStore source)
    {
        if (source.Locator.Equals(replica) || StoreLocator.SameStore(source.Path, replicaPath))
        {
            throw new StorePathException(replicaPath, "ReplicaIsSource",
                $"'{replicaPath}' is -Source itself, and a store cannot be its own replica. Give -Database a local SQLite file other than -Source.");
        }
        if (!local)
        {
            throw new StorePathException(replicaPath, "ReplicaNotLocal",
                $"A replica is a local SQLite file, and '{replicaPath}' is not one. Give -Database a file path on this host.");
        }
    }

    /// <summary>Why the change set cannot be applied as it is, or null when it can.</summary>
    private static string? RebuildReason(StoreState replica, ChangeSet changes)
    {
        if (!string.Equals(changes.State.Epoch, replica.Epoch, StringComparison.Ordinal))
        {
            return "the source was replaced by a whole-store restore (its epoch changed), so its revisions no longer name the changes this replica has";
        }
        if (changes.State.Revision < replica.Revision)
        {
            return $"the source is at revision {changes.State.Revision}, behind this replica's {replica.Revision}";
        }
        // Every revision after the replica's must be in the history read, each at least once (an import is one
        // revision over many rows): a missing one is a change this replica would never see.
        var expected = replica.Revision + 1;
        foreach (var revision in changes.History.Select(h => h.Revision ?? 0).Distinct())
        {
            if (revision != expected)
            {
                return expected == replica.Revision + 1
                    ? $"the source's history no longer reaches back to revision {expected} (it was pruned)"
                    : $"revision {expected} is missing from the source's history";
            }
            expected++;
        }
        if (expected != changes.State.Revision + 1)
        {
            return $"the source is at revision {changes.State.Revision}, but its history ends at revision {expected - 1}";
        }
        var present = changes.Namespaces.Select(n => n.Id).ToHashSet();
        var gone = changes.History.FirstOrDefault(h => !present.Contains(h.NamespaceId));
        return gone is null ? null : $"namespace row {gone.NamespaceId} has history but is gone from the source";
    }

    /// <summary>
    /// A plan on a replica is a write aimed at the wrong store, even one that would change nothing: it is refused
    /// before -WhatIf or a prompt can suggest it would work. The engine refuses every write transaction as well.
    /// </summary>
    /// <remarks>Public for writers that ask before they plan anything in Core (a create, a whole-store restore).</remarks>
    public void ThrowIfReplica()
    {
        if ((_engine as IReplicaEngine)?.ReadReplica() is { } record)
        {
            throw new ReplicaReadOnlyException(Path, record.Source);
        }
    }

    /// <summary>The store's position and, for a replica, its source and freshness.</summary>
    public ConfigStatus ReadStatus()
    {
        ThrowIfDisposed();
        var state = _engine.ReadState();
        var status = new ConfigStatus
        {
            Database = Path,
            Engine = Locator.Kind == StoreKind.Postgres ? "PostgreSQL" : "SQLite",
            SchemaVersion = SchemaVersion,
            Revision = state.Revision,
            Epoch = state.Epoch,
            Namespaces = _engine.CountNamespaces(),
        };
        if ((_engine as IReplicaEngine)?.ReadReplica() is { } record)
        {
            status.IsReplica = true;
            status.Source = record.Source;
            status.LastSyncedAt = DateTimeOffset.FromUnixTimeMilliseconds(record.LastSyncedAt);
            status.LastContactAt = DateTimeOffset.FromUnixTimeMilliseconds(record.LastContactAt);
            var lag = DateTimeOffset.UtcNow - status.LastContactAt.Value;
            status.Lag = lag < TimeSpan.Zero ? TimeSpan.Zero : lag;
        }
        return status;
    }
}
