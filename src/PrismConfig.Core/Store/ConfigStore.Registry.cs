using System.Collections;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Registry;
using PrismConfig.Core.Store;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    private RegistrySnapshot? _registry;
    private IReadOnlyList<RegistryRow>? _registryRows;
    private long _registryToken = long.MinValue;

    /// <summary>The registry's definitions, sorted by kind and name; <paramref name="kind"/> and <paramref name="names"/> (wildcards) filter.</summary>
    public IReadOnlyList<RegistryDefinition> GetRegistry(string? kind = null, IReadOnlyList<string>? names = null)
    {
        var patterns = names?.Select(n => new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape(n.ToLowerInvariant()).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "\\z",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant)).ToList();
        return CurrentRegistry().Definitions
            .Where(d => (kind is null || d.Kind == kind) && (patterns is null || patterns.Any(p => p.IsMatch(d.Name))))
            .Select(CopyDefinition)
            .ToList();
    }

    /// <summary>Every change to registry definitions, oldest first.</summary>
    public IReadOnlyList<RegistryHistoryEntry> GetRegistryHistory(string? kind = null, string? name = null)
    {
        ThrowIfDisposed();
        return _engine.ReadRegistryHistory(kind, name?.ToLowerInvariant()).Select(r => new RegistryHistoryEntry
        {
            Kind = r.Kind,
            Name = r.Name,
            Version = (int)r.Version,
            Operation = r.Operation,
            ChangedAt = DateTimeOffset.FromUnixTimeSeconds(r.ChangedAt),
            ChangedBy = r.ChangedBy,
            Reason = r.Reason,
            OldDocument = r.OldDocument is null ? null : ParseDocument(r.OldDocument, r.Kind, r.Name),
            NewDocument = ParseDocument(r.NewDocument, r.Kind, r.Name),
        }).ToList();
    }

    /// <summary>
    /// What a write of <paramref name="config"/> would meet in the registry, without writing: the names the registry
    /// does not define (as warnings). A violation throws <see cref="RegistryValidationException"/>; so do the
    /// warnings when <paramref name="strict"/>. A store with no registry returns none.
    /// </summary>
    public IReadOnlyList<RegistryWarning> CheckRegistry(NamespaceConfig config, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        var proposed = NamespaceNormalizer.Canonicalize(config);
        NamespaceValidator.Validate(proposed);
        return CheckAgainst(CurrentRegistry(), proposed, strict);
    }

    /// <summary>
    /// The behaviour parameters the namespace's pattern gives a default for and the namespace does not set. They are
    /// shown, never written: a namespace keeps only what its author wrote, so a changed default reaches it.
    /// </summary>
    public Hashtable BehaviorDefaults(NamespaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = NamespaceConfig.NewTable();
        if (CurrentRegistry().Patterns.TryGetValue(config.Pattern, out var pattern))
        {
            foreach (var p in pattern.Parameters)
            {
                if (p.HasDefault && !config.Behavior.ContainsKey(p.Name))
                {
                    defaults[p.Name] = NamespaceConfig.DeepCopy(p.Default);
                }
            }
        }
        return defaults;
    }

    /// <summary>
    /// Stores pattern and backend definitions in one transaction: new ones at version 1 (history 'create'), changed
    /// ones as a new version (history 'update'), equal ones untouched. All or nothing.
    /// </summary>
    public IReadOnlyList<RegistryImportResult> ImportRegistry(IEnumerable<RegistryDocument> documents, RegistryImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= new RegistryImportOptions();
        NamespaceValidator.ValidateReason(options.Reason);
        var docs = Distinct(documents);
        ThrowIfDisposed();
        using var scope = _engine.BeginWrite(options.LockWaitProgress);
        var existing = scope.ReadRegistry().ToDictionary(r => (r.Kind, r.Name));
        var now = Snapshot.UnixNow();
        var changedBy = ChangedBy(options.ChangedBy);
        var results = new List<RegistryImportResult>();
        foreach (var doc in docs)
        {
            var json = ConfigJson.Serialize(doc.Document);
            var source = System.IO.Path.GetFileName(doc.File);
            if (!existing.TryGetValue((doc.Kind, doc.Name), out var row))
            {
                var inserted = new RegistryRow
                {
                    Kind = doc.Kind, Name = doc.Name, Document = json, Source = source, Version = 1,
                    CreatedAt = now, UpdatedAt = now, CreatedBy = changedBy, UpdatedBy = changedBy,
                };
                var id = scope.InsertRegistryDefinition(inserted);
                scope.InsertRegistryHistory(new RegistryHistoryWrite(id, OpCreate, now, changedBy, null, json, 1, options.Reason));
                results.Add(new RegistryImportResult { Kind = doc.Kind, Name = doc.Name, Action = ImportAction.Created, Version = 1, Source = doc.File });
            }
            else if (ConfigJson.Serialize(ParseDocument(row.Document, row.Kind, row.Name)) == json)
            {
                results.Add(new RegistryImportResult { Kind = doc.Kind, Name = doc.Name, Action = ImportAction.Unchanged, Version = (int)row.Version, Source = doc.File });
            }
            else
            {
                var version = (int)row.Version + 1;
                var updated = new RegistryRow
                {
                    Id = row.Id, Kind = row.Kind, Name = row.Name, Document = json, Source = source, Version = version,
                    UpdatedAt = now, UpdatedBy = changedBy,
                };
                if (!scope.UpdateRegistryDefinition(updated, (int)row.Version))
                {
                    throw new PrismConfigException(PrismErrorKind.Conflict, "VersionConflict",
                        $"The {row.Kind} definition '{row.Name}' changed while it was being imported. Nothing was written; run the import again.", row.Name);
                }
                scope.InsertRegistryHistory(new RegistryHistoryWrite(row.Id, OpUpdate, now, changedBy, row.Document, json, version, options.Reason));
                results.Add(new RegistryImportResult { Kind = doc.Kind, Name = doc.Name, Action = ImportAction.Updated, Version = version, Source = doc.File });
            }
        }
        scope.Commit();
        InvalidateCache();
        return results;
    }

    /// <summary>What <see cref="ImportRegistry"/> would do, read-only; a replica is refused here too, as every plan is.</summary>
    public IReadOnlyList<RegistryImportResult> PlanRegistryImport(IEnumerable<RegistryDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ThrowIfReplica();
        var docs = Distinct(documents);
        var existing = CurrentRegistry().Definitions.ToDictionary(d => (d.Kind, d.Name));
        return docs.Select(doc => existing.TryGetValue((doc.Kind, doc.Name), out var d)
            ? ConfigJson.Serialize(d.Document) == ConfigJson.Serialize(doc.Document)
                ? new RegistryImportResult { Kind = doc.Kind, Name = doc.Name, Action = ImportAction.Unchanged, Version = d.Version, Source = doc.File }
                : new RegistryImportResult { Kind = doc.Kind, Name = doc.Name, Action = ImportAction.Updated, Version = d.Version + 1, Source = doc.File }
            : new RegistryImportResult { Kind = doc.Kind, Name = doc.Name, Action = ImportAction.Created, Version = 1, Source = doc.File }).ToList();
    }

    /// <summary>What importing into a store that does not exist yet would do: every definition is created.</summary>
    public static IReadOnlyList<RegistryImportResult> PlanRegistryImportIntoNewStore(IEnumerable<RegistryDocument> documents) =>
        Distinct(documents).Select(doc => new RegistryImportResult { Kind = doc.Kind, Name = doc.Name, Action = ImportAction.Created, Version = 1, Source = doc.File }).ToList();

    /// <summary>
    /// Every stored namespace the current registry refuses, as "namespace 'x': reason" lines: what a registry change
    /// would break, before any proxy meets it.
    /// </summary>
    public IReadOnlyList<string> RegistryViolations()
    {
        var registry = CurrentRegistry();
        return registry.IsEmpty ? [] : Violations(registry, List());
    }

    private static List<string> Violations(RegistrySnapshot registry, IEnumerable<NamespaceConfig> namespaces)
    {
        var problems = new List<string>();
        foreach (var ns in namespaces)
        {
            try
            {
                RegistryValidator.Check(ns, registry);
            }
            catch (RegistryValidationException ex)
            {
                problems.Add($"registry: {ex.Message}");
            }
        }
        return problems;
    }

    private static List<RegistryDocument> Distinct(IEnumerable<RegistryDocument> documents)
    {
        var seen = new Dictionary<(string, string), RegistryDocument>();
        var list = new List<RegistryDocument>();
        foreach (var doc in documents)
        {
            ArgumentNullException.ThrowIfNull(doc);
            if (seen.TryGetValue((doc.Kind, doc.Name), out var first))
            {
                throw new YamlImportException(doc.File, doc.Line, doc.Column,
                    $"the {doc.Kind} '{doc.Name}' is defined twice: also in {first.File}:{first.Line}:{first.Column}; keep one definition");
            }
            seen[(doc.Kind, doc.Name)] = doc;
            list.Add(doc);
        }
        return list;
    }

    /// <summary>The registry as of now, re-read only when anyone has committed since it was last read.</summary>
    internal RegistrySnapshot CurrentRegistry() => CurrentRegistry(askTokenFirst: true);

    /// <summary>
    /// The registry as of now. A write's plan passes false: it nearly always follows a commit (its own previous
    /// write or anyone's), after which the token has moved and the rows must be read anyway, so asking first would
    /// cost one more read transaction for nothing.
    /// </summary>
    /// <remarks>
    /// Almost every commit is a namespace write, after which the rows read back are the ones the cached snapshot
    /// was built from: the documents are parsed again only when a row differs in any column.
    /// </remarks>
    private RegistrySnapshot CurrentRegistry(bool askTokenFirst)
    {
        lock (_cacheLock)
        {
            ThrowIfDisposed();
            var token = askTokenFirst ? _engine.ChangeToken() : (long?)null;
            if (_registry is not null && token == _registryToken)
            {
                return _registry;
            }
            var rows = _engine.ReadRegistry();
            if (_registry is null || _registryRows is null || !RegistryRow.SameRows(rows, _registryRows))
            {
                _registry = ToSnapshot(rows);
                _registryRows = rows;
                // Without a token these rows cannot be dated, so the next asking read reads them again.
                _registryToken = token ?? long.MinValue;
            }
            else if (token is { } read)
            {
                _registryToken = read;
            }
            return _registry;
        }
    }

    private RegistrySnapshot ToSnapshot(IReadOnlyList<RegistryRow> rows)
    {
        if (rows.Count == 0) return RegistrySnapshot.Empty;
        try
        {
            return RegistrySnapshot.From(rows.Select(r => ToDefinition(r)).ToList());
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw new StoreCorruptException(Path, $"a registry definition is damaged ({ex.Message}). Import the registry again with Import-PrismRegistry.", ex);
        }
    }

    private Hashtable ParseDocument(string json, string kind, string name)
    {
        try
        {
            return ConfigJson.ParseObject(json);
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw new StoreCorruptException(Path, $"the stored {kind} definition '{name}' is damaged ({ex.Message}). Import it again with Import-PrismRegistry.", ex);
        }
    }

    private RegistryDefinition ToDefinition(RegistryRow r) => Describe(new RegistryDefinition
    {
        Kind = r.Kind,
        Name = r.Name,
        Document = ParseDocument(r.Document, r.Kind, r.Name),
        Source = r.Source,
        Version = (int)r.Version,
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(r.CreatedAt),
        CreatedBy = r.CreatedBy,
        UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(r.UpdatedAt),
        UpdatedBy = r.UpdatedBy,
    });

    /// <summary>Fills the summary columns from the document.</summary>
    private static RegistryDefinition Describe(RegistryDefinition d)
    {
        ShapeFailure damaged = (path, problem) => new FormatException($"{d.Kind} '{d.Name}': {problem}");
        if (d.Kind == RegistryKind.Pattern)
        {
            var spec = PatternSpec.From(d.Name, d.Document, damaged);
            d.Slots = spec.Slots.Select(s => s.Optional ? s.Name + "?" : s.Name).ToArray();
            d.Parameters = spec.Parameters.Select(p => p.Name).ToArray();
        }
        else
        {
            var spec = BackendSpec.From(d.Name, d.Document, damaged);
            d.Interfaces = spec.Implemented.ToArray();
            d.PlannedInterfaces = spec.Interfaces.Where(i => i.Status != InterfaceStatus.Implemented).Select(i => i.Name).ToArray();
        }
        return d;
    }

    private static RegistryDefinition CopyDefinition(RegistryDefinition d) => new()
    {
        Kind = d.Kind,
        Name = d.Name,
        Document = (Hashtable)NamespaceConfig.DeepCopy(d.Document)!,
        Source = d.Source,
        Version = d.Version,
        CreatedAt = d.CreatedAt,
        CreatedBy = d.CreatedBy,
        UpdatedAt = d.UpdatedAt,
        UpdatedBy = d.UpdatedBy,
        Slots = d.Slots,
        Parameters = d.Parameters,
        Interfaces = d.Interfaces,
        PlannedInterfaces = d.PlannedInterfaces,
    };

    /// <summary>The registry check every write makes: violations throw; unknown names are returned, or thrown when strict.</summary>
    private static List<RegistryWarning> CheckAgainst(RegistrySnapshot registry, NamespaceConfig proposed, bool strict)
    {
        var warnings = RegistryValidator.Check(proposed, registry);
        if (strict && warnings.Count > 0)
        {
            throw warnings[0].ToError();
        }
        return warnings;
    }
}
