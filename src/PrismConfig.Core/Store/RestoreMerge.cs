using System.Globalization;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Store;

/// <summary>What a whole-store restore did to the audit trail.</summary>
internal sealed record RestoreMergeResult(bool Merged, int HistoryKept, int Restored, int Removed);

/// <summary>
/// Makes a whole-store restore a recorded step forward instead of a rewind. After the engine has replaced the store
/// with the backup, this puts back every history row the live store had and the backup lacks, and records the
/// restore itself, so that the ADR's tables stay valid (every history row's namespace exists, versions only grow):
/// <list type="bullet">
/// <item>a namespace whose content the restore changed gets version max(live, backup) + 1 and a 'restore' row
/// (old: the live snapshot, new: the restored one) whose reason names the backup's path and time;</item>
/// <item>a namespace with the backup's content but a later live version keeps that version, and gets no row;</item>
/// <item>a namespace the backup does not have (made after it) is kept, removed: disabled under a tombstone name with
/// a 'delete' row, so its history stays readable with -IncludeRemoved and Restore-PrismNamespace brings it back.</item>
/// </list>
/// Only a backup of this store's own past can be merged: if the histories they share differ (a backup of another
/// store), nothing is merged and the pre-restore backup is the only record of what was there.
/// </summary>
internal static class RestoreMerge
{
    private const string TombstonePrefix = "~removed~";

    public static RestoreMergeResult Merge(IWriteScope scope, PreRestoreState? before, string backupPath, DateTimeOffset backupTime, string changedBy, long now)
    {
        if (before is null || before.Namespaces.Count == 0) return new RestoreMergeResult(false, 0, 0, 0);
        var restoredHistory = scope.ReadEveryHistory();
        if (!SameLineage(before.History, restoredHistory)) return new RestoreMergeResult(false, 0, 0, 0);

        var restored = scope.ReadEveryNamespace().ToDictionary(r => r.Id);
        var lastRestoredHistory = restoredHistory.Count == 0 ? 0 : restoredHistory[^1].Id;
        var source = string.Create(CultureInfo.InvariantCulture,
            $"backup '{backupPath}' (taken {backupTime.UtcDateTime:yyyy-MM-dd HH:mm:ss'Z'})");
        var ids = new Dictionary<long, long>();
        var followUps = new List<Action>();
        int restoredCount = 0, removedCount = 0;

        foreach (var live in before.Namespaces)
        {
            if (!TryConfig(live, out var liveConfig)) continue;
            if (!restored.TryGetValue(live.Id, out var row))
            {
                ids[live.Id] = KeepRemoved(scope, live, liveConfig, source, changedBy, now, followUps, ref removedCount);
                continue;
            }
            ids[live.Id] = row.Id;
            if (!TryConfig(row, out var restoredConfig)) continue;
            var sameContent = Snapshot.SameContent(liveConfig, restoredConfig) && live.Name == row.Name;
            if (sameContent && live.Version == row.Version) continue;
            var version = (int)Math.Max(live.Version, row.Version);
            var after = restoredConfig.Clone();
            after.Name = row.Name;
            after.Version = sameContent ? version : version + 1;
            after.UpdatedAt = sameContent ? liveConfig.UpdatedAt : DateTimeOffset.FromUnixTimeSeconds(now);
            after.UpdatedBy = sameContent ? liveConfig.UpdatedBy : changedBy;
            if (after.Version == row.Version) continue;
            var stored = restoredConfig.Clone();
            stored.Name = row.Name;
            if (!scope.UpdateNamespace(row.Id, row.Name, stored, after)) continue;
            if (sameContent) continue;
            restoredCount++;
            var oldSnapshot = Shown(liveConfig, live.Name);
            var newSnapshot = Shown(after, row.Name);
            followUps.Add(() => scope.InsertHistory(new HistoryWrite(row.Id, "restore", now, changedBy, Snapshot.Serialize(oldSnapshot),
                Snapshot.Serialize(newSnapshot), after.Version, "restored from " + source)));
        }

        // The rows the backup lacks, in their order, before the rows that record the restore.
        var kept = 0;
        foreach (var h in before.History.Where(h => h.Id > lastRestoredHistory))
        {
            if (!ids.TryGetValue(h.NamespaceId, out var id)) continue;
            scope.InsertHistory(new HistoryWrite(id, h.Operation, h.ChangedAt, h.ChangedBy ?? "", h.OldConfig, h.NewConfig ?? "",
                (int)(h.Version ?? 0), h.Reason));
            kept++;
        }
        foreach (var write in followUps) write();
        return new RestoreMergeResult(true, kept, restoredCount, removedCount);
    }

