using PrismConfig.Core.Store;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    /// <summary>
    /// What changed in namespace <paramref name="name"/> from version <paramref name="referenceVersion"/> to
    /// <paramref name="differenceVersion"/> (its current version when null), one entry per field, values unmasked.
    /// </summary>
    public IReadOnlyList<FieldChange> CompareVersions(string name, int referenceVersion, int? differenceVersion = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        var current = TryGetStored(name) ?? throw new NamespaceNotFoundException(name);
        var before = SnapshotAt(current, referenceVersion);
        var after = differenceVersion is { } v ? SnapshotAt(current, v) : current.Config;
        return ToFieldChanges(current.Config.Name, ConfigDiff.Compute(before, after)).ToList();
    }

    /// <summary>
    /// What importing <paramref name="desired"/> would change, per field, against this store (kubectl diff): a new
    /// namespace lists every field it sets, with no old value. Namespaces only in the store are not listed, as an
    /// import without -Prune leaves them alone. Read-only; values unmasked.
    /// </summary>
    /// <remarks>A namespace whose stored row is damaged is passed to <paramref name="damaged"/> and left out; without it, it throws.</remarks>
    public IReadOnlyList<FieldChange> CompareDesired(IEnumerable<NamespaceConfig> desired, Action<NamespaceDamagedException>? damaged = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ThrowIfDisposed();
        return CompareDesired(desired, name => _engine.ReadNamespace(name) is { } row ? ToConfig(row) : null, damaged);
    }

    /// <summary>As <see cref="CompareDesired(IEnumerable{NamespaceConfig}, Action{NamespaceDamagedException})"/>, for a store that does not exist yet.</summary>
    public static IReadOnlyList<FieldChange> CompareDesiredWithNewStore(IEnumerable<NamespaceConfig> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return CompareDesired(desired, _ => null, null);
    }

    private static List<FieldChange> CompareDesired(IEnumerable<NamespaceConfig> desired, Func<string, NamespaceConfig?> load,
        Action<NamespaceDamagedException>? damaged)
    {
        var result = new List<FieldChange>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in desired)
        {
            var ns = NamespaceNormalizer.Canonicalize(item);
            NamespaceValidator.Validate(ns);
            if (!names.Add(ns.Name)) throw DuplicateInImport(ns.Name);
            NamespaceConfig? current;
            try
            {
                current = load(ns.Name);
            }
            catch (NamespaceDamagedException ex) when (damaged is not null)
            {
                damaged(ex);
                continue;
            }
            if (current is not null && Snapshot.SameContent(current, ns)) continue;
            // A new namespace's name is the row itself, not a changed field.
            var changes = ConfigDiff.Compute(current, ns).Where(c => current is not null || c.Property != nameof(NamespaceConfig.Name));
            result.AddRange(ToFieldChanges(ns.Name, changes));
        }
        return result;
    }

    private NamespaceConfig SnapshotAt(StoredNamespace current, int version)
    {
        var rows = _engine.ReadHistory(new HistoryQuery { NamespaceId = current.Id, Version = version, Last = 1 });
        return ParseSnapshot(rows.Count > 0 ? rows[0].NewConfig : null, current.Config.Name)
            ?? throw new VersionNotFoundException(current.Config.Name, version, current.Config.Version);
    }

    private static IEnumerable<FieldChange> ToFieldChanges(string name, IEnumerable<PropertyChange> changes) =>
        changes.Select(c => new FieldChange { Name = name, Path = c.Property, OldValue = c.OldValue, NewValue = c.NewValue });
}
