using System.Security.Cryptography;
using System.Text;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Registry;
using PrismConfig.Core.Store;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    /// <summary>
    /// Declaratively applies a whole desired set in one transaction: create missing, update different, leave equal,
    /// and with Prune disable the rest. All or nothing. See <see cref="ImportStream"/>.
    /// </summary>
    public IReadOnlyList<ImportResult> Import(IReadOnlyList<NamespaceConfig> desired, ImportOptions? options = null) =>
        ImportStream(desired, options);

    /// <summary>
    /// Applies a desired set read lazily: each namespace is checked, compared and written as it arrives, inside one
    /// write transaction, so a large set (straight from a YAML reader) is never held in memory. Anything that goes
    /// wrong, including an exception from the enumeration itself, rolls the whole import back. With
    /// <see cref="ImportOptions.Confirm"/>, the set is first planned read-only and the question is asked with no
    /// transaction open; see there. Results of created namespaces carry no Changes.
    /// </summary>
    public IReadOnlyList<ImportResult> ImportStream(IEnumerable<NamespaceConfig> desired, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        options ??= new ImportOptions();
        NamespaceValidator.ValidateReason(options.Reason);
        if (options.Confirm is not { } confirm)
        {
            return Materialised(desired, options, null);
        }
        var plan = PlanImport(desired, options);
        return confirm(plan.Summary) ? Materialised(desired, options, plan) : plan.Results;
    }

    /// <summary>The results as a list: all of them end up in memory anyway, so none goes to a file first.</summary>
    private List<ImportResult> Materialised(IEnumerable<NamespaceConfig> desired, ImportOptions options, ImportPlan? plan)
    {
        using var results = ApplyImport(desired, options, plan, int.MaxValue);
        return [.. results];
    }

    /// <summary>What an import would do, read-only: no write transaction is begun and no lock is taken.</summary>
    public ImportPlan PlanImport(IEnumerable<NamespaceConfig> desired, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        options ??= new ImportOptions();
        ThrowIfDisposed();
        ThrowIfReplica();
        return Plan(desired, options, _engine.ReadKeys(), name => _engine.ReadNamespace(name) is { } row ? ToConfig(row) : null, CurrentRegistry());
    }

    /// <summary>The row as the model, or null (reported to <see cref="ImportOptions.Damaged"/>) when it is damaged and the caller skips those.</summary>
    private NamespaceConfig? LoadForImport(NamespaceRow row, ImportOptions options)
    {
        try
        {
            return ToConfig(row);
        }
        catch (NamespaceDamagedException ex) when (options.Damaged is not null)
        {
            options.Damaged(ex);
            return null;
        }
    }

    /// <summary>What an import into a store that does not exist yet would do: every namespace is created.</summary>
    public static ImportPlan PlanImportIntoNewStore(IEnumerable<NamespaceConfig> desired, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return Plan(desired, options ?? new ImportOptions(), [], _ => null, RegistrySnapshot.Empty);
    }

    private static ImportPlan Plan(IEnumerable<NamespaceConfig> desired, ImportOptions options, Dictionary<string, NamespaceKey> keys,
        Func<string, NamespaceConfig?> load, RegistrySnapshot registry)
    {
        var plan = new ImportPlan();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var preparer = new ImportPreparer(keys, Snapshot.UnixNow(), ChangedBy(options.ChangedBy), registry, options.Strict);
        var position = -1;
        foreach (var item in Prepared(desired, preparer, options))
        {
            position++;
            var ns = item.Config;
            if (!names.Add(ns.Name))
            {
                throw DuplicateInImport(ns.Name);
            }
            var source = options.SourceOf?.Invoke(position);
            NamespaceConfig? current;
            try
            {
                current = keys.ContainsKey(ns.Name) ? load(ns.Name) : null;
            }
            catch (NamespaceDamagedException ex) when (options.Damaged is not null)
            {
                options.Damaged(ex);
                continue;
            }
            if (current is null)
            {
                plan.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Created, Version = 1, Warnings = item.Warnings, Source = source }, 0, ns);
            }
            else if (Snapshot.SameContent(current, ns))
            {
                plan.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Unchanged, Version = current.Version, Warnings = item.Warnings, Source = source }, current.Version, ns);
            }
            else
            {
                plan.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Updated, Version = current.Version + 1, Changes = ConfigDiff.Compute(current, ns), Warnings = item.Warnings, Source = source },
                    current.Version, ns);
            }
        }
        if (options.Prune)
        {
            CheckPruneBreadth(keys, names, names.Count, options);
            foreach (var (name, key) in PruneCandidates(keys, names))
            {
                NamespaceConfig current;
                try
                {
                    current = load(name) ?? throw new NamespaceNotFoundException(name);
                }
                catch (NamespaceDamagedException ex) when (options.Damaged is not null)
                {
                    options.Damaged(ex);
                    continue;
                }
                var proposed = NamespaceNormalizer.Canonicalize(current);
                proposed.Status = NamespaceStatus.Disabled;
                plan.Add(new ImportResult { Name = name, Action = ImportAction.Disabled, Version = key.Version + 1, Changes = ConfigDiff.Compute(current, proposed) },
                    key.Version, null);
            }
        }
        return plan;
    }

    /// <summary>The namespaces a prune disables: in the store, not in the desired set, and not disabled already.</summary>
    private static IEnumerable<KeyValuePair<string, NamespaceKey>> PruneCandidates(Dictionary<string, NamespaceKey> keys, IReadOnlySet<string> desired) =>
        keys.Where(kv => !desired.Contains(kv.Key) && kv.Value.Status != NamespaceStatus.Disabled).OrderBy(kv => kv.Key, StringComparer.Ordinal);

    /// <summary>
    /// Refuses, unless Force, a prune of an empty desired set, or one that disables more than half of the active
    /// namespaces or all of them: an empty or truncated file would otherwise switch production off.
    /// <paramref name="desired"/> needs to hold only the desired names the store has; <paramref name="desiredCount"/>
    /// counts them all.
    /// </summary>
    private static void CheckPruneBreadth(Dictionary<string, NamespaceKey> keys, IReadOnlySet<string> desired, int desiredCount, ImportOptions options)
    {
        if (options.Force) return;
        var active = keys.Count(kv => kv.Value.Status == NamespaceStatus.Active);
        if (desiredCount == 0)
        {
            throw PruneRefusedException.EmptyDesiredSet(active);
        }
        var disabling = keys.Count(kv => !desired.Contains(kv.Key) && kv.Value.Status == NamespaceStatus.Active);
        if (disabling > 0 && (disabling == active || disabling * 2 > active))
        {
            throw PruneRefusedException.TooBroad(disabling, active);
        }
    }

    private static ValidationException DuplicateInImport(string name) =>
        new(name, "name", name, "each namespace may appear only once in an import, and this name appears more than once.");

    private static IEnumerable<PreparedImport> Prepared(IEnumerable<NamespaceConfig> desired, ImportPreparer preparer, ImportOptions options) =>
        options.ReadAhead ? ReadAhead.Run(desired, preparer.Prepare, "PrismConfig import reader") : desired.Select(preparer.Prepare);

    /// <summary>
    /// Applies an import inside one write transaction, in one pass over the desired set. A new name takes the create
    /// path with everything serialised once; an existing one is loaded, compared and updated as any other write.
    /// With a <paramref name="plan"/> (from <see cref="PlanImport"/>), every namespace must still be what the plan
    /// saw, at the version it saw, or nothing is written: a VersionConflict names the namespace. The results are
    /// the caller's to dispose (see <see cref="ImportResultCollection"/>).
    /// </summary>
    public ImportResultCollection ApplyImport(IEnumerable<NamespaceConfig> desired, ImportOptions options, ImportPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ApplyImport(desired, options, plan, options.ResultsInMemory);
    }

    private ImportResultCollection ApplyImport(IEnumerable<NamespaceConfig> desired, ImportOptions options, ImportPlan? plan, int inMemory)
    {
        ArgumentNullException.ThrowIfNull(desired);
        NamespaceValidator.ValidateReason(options.Reason);
        ThrowIfDisposed();
        var results = new ImportResultCollection(inMemory);
        try
        {
            ApplyInto(results, desired, options, plan);
            return results;
        }
        catch
        {
            results.Dispose();
            throw;
        }
    }

    private void ApplyInto(ImportResultCollection results, IEnumerable<NamespaceConfig> desired, ImportOptions options, ImportPlan? plan)
    {
        using var scope = _engine.BeginWrite(options.LockWaitProgress);
        var keys = scope.ReadKeys();
        // Nothing here holds the whole desired set: names are checked for repeats in a few bits each, and results
        // past the first few thousand wait for the commit in a temporary file (ImportResultCollection).
        var names = new ImportNames(options.NameFilterStage);
        var now = Snapshot.UnixNow();
        var changedBy = ChangedBy(options.ChangedBy);
        var position = -1;
        using var preparer = new ImportPreparer(keys, now, changedBy, ToSnapshot(scope.ReadRegistry()), options.Strict);
        foreach (var item in Prepared(desired, preparer, options))
        {
            position++;
            var ns = item.Config;
            if (names.IsRepeat(ns.Name, keys.ContainsKey(ns.Name), name => scope.ReadNamespace(name) is not null))
            {
                throw DuplicateInImport(ns.Name);
            }
            var source = options.SourceOf?.Invoke(position);
            if (item.Create is null)
            {
                var key = keys[ns.Name];
                var row = scope.ReadNamespace(ns.Name) ?? throw new NamespaceNotFoundException(ns.Name);
                // A damaged row is skipped before the plan check: the plan skipped it too.
                if (LoadForImport(row, options) is not { } loaded) continue;
                plan?.Check(ns.Name, key.Version, ns);
                var current = new StoredNamespace(row.Id, loaded);
                if (Snapshot.SameContent(current.Config, ns))
                {
                    results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Unchanged, Version = current.Config.Version, Warnings = item.Warnings, Source = source });
                }
                else
                {
                    var changes = ConfigDiff.Compute(current.Config, ns);
                    WriteChange(scope, current, ns, OpUpdate, changedBy, options.Reason, now);
                    results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Updated, Version = ns.Version, Changes = changes, Warnings = item.Warnings, Source = source });
                }
            }
            else
            {
                plan?.Check(ns.Name, 0, ns);
                var id = scope.InsertNamespace(ns, item.Create.BackendConfigJson, item.Create.TagsJson);
                scope.SyncFeatures(id, null, ns.Features, now);
                scope.InsertHistory(new HistoryWrite(id, OpCreate, now, changedBy, null, item.Create.Snapshot, 1, options.Reason));
                results.Add(new ImportResult { Name = ns.Name, Action = ImportAction.Created, Version = 1, Warnings = item.Warnings, Source = source });
            }
            if ((position + 1) % 100 == 0)
            {
                options.Progress?.Report(position + 1);
            }
        }

        if (options.Prune)
        {
            CheckPruneBreadth(keys, names.ExistingSeen, names.Count, options);
            foreach (var (name, key) in PruneCandidates(keys, names.ExistingSeen))
            {
                var row = scope.ReadNamespace(name) ?? throw new NamespaceNotFoundException(name);
                if (LoadForImport(row, options) is not { } loaded) continue;
                plan?.Check(name, key.Version, null);
                var current = new StoredNamespace(row.Id, loaded);
                var proposed = NamespaceNormalizer.Canonicalize(current.Config);
                proposed.Status = NamespaceStatus.Disabled;
                var changes = ConfigDiff.Compute(current.Config, proposed);
                WriteChange(scope, current, proposed, OpDisable, changedBy, options.Reason, now);
                results.Add(new ImportResult { Name = name, Action = ImportAction.Disabled, Version = proposed.Version, Changes = changes });
            }
        }
        plan?.CheckAllSeen();
        options.Progress?.Report(position + 1);
        scope.Commit();
    }

    /// <summary>A namespace of an import, checked; <see cref="Create"/> is set when the store does not have it yet.</summary>
    private sealed record PreparedImport(NamespaceConfig Config, PreparedCreate? Create, RegistryWarning[] Warnings);

    /// <summary>Everything a new namespace's insert needs, computed once: the row's JSON columns and the snapshot.</summary>
    private sealed record PreparedCreate(string BackendConfigJson, string TagsJson, string Snapshot);

    /// <summary>
    /// The thread-free half of an import: canonicalises and validates each desired namespace, exactly as
    /// <see cref="Create"/> and <see cref="Update"/> do, and serialises new ones for their insert. It reads only the
    /// store's name list, loaded before it starts, so it may run on the read-ahead thread.
    /// </summary>
    private sealed class ImportPreparer(Dictionary<string, NamespaceKey> existing, long now, string changedBy, RegistrySnapshot registry, bool strict) : IDisposable
    {
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
                return new PreparedImport(canonical, null, [.. CheckAgainst(registry, canonical, strict)]);
            }

            // backend_config is serialised once, for the size check, the row and the snapshot.
            var backendConfigJson = item.BackendConfig is null ? null : NamespaceNormalizer.CanonicalJson(item.Name, "backend_config", item.BackendConfig);
            var ns = NamespaceNormalizer.Canonicalize(item, item.BackendConfig!);
            if (ns.Slots.Count > 0)
            {
                // backend_config is the first slot's, set by canonicalisation; the item's own is not what is stored.
                backendConfigJson = ConfigJson.Serialize(ns.BackendConfig);
            }
            ns.Version = 1;
            ns.CreatedAt = ns.UpdatedAt = nowAt;
            ns.CreatedBy = ns.UpdatedBy = changedBy;
            NamespaceValidator.Validate(ns, backendConfigJson);
            var warnings = CheckAgainst(registry, ns, strict);
            var sortedFeatures = ConfigJson.SortedKeys(ns.Features);
            return new PreparedImport(ns, new PreparedCreate(backendConfigJson!, Snapshot.TagsJson(ns.Tags),
                Store.Snapshot.Serialize(ns, backendConfigJson!, sortedFeatures)), [.. warnings]);
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// What an import would do, made read-only: one result per namespace, and the version each was planned against,
/// so that applying it can refuse to write over a change made in between.
/// </summary>
public sealed class ImportPlan
{
    private readonly List<ImportResult> _results = [];
    private readonly Dictionary<string, (int Version, byte[]? Content)> _planned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public IReadOnlyList<ImportResult> Results => _results;

