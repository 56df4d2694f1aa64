using System.Globalization;
using PrismConfig.Core.Storage;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    /// <summary>
    /// Declaratively applies a whole desired set in one transaction: create missing, update different, leave equal,
    /// and with Prune disable the rest. All or nothing. With <see cref="ImportOptions.Confirm"/>, the callback
    /// decides, inside the transaction and before it commits, whether the planned changes are kept.
    /// </summary>
    public IReadOnlyList<ImportResult> Import(IReadOnlyList<NamespaceConfig> desired, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        options ??= new ImportOptions();
        NamespaceValidator.ValidateReason(options.Reason);
        if (!options.DryRun)
        {
            return ImportStream(desired, options);
        }

        var canonical = new List<NamespaceConfig>(desired.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in desired)
        {
            if (item is null)
            {
                throw new ArgumentException("The desired set contains a null namespace.", nameof(desired));
            }
            var ns = NamespaceNormalizer.Canonicalize(item);
            NamespaceValidator.Validate(ns);
            if (!names.Add(ns.Name))
            {
                throw DuplicateInImport(ns.Name);
            }
            canonical.Add(ns);
        }
        return OnRead(() => RunImport(null, LoadAll(_read), canonical, names, options));
    }

    /// <summary>
    /// Like <see cref="Import"/>, but reads <paramref name="desired"/> once, lazily, inside the write transaction,
    /// and keeps none of it: each namespace is checked, compared and written as it arrives, so a caller can stream
    /// a large set (for example straight from a YAML reader) without holding it in memory. Anything that goes wrong,
    /// including an exception thrown by the enumeration itself, rolls the whole import back. After the last
    /// namespace (and the prune), <see cref="ImportOptions.Confirm"/>, if set, is called with the counts, still inside
    /// the uncommitted transaction; false rolls everything back and the results are returned as the plan. Results of
    /// created namespaces carry no Changes. With DryRun the set is read into memory and planned without writing.
    /// </summary>
    public IReadOnlyList<ImportResult> ImportStream(IEnumerable<NamespaceConfig> desired, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        options ??= new ImportOptions();
        NamespaceValidator.ValidateReason(options.Reason);
        if (options.DryRun)
        {
            return Import(desired as IReadOnlyList<NamespaceConfig> ?? desired.ToList(), options);
        }
        var confirmed = true;
        var results = InWriteTransaction(
            commands => ApplyImport(commands, desired, options),
            results =>
            {
                if (options.Confirm is { } confirm)
                {
                    confirmed = confirm(ImportPlanSummary.Of(results));
                }
                return confirmed;
            });
        if (!confirmed)
        {
            InvalidateCache();
        }
        return results;
    }

    private static ValidationException DuplicateInImport(string name) =>
        new(name, "name", name, "each namespace may appear only once in an import, and this name appears more than once.");

    /// <summary>
    /// The import engine: inside the write transaction, one pass over the desired set. Each namespace is first
    /// prepared (checked, and for a name the store does not have, serialised for its row and snapshot), with
    /// <see cref="ImportOptions.ReadAhead"/> on a worker thread while this thread writes the ones before it. Then a
    /// new name takes the create fast path (bind and insert, nothing computed twice); an existing one is loaded by
    /// name, compared and updated as any other write.
    /// </summary>
    private List<ImportResult> ApplyImport(WriteCommands c, IEnumerable<NamespaceConfig> desired, ImportOptions options)
    {
        var existing = LoadKeys(_write);
        var results = new List<ImportResult>(desired is IReadOnlyCollection<NamespaceConfig> known ? known.Count : 256);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var now = Snapshot.UnixNow();
        var changedBy = ChangedBy(options.ChangedBy);
        var processed = 0;
        var allocated = new AllocationMeter();
        var nursery = new NurseryLimit(allocated.Read);
        using var preparer = new ImportPreparer(existing, now, changedBy);
        var prepared = options.ReadAhead
            ? ReadAhead.Run(desired, preparer.Prepare, "PrismConfig import reader", allocated)
            : desired.Select(preparer.Prepare);
        foreach (var item in prepared)
        {
            var ns = item.Config;
            if (!names.Add(ns.Name))
            {
                throw DuplicateInImport(ns.Name);
            }
            if (item.Create is null)
            {
                var current = LoadByName(c.SelectByName, ns.Name) ?? throw new InvalidOperationException($"Namespace '{ns.Name}' vanished inside the import's transaction.");
                if (Snapshot.SameContent(current.Config, ns))
                {
                    results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Unchanged, Version = current.Config.Version });
                }
                else
                {
                    var changes = ConfigDiff.Compute(current.Config, ns);
                    ApplyChange(c, current, ns, OpUpdate, changedBy, options.Reason, now);
                    results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Updated, Version = current.Config.Version + 1, Changes = changes });
                }
            }
            else
            {
                InsertPrepared(c, ns, item.Create, changedBy, options.Reason, now);
                results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Created, Version = 1 });
            }
            processed++;
            if (processed % 100 == 0)
            {
                options.Progress?.Report(processed);
            }
            if (processed % 16 == 0)
            {
                nursery.Check();
            }
        }

        if (options.Prune)
        {
            foreach (var (name, key) in existing.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (names.Contains(name) || key.Status == NamespaceStatus.Disabled)
                {
                    continue;
                }
                var current = LoadByName(c.SelectByName, name) ?? throw new InvalidOperationException($"Namespace '{name}' vanished inside the import's transaction.");
                var proposed = NamespaceNormalizer.Canonicalize(current.Config);
                proposed.Status = NamespaceStatus.Disabled;
                var changes = ConfigDiff.Compute(current.Config, proposed);
                ApplyChange(c, current, proposed, OpDisable, changedBy, options.Reason, now);
                results.Add(new ImportResult { Name = name, Action = ImportAction.Disabled, Version = current.Config.Version + 1, Changes = changes });
            }
        }
        options.Progress?.Report(processed);
        return results;
    }

    /// <summary>Writes a namespace the preparer made ready: its row, its features and its 'create' history row.</summary>
    private static void InsertPrepared(WriteCommands c, NamespaceConfig ns, PreparedCreate create, string changedBy, string? reason, long now)
    {
        var id = InsertNamespaceRow(c, ns, create.BackendConfigJson, create.TagsJson);
        foreach (var feature in create.SortedFeatures)
        {
            UpsertFeatureRow(c, id, feature, ns.Features[feature] is true, now);
        }
        InsertHistoryRow(c, id, OpCreate, now, changedBy, null, create.SnapshotUtf8, 1, reason);
    }

    /// <summary>A namespace of an import, checked; <see cref="Create"/> is set when the store does not have it yet.</summary>
    private sealed record PreparedImport(NamespaceConfig Config, PreparedCreate? Create);

    /// <summary>Everything a new namespace's insert needs, computed once: the row's JSON columns and the snapshot.</summary>
    private sealed record PreparedCreate(string BackendConfigJson, string TagsJson, List<string> SortedFeatures, byte[] SnapshotUtf8);

    /// <summary>
    /// The thread-free half of an import: canonicalises and validates each desired namespace, exactly as
    /// <see cref="Create"/> and <see cref="Update"/> do, and serialises new ones for their insert. It reads only the
    /// store's name list, loaded before it starts, so it may run on the read-ahead thread.
    /// </summary>
    private sealed class ImportPreparer(Dictionary<string, NamespaceKey> existing, long now, string changedBy) : IDisposable
    {
        private readonly SnapshotWriter snapshot = new();
        private readonly DateTimeOffset nowAt = DateTimeOffset.FromUnixTimeSeconds(now);

        public PreparedImport Prepare(NamespaceConfig item)
        {
            if (item is null)
            {
                throw new ArgumentException("The desired set contains a null namespace.");
            }
            if (item.Name is { } name && existing.ContainsKey(name))
            {
                var canonical = NamespaceNormalizer.Canonicalize(item);
                NamespaceValidator.Validate(canonical);
                return new PreparedImport(canonical, null);
            }

            // backend_config is serialised once, for the size check, the row and the snapshot.
            var backendConfigJson = item.BackendConfig is null ? null : NamespaceNormalizer.CanonicalJson(item.Name, "backend_config", item.BackendConfig);
            // The row and the snapshot take backend_config from its canonical JSON above, so the table is not rebuilt.
            var ns = NamespaceNormalizer.Canonicalize(item, item.BackendConfig!);
            ns.Version = 1;
            ns.CreatedAt = ns.UpdatedAt = nowAt;
            ns.CreatedBy = ns.UpdatedBy = changedBy;
            NamespaceValidator.Validate(ns, backendConfigJson);
            var sortedFeatures = ConfigJson.SortedKeys(ns.Features);
            return new PreparedImport(ns, new PreparedCreate(backendConfigJson!, Snapshot.TagsJson(ns.Tags), sortedFeatures,
                snapshot.Write(ns, backendConfigJson!, sortedFeatures)));
        }

        public void Dispose() => snapshot.Dispose();
    }

    /// <summary>Plans the import and, when <paramref name="commands"/> is given (inside the write transaction), performs it.</summary>
    private static List<ImportResult> RunImport(WriteCommands? commands, Dictionary<string, StoredNamespace> existing,
        List<NamespaceConfig> desired, HashSet<string> desiredNames, ImportOptions options)
    {
        var results = new List<ImportResult>(desired.Count);
        var now = Snapshot.UnixNow();
        var changedBy = ChangedBy(options.ChangedBy);
        var processed = 0;
        foreach (var ns in desired)
        {
            if (!existing.TryGetValue(ns.Name, out var current))
            {
                var changes = ConfigDiff.Compute(null, ns);
                if (commands is not null)
                {
                    ApplyChange(commands, null, ns, OpCreate, changedBy, options.Reason, now);
                }
                results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Created, Version = 1, Changes = changes });
            }
            else if (Snapshot.SameContent(current.Config, ns))
            {
                results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Unchanged, Version = current.Config.Version });
            }
            else
            {
                var changes = ConfigDiff.Compute(current.Config, ns);
                if (commands is not null)
                {
                    ApplyChange(commands, current, ns, OpUpdate, changedBy, options.Reason, now);
                }
                results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Updated, Version = current.Config.Version + 1, Changes = changes });
            }
            processed++;
            if (processed % 100 == 0)
            {
                options.Progress?.Report(processed);
            }
        }

        if (options.Prune)
        {
            foreach (var current in existing.Values.OrderBy(s => s.Config.Name, StringComparer.Ordinal))
            {
                if (desiredNames.Contains(current.Config.Name) || current.Config.Status == NamespaceStatus.Disabled)
                {
                    continue;
                }
                var proposed = NamespaceNormalizer.Canonicalize(current.Config);
                proposed.Status = NamespaceStatus.Disabled;
                var changes = ConfigDiff.Compute(current.Config, proposed);
                if (commands is not null)
                {
                    ApplyChange(commands, current, proposed, OpDisable, changedBy, options.Reason, now);
                }
                results.Add(new ImportResult { Name = current.Config.Name, Action = ImportAction.Disabled, Version = current.Config.Version + 1, Changes = changes });
            }
        }
        options.Progress?.Report(processed);
        return results;
    }
}
