using PrismConfig.Core.Engines;
using PrismConfig.Core.Registry;
using PrismConfig.Core.Store;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    /// <summary>
    /// A consistent online copy to <paramref name="destinationFile"/>, integrity-checked, mode 0600: a self-contained
    /// PrismConfig SQLite file. The destination must not exist.
    /// </summary>
    public FileInfo BackupTo(string destinationFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationFile);
        return WithBackup().BackupTo(destinationFile);
    }

    /// <summary>
    /// A backup into a new timestamped file in <paramref name="folder"/> (created 0700 if missing), named
    /// config-yyyyMMdd-HHmmss.db from <paramref name="utcNow"/> (default: now, UTC), with -1, -2... added when that
    /// name is taken. The name is claimed atomically, so concurrent backups into one folder each get their own file.
    /// </summary>
    public FileInfo BackupToFolder(string folder, DateTime? utcNow = null) => BackupToFolder(folder, "config", utcNow);

    /// <summary>As <see cref="BackupToFolder(string, DateTime?)"/>, with another name prefix (config-pre-restore, say).</summary>
    public FileInfo BackupToFolder(string folder, string prefix, DateTime? utcNow = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(folder);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StorePathException(folder, "BackupFolderInvalid", $"'{folder}' is not a valid folder path: {ex.Message}", ex);
        }
        if (File.Exists(full))
        {
            throw new StorePathException(full, "BackupFolderInvalid", $"The backup folder '{full}' is a file, not a folder.");
        }
        return WithBackup().BackupToFolder(full, prefix, utcNow ?? DateTime.UtcNow);
    }

    /// <summary>
    /// Replaces the store's whole content with a verified backup in one transaction, with its audit rows and a new
    /// epoch: no reader sees a half-copied store or the copy without its audit. The backup is checked (header, schema
    /// version, tables, integrity) before anything is touched.
    /// </summary>
    /// <remarks>
    /// The restore is audited and rewinds no history (see <see cref="RestoreMerge"/>): history the live store had
    /// beyond the backup is kept, each namespace the restore changed gets a 'restore' row naming the backup's path
    /// and time, and namespaces made after the backup are kept as removed.
    /// </remarks>
    public RestoreAudit RestoreFrom(string backupFile, string? changedBy = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupFile);
        // A replica is written only by its sync: a restore would leave it holding another store's rows, no longer
        // marked as a replica, and passing every freshness check.
        ThrowIfReplica();
        var full = System.IO.Path.GetFullPath(backupFile);
        var taken = new DateTimeOffset(File.GetLastWriteTimeUtc(full), TimeSpan.Zero);
        RestoreMergeResult? merged = null;
        try
        {
            WithBackup().RestoreFrom(full, (scope, before) =>
                merged = RestoreMerge.Merge(scope, before, full, taken, ChangedBy(changedBy), Snapshot.UnixNow()));
        }
        finally
        {
            InvalidateCache();
        }
        return new RestoreAudit
        {
            HistoryMerged = merged?.Merged ?? false,
            HistoryKept = merged?.HistoryKept ?? 0,
            NamespacesRestored = merged?.Restored ?? 0,
            NamespacesRemoved = merged?.Removed ?? 0,
            BackupTakenAt = taken,
        };
    }

    private IStorageEngine WithBackup()
    {
        ThrowIfDisposed();
        if (!_engine.Features.HasFlag(EngineFeatures.Backup))
        {
            throw new PrismConfigException(PrismErrorKind.StorageError, "BackupNotSupported", $"The store '{Path}' cannot be backed up by PrismConfig.", Path);
        }
        return _engine;
    }

    /// <summary>
    /// Checks a backup file without changing it or leaving anything beside it: the same health check as
    /// <see cref="CheckHealth"/>, reported against the backup's own path.
    /// </summary>
    public static HealthReport CheckBackup(string backupFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupFile);
        var full = System.IO.Path.GetFullPath(backupFile);
        return Report(full, EngineFactory.ReadBackupHealthData(full, new StoreOptions()), backup: true);
    }

    /// <summary>The engine's storage checks, schema version, validation of every row, and version/history agreement.</summary>
    public HealthReport CheckHealth()
    {
        ThrowIfDisposed();
        var report = Report(Path, _engine.ReadHealthData());
        var status = ReadStatus();
        report.Revision = status.Revision;
        report.IsReplica = status.IsReplica;
        report.Source = status.Source;
        report.LastSyncedAt = status.LastSyncedAt;
        report.LastContactAt = status.LastContactAt;
        report.Lag = status.Lag;
        return report;
    }

    private static HealthReport Report(string path, HealthData data, bool backup = false)
    {
        var problems = new List<string>(data.StorageProblems);
        // An older backup is sound: restoring it migrates it to the current schema.
        if (data.SchemaVersion != CurrentSchemaVersion && !(backup && data.SchemaVersion < CurrentSchemaVersion))
        {
            problems.Add($"schema: the database has schema version {data.SchemaVersion}; this PrismConfig uses {CurrentSchemaVersion}.");
        }

        var current = new Dictionary<string, NamespaceConfig>(StringComparer.Ordinal);
        foreach (var row in data.Namespaces)
        {
            NamespaceConfig ns;
            try
            {
                ns = Rows.ToConfig(row);
            }
            catch (Exception ex) when (IsDamage(ex))
            {
                problems.Add($"namespace '{row.Name}': its stored data cannot be read ({ex.Message}). {NamespaceDamagedException.RepairAdvice(row.Name)}");
                continue;
            }
            current[ns.Name] = ns;
            try
            {
                NamespaceValidator.Validate(ns);
            }
            catch (ValidationException ex)
            {
                problems.Add($"namespace '{row.Name}': field '{ex.Field}': {ex.Message}");
            }
        }

        foreach (var row in data.Agreement)
        {
            problems.AddRange(AgreementProblems(row, current));
        }
        if (data.Revisions is { } revisions)
        {
            problems.AddRange(RevisionProblems(revisions));
        }
        problems.AddRange(RegistryProblems(data.Registry, current.Values));

        return new HealthReport
        {
            Path = path,
            SchemaVersion = data.SchemaVersion,
            Namespaces = data.Namespaces.Count,
            HistoryEntries = data.HistoryEntries,
            Problems = [.. problems],
        };
    }

    /// <summary>
    /// Revisions must run without a gap up to the store's counter: a gap means a committed change is missing from
    /// history, and a replica reading by revision would never see it.
    /// </summary>
    private static IEnumerable<string> RevisionProblems(RevisionSummary r)
    {
        if (r.MissingRevisions > 0)
        {
            yield return $"revisions: {r.MissingRevisions} history entries have no revision.";
        }
        if (r.StoreRevision is not { } counter)
        {
            yield return "revisions: the store has no revision counter (store_state).";
            yield break;
        }
        if (r.MaxRevision is not { } max || r.MinRevision is not { } min)
        {
            yield break;
        }
        if (max > counter)
        {
            yield return $"revisions: history reaches revision {max}, past the store's counter {counter}.";
        }
        else if (max < counter)
        {
            yield return $"revisions: the store's counter is {counter}, but the newest history entry is revision {max}.";
        }
        var span = max - min + 1;
        if (r.DistinctRevisions != span)
        {
            yield return $"revisions: history holds {r.DistinctRevisions} distinct revisions between {min} and {max}, so {span - r.DistinctRevisions} are missing.";
        }
    }

    /// <summary>The namespaces the stored registry refuses; a damaged definition is a problem of its own.</summary>
    private static List<string> RegistryProblems(IReadOnlyList<RegistryRow> rows, IEnumerable<NamespaceConfig> namespaces)
    {
        if (rows.Count == 0) return [];
        RegistrySnapshot registry;
        try
        {
            registry = RegistrySnapshot.From(rows.Select(r => new RegistryDefinition { Kind = r.Kind, Name = r.Name, Document = ConfigJson.ParseObject(r.Document) }).ToList());
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            return [$"registry: a stored definition cannot be read ({ex.Message}); import the registry again with Import-PrismRegistry."];
        }
        return Violations(registry, namespaces.OrderBy(n => n.Name, StringComparer.Ordinal));
    }

    private static IEnumerable<string> AgreementProblems(AgreementRow row, Dictionary<string, NamespaceConfig> current)
    {
        if (row.HistoryCount != row.Version)
        {
            yield return $"namespace '{row.Name}': field 'version' is {row.Version}, but it has {row.HistoryCount} history entries.";
        }
        if (row.MaxHistoryVersion != row.Version)
        {
            yield return $"namespace '{row.Name}': field 'version' is {row.Version}, but its newest history entry is version {(row.MaxHistoryVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")}.";
        }
        if (row.LatestSnapshot is null)
        {
            yield return $"namespace '{row.Name}': it has no history snapshot.";
            yield break;
        }
        if (!current.TryGetValue(row.Name, out var ns))
        {
            yield break;
        }
        NamespaceConfig latest;
        string? unreadable = null;
        try
        {
            latest = Snapshot.Parse(row.LatestSnapshot);
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            latest = null!;
            unreadable = ex.Message;
        }
        if (unreadable is not null)
        {
            yield return $"namespace '{row.Name}': its latest history snapshot cannot be read ({unreadable}).";
            yield break;
        }
        if (Snapshot.Serialize(NamespaceNormalizer.Canonicalize(latest)) != Snapshot.Serialize(ns))
        {
            var fields = ConfigDiff.Compute(latest, ns).Select(c => c.Property).ToList();
            foreach (var (field, a, b) in new (string, object, object)[]
            {
                ("Version", latest.Version, ns.Version), ("UpdatedAt", latest.UpdatedAt, ns.UpdatedAt), ("CreatedAt", latest.CreatedAt, ns.CreatedAt),
                ("CreatedBy", latest.CreatedBy ?? "", ns.CreatedBy ?? ""), ("UpdatedBy", latest.UpdatedBy ?? "", ns.UpdatedBy ?? ""),
            })
            {
                if (!Equals(a, b)) fields.Add(field);
            }
            yield return $"namespace '{row.Name}': the stored row differs from its latest history snapshot in {string.Join(", ", fields)}.";
        }
    }
}
