using System.Globalization;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Registry;
using PrismConfig.Core.Store;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    private const string OpCreate = "create";
    private const string OpUpdate = "update";
    private const string OpDisable = "disable";
    private const string OpEnable = "enable";
    private const string OpRestore = "restore";
    private const string OpDelete = "delete";
    private const string OpRename = "rename";

    /// <summary>Creates a namespace at version 1 (history operation 'create'). Throws NamespaceExistsException if the name is taken.</summary>
    public NamespaceConfig Create(NamespaceConfig config, WriteContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        context ??= new WriteContext();
        NamespaceValidator.ValidateReason(context.Reason);
        var proposed = NamespaceNormalizer.Canonicalize(config);
        NamespaceValidator.Validate(proposed);
        CheckAgainst(CurrentRegistry(), proposed, context.Strict);
        using var scope = BeginWrite(context);
        if (scope.ReadNamespace(proposed.Name) is not null)
        {
            throw new NamespaceExistsException(proposed.Name);
        }
        WriteChange(scope, null, proposed, OpCreate, ChangedBy(context.ChangedBy), context.Reason, Snapshot.UnixNow());
        scope.Commit();
        return proposed.Clone();
    }

    /// <summary>
    /// Reads the namespace once and computes what the patch would make of it, without writing. Pass the plan to
    /// <see cref="Apply"/>, which writes it only if the namespace is still at the version planned against.
    /// </summary>
    public WritePlan PlanUpdate(string name, NamespacePatch patch, int? expectedVersion = null)
    {
        ThrowIfReplica();
        return PlanUpdateUnchecked(name, patch, expectedVersion);
    }

    private WritePlan PlanUpdateUnchecked(string name, NamespacePatch patch, int? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var current = Current(name, expectedVersion);
        return Checked(Plan(current, NamespacePatcher.Apply(current.Config, patch), OpUpdate, null));
    }

    /// <summary>Checks a plan that changes something against the registry: a violation throws, unknown names go into its warnings.</summary>
    private WritePlan Checked(WritePlan plan)
    {
        if (plan.Changed)
        {
            plan.Warnings = CheckAgainst(CurrentRegistry(askTokenFirst: false), plan.Proposed, strict: false);
        }
        return plan;
    }

    /// <summary>As <see cref="PlanUpdate"/>, for a status change: 'disable', 'enable', or 'update' for migrating.</summary>
    public WritePlan PlanStatus(string name, string status, int? expectedVersion = null)
    {
        ThrowIfReplica();
        if (status is null || !NamespaceStatus.All.Contains(status))
        {
            throw new ValidationException(name, "status", status, "status is one of active, disabled or migrating.");
        }
        var current = Current(name, expectedVersion);
        var proposed = NamespaceNormalizer.Canonicalize(current.Config);
        proposed.Status = status;
        var operation = status switch
        {
            NamespaceStatus.Disabled => OpDisable,
            NamespaceStatus.Active => OpEnable,
            _ => OpUpdate,
        };
        return Plan(current, proposed, operation, null);
    }

    /// <summary>
    /// A remove (history operation 'delete'): the row is disabled and renamed to a tombstone name that no query
    /// for a namespace returns, so the name is free again while the history keeps pointing at the row.
    /// </summary>
    public WritePlan PlanRemove(string name, int? expectedVersion = null)
    {
        ThrowIfReplica();
        var (current, damaged) = CurrentOrRepairBase(name, expectedVersion);
        var proposed = NamespaceNormalizer.Canonicalize(current.Config);
        proposed.Status = NamespaceStatus.Disabled;
        var plan = Plan(current, proposed, OpDelete, "removed");
        // A damaged row is rewritten whatever its last good content says, so that what is kept is readable.
        // Removing an already disabled namespace changes no column but still removes it.
        var remove = plan.Changed ? plan
            : new WritePlan(current.Id, current.Config, WithVersionBump(current.Config), OpDelete, true, [], "removed");
        remove.WithRename(Tombstone(current.Id, current.Config.Name));
        return damaged ? remove.AsRepair() : remove;
    }

    /// <summary>A rename (history operation 'rename'): the row, and so its whole history, moves to the new name.</summary>
    public WritePlan PlanRename(string name, string newName, int? expectedVersion = null)
    {
        ThrowIfReplica();
        ArgumentNullException.ThrowIfNull(newName);
        var target = Key(newName);
        NamespaceValidator.ValidateName(target);
        var current = Current(name, expectedVersion);
        if (target == current.Config.Name)
        {
            return new WritePlan(current.Id, current.Config, current.Config, OpRename, false, [], null);
        }
        if (TryGetStored(target) is not null)
        {
            throw new NamespaceExistsException(target);
        }
        var proposed = WithVersionBump(current.Config);
        proposed.Name = target;
        return new WritePlan(current.Id, current.Config, proposed, OpRename, true,
            [new PropertyChange("Name", current.Config.Name, target)], $"renamed from {current.Config.Name}").WithRename(target);
    }

    private static NamespaceConfig WithVersionBump(NamespaceConfig current)
    {
        var proposed = NamespaceNormalizer.Canonicalize(current);
        proposed.Version = current.Version + 1;
        proposed.CreatedAt = current.CreatedAt;
        proposed.CreatedBy = current.CreatedBy;
        proposed.UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(Snapshot.UnixNow());
        proposed.UpdatedBy = CurrentUser;
        return proposed;
    }

    /// <summary>A "before" at <paramref name="version"/> that differs from every namespace in every column.</summary>
    private static NamespaceConfig UnlikeAnyRow(int version)
    {
        const string never = "\u0000";
        var unlike = new NamespaceConfig
        {
            Description = never, Backend = never, Pattern = never, Status = never, Consistency = never,
            CacheTtlSeconds = int.MinValue, RateLimitRps = int.MinValue, Tags = [never], PatternVersion = never, Version = version,
        };
        unlike.BackendConfig[never] = never;
        unlike.Behavior[never] = never;
        unlike.Slots[never] = new NamespaceSlot { Backend = never };
        return unlike;
    }

    /// <summary>The name a removed row takes: '~' is never in a namespace name, so it collides with none.</summary>
    internal static string Tombstone(long id, string name) => string.Create(CultureInfo.InvariantCulture, $"~removed~{id}~{name}");

    /// <summary>The newest removed namespace that was called <paramref name="name"/>, as it was when removed.</summary>
    private StoredNamespace? Removed(string name)
    {
        var rows = _engine.ReadHistory(new HistoryQuery { Names = [Key(name)], IncludeRemoved = true, Operations = [OpDelete], Last = 1 });
        if (rows.Count == 0) return null;
        var row = _engine.ReadNamespace(Tombstone(rows[0].NamespaceId, rows[0].Name));
        if (row is null) return null;
        var config = ToConfig(row);
        config.Name = rows[0].Name;
        return new StoredNamespace(row.Id, config);
    }

    /// <summary>As <see cref="PlanUpdate"/>, for making the namespace exactly its snapshot at <paramref name="version"/> (operation 'restore').</summary>
    /// <remarks>A removed namespace is brought back under its name, as a new version, while no other namespace holds that name.</remarks>
    public WritePlan PlanRestore(string name, int version, int? expectedVersion = null)
    {
        ThrowIfReplica();
        ArgumentNullException.ThrowIfNull(name);
        var revived = !ExistsOrDamaged(name) ? Removed(name) : null;
        if (revived is not null && expectedVersion is { } expected && expected != revived.Config.Version)
        {
            throw new VersionConflictException(revived.Config.Name, expected, revived.Config.Version);
        }
        var damaged = false;
        var current = revived;
        if (current is null) (current, damaged) = CurrentOrRepairBase(name, expectedVersion);
        var rows = _engine.ReadHistory(new HistoryQuery { NamespaceId = current.Id, Version = version, Last = 1 });
        var json = rows.Count > 0 ? rows[0].NewConfig : null;
        var snapshot = ParseSnapshot(json, current.Config.Name)
            ?? throw new VersionNotFoundException(current.Config.Name, version, current.Config.Version);
        snapshot.Name = current.Config.Name;
        var proposed = NamespaceNormalizer.Canonicalize(snapshot);
        NamespaceValidator.Validate(proposed);
        var reason = $"restored from version {version.ToString(CultureInfo.InvariantCulture)}";
        if (revived is null && !damaged) return Checked(Plan(current, proposed, OpRestore, reason));
        var plan = Plan(current, proposed, OpRestore, reason);
        if (damaged)
        {
            return Checked((plan.Changed ? plan : new WritePlan(current.Id, current.Config, WithVersionBump(proposed), OpRestore, true, [], reason)).AsRepair());
        }
        return Checked((plan.Changed ? plan : new WritePlan(current.Id, current.Config, WithVersionBump(current.Config), OpRestore, true, [], reason))
            .WithRename(current.Config.Name));
    }

    /// <summary>
    /// Writes a plan: one guarded write, <c>… WHERE id = @id AND version = @planned</c>, and one history row. If
    /// anyone changed the namespace since it was planned, nothing is written and VersionConflictException says so.
    /// A plan that changes nothing writes nothing.
    /// </summary>
    public WriteResult Apply(WritePlan plan, WriteContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        context ??= new WriteContext();
        NamespaceValidator.ValidateReason(context.Reason);
        if (context.ExpectedVersion is { } expected && expected != plan.Current.Version)
        {
            throw new VersionConflictException(plan.Name, expected, plan.Current.Version);
        }
        if (!plan.Changed)
        {
            return new WriteResult(plan.Current.Clone(), false, []);
        }
        if (context.Strict && plan.Warnings.Count > 0)
        {
            throw plan.Warnings[0].ToError();
        }
        var proposed = plan.Proposed.Clone();
        using var scope = BeginWrite(context);
        WriteChange(scope, new StoredNamespace(plan.Id, plan.Current), proposed, plan.Operation, ChangedBy(context.ChangedBy),
            context.Reason ?? plan.DefaultReason, Snapshot.UnixNow(), plan.RenameTo, plan.RewritesDamagedRow);
        scope.Commit();
        // proposed is this call's own copy, kept by nothing else: it is the caller's.
        return new WriteResult(proposed, true, plan.Changes) { LockWait = scope.LockWait };
    }

    /// <summary>What <see cref="Update"/> would do, without writing: the proposed state and its changes.</summary>
    public WriteResult PreviewUpdate(string name, NamespacePatch patch) => PlanUpdate(name, patch).Preview;

    /// <summary>What <see cref="Restore"/> would do, without writing.</summary>
    public WriteResult PreviewRestore(string name, int version) => PlanRestore(name, version).Preview;

    /// <summary>Applies a partial change. A patch that changes nothing writes nothing and keeps the version.</summary>
    /// <remarks>
    /// With nothing to show or ask between plan and write, a replica is refused once: by the write transaction for a
    /// change, here for a no-op, which writes nothing.
    /// </remarks>
    public WriteResult Update(string name, NamespacePatch patch, WriteContext? context = null)
    {
        var plan = PlanUpdateUnchecked(name, patch, context?.ExpectedVersion);
        if (!plan.Changed) ThrowIfReplica();
        return Apply(plan, context);
    }

    /// <summary>Sets the status. History operation: 'disable' for disabled, 'enable' for active, 'update' for migrating.</summary>
    public WriteResult SetStatus(string name, string status, WriteContext? context = null) =>
        Apply(PlanStatus(name, status, context?.ExpectedVersion), context);

    /// <summary>Makes the namespace exactly its snapshot at <paramref name="version"/>, as a new version (operation 'restore').</summary>
    public WriteResult Restore(string name, int version, WriteContext? context = null) =>
        Apply(PlanRestore(name, version, context?.ExpectedVersion), context);

    private bool ExistsOrDamaged(string name)
    {
        try
        {
            return TryGetStored(name) is not null;
        }
        catch (NamespaceDamagedException)
        {
            return true;
        }
    }

    /// <summary>
    /// As <see cref="Current"/>, but a damaged row stands in as its newest readable history snapshot, at the row's
    /// version, so that a restore or remove can rewrite it: the two repairs a damaged namespace has.
    /// </summary>
    private (StoredNamespace Current, bool Damaged) CurrentOrRepairBase(string name, int? expectedVersion)
    {
        try
        {
            return (Current(name, expectedVersion), false);
        }
        catch (NamespaceDamagedException)
        {
            var row = _engine.ReadNamespace(Key(name)) ?? throw new NamespaceNotFoundException(name);
            var last = _engine.ReadHistory(new HistoryQuery { NamespaceId = row.Id, Last = 1 });
            var config = (last.Count > 0 ? ParseSnapshot(last[0].NewConfig, row.Name) : null) ?? new NamespaceConfig();
            config.Name = row.Name;
            config.Version = (int)Math.Clamp(row.Version, 0, int.MaxValue);
            if (expectedVersion is { } expected && expected != config.Version)
            {
                throw new VersionConflictException(row.Name, expected, config.Version);
            }
            return (new StoredNamespace(row.Id, config), true);
        }
    }

    /// <summary>The namespace's current row, checked against the version the caller expects.</summary>
    /// <remarks>
    /// Read from the engine, not the lookup cache: a plan nearly always follows a commit, which emptied the cache,
    /// and the row read is the plan's own object, so it needs no copy.
    /// </remarks>
    private StoredNamespace Current(string name, int? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        var row = _engine.ReadNamespace(Key(name)) ?? throw new NamespaceNotFoundException(name);
        var current = new StoredNamespace(row.Id, ToConfig(row));
        if (expectedVersion is { } expected && expected != current.Config.Version)
        {
            throw new VersionConflictException(current.Config.Name, expected, current.Config.Version);
        }
        return current;
    }

    private static WritePlan Plan(StoredNamespace current, NamespaceConfig proposed, string operation, string? defaultReason)
    {
        if (Snapshot.SameContent(current.Config, proposed))
        {
            return new WritePlan(current.Id, current.Config, current.Config, operation, false, [], defaultReason);
        }
        var changes = ConfigDiff.Compute(current.Config, proposed);
        proposed.Version = current.Config.Version + 1;
        proposed.CreatedAt = current.Config.CreatedAt;
        proposed.CreatedBy = current.Config.CreatedBy;
        proposed.UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(Snapshot.UnixNow());
        proposed.UpdatedBy = CurrentUser;
        return new WritePlan(current.Id, current.Config, proposed, operation, true, changes, defaultReason);
    }

    private IWriteScope BeginWrite(WriteContext context)
    {
        ThrowIfDisposed();
        return _engine.BeginWrite(context.LockWaitProgress);
    }

    private static string ChangedBy(string? given) => string.IsNullOrEmpty(given) ? CurrentUser : given;

    // On Unix, Environment.UserName looks the uid up in the user database on every call, and a process's user does
    // not change. On Windows it follows the thread's impersonation (a JEA or RunAs endpoint), so it is asked each time.
    private static readonly Lazy<string> UnixUser = new(() => Environment.UserName, LazyThreadSafetyMode.PublicationOnly);

    private static string CurrentUser => OperatingSystem.IsWindows() ? Environment.UserName : UnixUser.Value;

    /// <summary>
    /// Writes one change: the namespace row, its features and exactly one history row. <paramref name="proposed"/>
    /// must be canonical and valid; its metadata (version, timestamps, authors) is set here. An update is guarded by
    /// the version of <paramref name="current"/>.
    /// </summary>
    private static void WriteChange(IWriteScope scope, StoredNamespace? current, NamespaceConfig proposed, string operation,
        string changedBy, string? reason, long now, string? renameTo = null, bool rewriteAll = false)
    {
        var nowAt = DateTimeOffset.FromUnixTimeSeconds(now);
        proposed.UpdatedAt = nowAt;
        proposed.UpdatedBy = changedBy;
        long id;
        if (current is null)
        {
            proposed.Version = 1;
            proposed.CreatedAt = nowAt;
            proposed.CreatedBy = changedBy;
            id = scope.InsertNamespace(proposed, ConfigJson.Serialize(proposed.BackendConfig), Snapshot.TagsJson(proposed.Tags));
        }
        else
        {
            id = current.Id;
            proposed.Version = current.Config.Version + 1;
            proposed.CreatedAt = current.Config.CreatedAt;
            proposed.CreatedBy = current.Config.CreatedBy;
            // The row's name as stored: a removed namespace being brought back sits under its tombstone name.
            var storedName = renameTo is not null && renameTo == current.Config.Name ? Tombstone(id, current.Config.Name) : current.Config.Name;
            // A damaged row's columns are not what its snapshot says, so none may be skipped as "unchanged".
            var before = rewriteAll ? UnlikeAnyRow(current.Config.Version) : current.Config;
            if (!scope.UpdateNamespace(id, storedName, before, proposed))
            {
                var actual = scope.ReadNamespace(current.Config.Name);
                if (actual is null)
                {
                    throw new NamespaceNotFoundException(current.Config.Name);
                }
                throw new VersionConflictException(current.Config.Name, current.Config.Version, (int)Math.Clamp(actual.Version, 0, int.MaxValue));
            }
        }
        if (renameTo is not null)
        {
            // The plan saw the name free; another writer may have taken it since, and only this transaction knows.
            if (scope.ReadNamespace(renameTo) is { } taken && taken.Id != id)
            {
                throw new NamespaceExistsException(renameTo);
            }
            scope.RenameNamespace(id, renameTo);
        }
        scope.SyncFeatures(id, rewriteAll ? null : current?.Config.Features, proposed.Features, now);
        scope.InsertHistory(new HistoryWrite(id, operation, now, changedBy, current is null ? null : Snapshot.Serialize(current.Config),
            Snapshot.Serialize(proposed), proposed.Version, reason));
    }
}

