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
    /// The import engine: inside the write transaction, one pass over the desired set. A name the store does not have
    /// takes the create fast path (backend_config serialised once and reused for the row and the snapshot; no diff, no
    /// re-read); an existing one is loaded by name, compared and updated as any other write.
    /// </summary>
    private List<ImportResult> ApplyImport(WriteCommands c, IEnumerable<NamespaceConfig> desired, ImportOptions options)
    {
        var existing = LoadKeys(_write);
        var results = new List<ImportResult>(desired is IReadOnlyCollection<NamespaceConfig> known ? known.Count : 256);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var now = Snapshot.UnixNow();
        var changedBy = ChangedBy(options.ChangedBy);
        var processed = 0;
        using var snapshot = new SnapshotWriter();
        foreach (var item in desired)
        {
            if (item is null)
            {
                throw new ArgumentException("The desired set contains a null namespace.", nameof(desired));
            }
            if (item.Name is { } itemName && existing.ContainsKey(itemName))
            {
                var ns = NamespaceNormalizer.Canonicalize(item);
                NamespaceValidator.Validate(ns);
                if (!names.Add(ns.Name))
                {
                    throw DuplicateInImport(ns.Name);
                }
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
                var name = CreateForImport(c, snapshot, item, names, changedBy, options.Reason, now);
                results.Add(new ImportResult { Name = name, Action = ImportAction.Created, Version = 1 });
            }
            processed++;
            if (processed % 100 == 0)
            {
                options.Progress?.Report(processed);
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

    /// <summary>
    /// Creates one namespace of an import: canonicalised and validated as <see cref="Create"/> does, but with
    /// backend_config serialised once (for the size check, the row and the snapshot) and the snapshot written once.
    /// Returns the name.
    /// </summary>
    private static string CreateForImport(WriteCommands c, SnapshotWriter snapshot, NamespaceConfig item, HashSet<string> names,
        string changedBy, string? reason, long now)
    {
        var backendConfigJson = item.BackendConfig is null ? null : NamespaceNormalizer.CanonicalJson(item.Name, "backend_config", item.BackendConfig);
        var nowAt = DateTimeOffset.FromUnixTimeSeconds(now);
        var ns = new NamespaceConfig
        {
            Name = item.Name,
            Description = string.IsNullOrEmpty(item.Description) ? null : item.Description,
            Backend = item.Backend,
            Pattern = item.Pattern,
            Status = item.Status,
            Consistency = item.Consistency,
            CacheTtlSeconds = item.CacheTtlSeconds,
            RateLimitRps = item.RateLimitRps,
            BackendConfig = item.BackendConfig!,
            Tags = NamespaceNormalizer.SortedTags(item.Tags),
            Features = NamespaceNormalizer.FeatureTable(item.Features),
            Version = 1,
            CreatedAt = nowAt,
            UpdatedAt = nowAt,
            CreatedBy = changedBy,
            UpdatedBy = changedBy,
        };
        NamespaceValidator.Validate(ns, backendConfigJson);
        if (!names.Add(ns.Name))
        {
            throw DuplicateInImport(ns.Name);
        }

        var p = c.Insert.Parameters;
        p[0].Value = ns.Name;
        p[1].Value = (object?)ns.Description ?? DBNull.Value;
        p[2].Value = ns.Backend;
        p[3].Value = ns.Pattern;
        p[4].Value = ns.Status;
        p[5].Value = ns.Consistency;
        p[6].Value = (object?)ns.CacheTtlSeconds ?? DBNull.Value;
        p[7].Value = (object?)ns.RateLimitRps ?? DBNull.Value;
        p[8].Value = backendConfigJson!;
        p[9].Value = Snapshot.TagsJson(ns.Tags);
        p[10].Value = 1;
        p[11].Value = now;
        p[12].Value = now;
        p[13].Value = changedBy;
        p[14].Value = changedBy;
        var id = Convert.ToInt64(c.Insert.ExecuteScalar(), CultureInfo.InvariantCulture);

        var sortedFeatures = ConfigJson.SortedKeys(ns.Features);
        var f = c.UpsertFeature.Parameters;
        foreach (var feature in sortedFeatures)
        {
            f[0].Value = id;
            f[1].Value = feature;
            f[2].Value = ns.Features[feature] is true ? 1 : 0;
            f[3].Value = now;
            c.UpsertFeature.ExecuteNonQuery();
        }

        var h = c.InsertHistory.Parameters;
        h[0].Value = id;
        h[1].Value = OpCreate;
        h[2].Value = now;
        h[3].Value = changedBy;
        h[4].Value = DBNull.Value;
        h[5].Value = snapshot.Write(ns, backendConfigJson!, sortedFeatures);
        h[6].Value = 1;
        h[7].Value = (object?)reason ?? DBNull.Value;
        c.InsertHistory.ExecuteNonQuery();
        return ns.Name;
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