    /// <summary>
    /// A namespace made after the backup: inserted again (a new row id, as the backup's id sequence is behind) and
    /// removed, unless it was removed already.
    /// </summary>
    private static long KeepRemoved(IWriteScope scope, NamespaceRow live, NamespaceConfig config, string source, string changedBy, long now,
        List<Action> followUps, ref int removedCount)
    {
        var name = ShownName(live.Name);
        var wasRemoved = live.Name.StartsWith(TombstonePrefix, StringComparison.Ordinal);
        var row = config.Clone();
        row.Name = "~restoring~" + live.Id.ToString(CultureInfo.InvariantCulture);
        if (!wasRemoved)
        {
            row.Status = NamespaceStatus.Disabled;
            row.Version = config.Version + 1;
            row.UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(now);
            row.UpdatedBy = changedBy;
        }
        var id = scope.InsertNamespace(row, ConfigJson.Serialize(row.BackendConfig), Snapshot.TagsJson(row.Tags));
        scope.SyncFeatures(id, null, row.Features, now);
        scope.RenameNamespace(id, ConfigStore.Tombstone(id, name));
        if (!wasRemoved)
        {
            removedCount++;
            var oldSnapshot = Shown(config, name);
            var newSnapshot = Shown(row, name);
            followUps.Add(() => scope.InsertHistory(new HistoryWrite(id, "delete", now, changedBy, Snapshot.Serialize(oldSnapshot),
                Snapshot.Serialize(newSnapshot), row.Version, $"removed by the restore from {source}, which does not have it")));
        }
        return id;
    }

    /// <summary>True when the rows both stores have agree: the backup is of this store's past (or future).</summary>
    private static bool SameLineage(IReadOnlyList<HistoryRow> live, IReadOnlyList<HistoryRow> restored)
    {
        var shared = Math.Min(live.Count, restored.Count);
        for (var i = 0; i < shared; i++)
        {
            var a = live[i];
            var b = restored[i];
            // The snapshot holds the name and the times to the second: two stores never write the same one by chance.
            if (a.Id != b.Id || a.NamespaceId != b.NamespaceId || a.Operation != b.Operation || a.NewConfig != b.NewConfig) return false;
        }
        return true;
    }

    private static bool TryConfig(NamespaceRow row, out NamespaceConfig config)
    {
        try
        {
            config = Rows.ToConfig(row);
            return true;
        }
        catch (Exception ex) when (ConfigStore.IsDamage(ex))
        {
            // A damaged row has no snapshot to record; its history is kept all the same if its row survives.
            config = null!;
            return false;
        }
    }

    private static NamespaceConfig Shown(NamespaceConfig config, string storedName)
    {
        var copy = config.Clone();
        copy.Name = ShownName(storedName);
        return copy;
    }

    private static string ShownName(string stored)
    {
        if (!stored.StartsWith(TombstonePrefix, StringComparison.Ordinal)) return stored;
        var rest = stored[TombstonePrefix.Length..];
        var tilde = rest.IndexOf('~', StringComparison.Ordinal);
        return tilde < 0 ? stored : rest[(tilde + 1)..];
    }
}