/// <summary>
/// A write computed from one read of a namespace, not yet written: what it is now, what it would become, and the
/// changes. <see cref="ConfigStore.Apply"/> writes it only while the namespace is still at <see cref="Current"/>'s version.
/// </summary>
public sealed class WritePlan
{
    internal WritePlan(long id, NamespaceConfig current, NamespaceConfig proposed, string operation, bool changed,
        IReadOnlyList<PropertyChange> changes, string? defaultReason)
    {
        Id = id;
        Current = current;
        Proposed = proposed;
        Operation = operation;
        Changed = changed;
        Changes = changes;
        DefaultReason = defaultReason;
    }

    internal long Id { get; }

    internal string? DefaultReason { get; }

    /// <summary>The row's new name, when the write renames it (a remove, a rename, the restore of a removed namespace).</summary>
    internal string? RenameTo { get; private set; }

    internal WritePlan WithRename(string name)
    {
        RenameTo = name;
        return this;
    }

    /// <summary>The row was damaged and <see cref="Current"/> is its last good snapshot: every column must be written.</summary>
    internal bool RewritesDamagedRow { get; private set; }

    internal WritePlan AsRepair()
    {
        RewritesDamagedRow = true;
        return this;
    }

    public string Name => Current.Name;

    /// <summary>The namespace as it was read.</summary>
    public NamespaceConfig Current { get; }

    /// <summary>What it would become; equal to <see cref="Current"/> when nothing changes.</summary>
    public NamespaceConfig Proposed { get; }

    /// <summary>The history operation the write records.</summary>
    public string Operation { get; }

    public bool Changed { get; }

    public IReadOnlyList<PropertyChange> Changes { get; }

    /// <summary>Names the store's registry does not define; a strict <see cref="ConfigStore.Apply"/> refuses the plan for them.</summary>
    public IReadOnlyList<RegistryWarning> Warnings { get; internal set; } = [];

    /// <summary>The plan as a write result that has not happened: the proposed state and its changes.</summary>
    public WriteResult Preview => new(Proposed.Clone(), Changed, Changes);
}