    public ImportPlanSummary Summary => ImportPlanSummary.Of(_results);

    internal void Add(ImportResult result, int version, NamespaceConfig? desired)
    {
        _results.Add(result);
        _planned[result.Name] = (version, desired is null ? null : ContentHash(desired));
    }

    /// <summary>
    /// Throws unless <paramref name="name"/> was planned at <paramref name="version"/> (0: absent) with the same
    /// desired content: another writer changed the store, or the input changed, since the plan was made.
    /// </summary>
    internal void Check(string name, int version, NamespaceConfig? desired)
    {
        _seen.Add(name);
        if (!_planned.TryGetValue(name, out var planned))
        {
            throw InputChanged(name);
        }
        if (planned.Version != version)
        {
            throw new VersionConflictException(name, planned.Version, version);
        }
        // A namespace planned as desired must still be desired with the same content; one planned for the prune
        // (no content) must still be pruned.
        var same = desired is null
            ? planned.Content is null
            : planned.Content is not null && planned.Content.AsSpan().SequenceEqual(ContentHash(desired));
        if (!same)
        {
            throw InputChanged(name);
        }
    }

    /// <summary>Throws if a planned namespace did not come up again while applying.</summary>
    internal void CheckAllSeen()
    {
        foreach (var name in _planned.Keys)
        {
            if (!_seen.Contains(name))
            {
                throw InputChanged(name);
            }
        }
    }

    private static byte[] ContentHash(NamespaceConfig ns) => SHA256.HashData(Encoding.UTF8.GetBytes(Snapshot.ContentKey(ns)));

    private static PrismConfigException InputChanged(string name) => new(PrismErrorKind.Conflict, "ImportChanged",
        $"Namespace '{name}' is not what the import planned: the store or the input changed while the import waited for confirmation. Nothing was written; run the import again.",
        name);
}
