using PrismConfig.Core.Store;

namespace PrismConfig.Core;

/// <summary>How durable a reported write is.</summary>
public enum Durability
{
    /// <summary>synchronous=FULL: a write reported as committed survives a power loss. The default.</summary>
    Full,
    /// <summary>synchronous=NORMAL (the ADR's choice): survives a process crash; a power loss may lose the last commits.</summary>
    Normal,
}

/// <summary>Options for opening a store.</summary>
public sealed class StoreOptions
{
    /// <summary>Create the file (and its folder) when it is missing. Reads leave this off so they never create a database.</summary>
    public bool CreateIfMissing { get; set; }

    public Durability Durability { get; set; } = Durability.Full;

    /// <summary>
    /// How long a writer waits for another writer's lock before failing with StoreBusyException. Sized for disks
    /// under load, where one commit's fsync can take seconds and several writers queue behind it.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = DefaultBusyTimeout;

    /// <summary>The default <see cref="BusyTimeout"/>.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// SQLite: serve the reads a write plans with from the write connection when it is free (see SqliteEngine).
    /// Always on; off only for Bench, which measures the update figure both ways in one run.
    /// </summary>
    internal bool WarmReads { get; set; } = true;

    /// <summary>
    /// PostgreSQL: a write's COPY batches run while the next batch is prepared (see PostgresWriteScope). Always on;
    /// off only for Bench, which measures the import both ways in one run.
    /// </summary>
    internal bool OverlapCopies { get; set; } = true;
}

/// <summary>Who makes a change, why, and against which version.</summary>
public sealed class WriteContext
{
    /// <summary>If set, the write fails with VersionConflictException unless the stored version equals it.</summary>
    public int? ExpectedVersion { get; set; }

    /// <summary>Free text recorded in history, at most 1,000 characters.</summary>
    public string? Reason { get; set; }

    /// <summary>Recorded as changed_by; defaults to the OS user name.</summary>
    public string? ChangedBy { get; set; }

    /// <summary>Told, about once a second on the writing thread, how long the write has waited for the store's write lock.</summary>
    public IProgress<TimeSpan>? LockWaitProgress { get; set; }

    /// <summary>Refuse, instead of accepting with a warning, a backend, pattern or parameter the store's registry does not define.</summary>
    public bool Strict { get; set; }
}

/// <summary>A partial change: a null member means "leave as it is".</summary>
public sealed class NamespacePatch
{
    public string? Description { get; set; }
    public string? Backend { get; set; }
    public string? Pattern { get; set; }
    public string? Status { get; set; }
    public string? Consistency { get; set; }
    public int? CacheTtlSeconds { get; set; }
    public int? RateLimitRps { get; set; }

    /// <summary>Replaces the whole backend config.</summary>
    public System.Collections.IDictionary? BackendConfig { get; set; }

    /// <summary>Sets individual top-level backend config keys, after any replacement.</summary>
    public System.Collections.IDictionary? SetBackendConfig { get; set; }

    /// <summary>Removes these top-level backend config keys, after <see cref="SetBackendConfig"/>.</summary>
    public IReadOnlyList<string>? RemoveBackendConfigKeys { get; set; }

    /// <summary>Shorthand for setting backend_config.connection_string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Replaces the tags.</summary>
    public IReadOnlyList<string>? Tags { get; set; }
    public IReadOnlyList<string>? AddTags { get; set; }
    public IReadOnlyList<string>? RemoveTags { get; set; }

    /// <summary>Sets these flags, leaving the others alone. Values must be booleans.</summary>
    public System.Collections.IDictionary? Features { get; set; }
    public IReadOnlyList<string>? RemoveFeatures { get; set; }

    /// <summary>Sets the pattern version; an empty string removes it.</summary>
    public string? PatternVersion { get; set; }

    /// <summary>Adds or replaces these slots by name; slots not named keep their place, new ones go last.</summary>
    public SlotTable? Slots { get; set; }

    /// <summary>Removes these slots (after <see cref="Slots"/>).</summary>
    public IReadOnlyList<string>? RemoveSlot { get; set; }

    /// <summary>Replaces the whole behaviour mapping (an empty one removes it).</summary>
    public System.Collections.IDictionary? Behavior { get; set; }

    /// <summary>Optional fields to empty (null): "RateLimitRps", "CacheTtlSeconds". A value set in the same patch wins.</summary>
    public IReadOnlyList<string>? Clear { get; set; }

    /// <summary>
    /// A namespace as a caller read it and then edited: each content field in which it differs from the stored
    /// namespace is taken, before every other member. Its Name, Version and timestamps are not content; pair it
    /// with its Version as the expected version, so the fields it did not edit cannot overwrite a newer write.
    /// </summary>
    public NamespaceConfig? Edited { get; set; }
}

/// <summary>Filters for listing namespaces. Every filter given must match; each list matches any of its values.</summary>
public sealed class NamespaceQuery
{
    /// <summary>Name patterns with * and ? wildcards; any one may match.</summary>
    public IReadOnlyList<string>? Names { get; set; }
    public IReadOnlyList<string>? Backends { get; set; }
    public IReadOnlyList<string>? Patterns { get; set; }
    public IReadOnlyList<string>? Statuses { get; set; }
    /// <summary>Every tag given must be present, as an exact element.</summary>
    public IReadOnlyList<string>? Tags { get; set; }

    /// <summary>
    /// Slot names; any one may match. With <see cref="Backends"/>, the backend must be in one of these slots;
    /// without them, a backend matches a namespace's backend or any of its slots.
    /// </summary>
    public IReadOnlyList<string>? Slots { get; set; }
}

/// <summary>Filters for reading history. Results are oldest first.</summary>
public sealed class HistoryQuery
{
    /// <summary>Name patterns with * and ? wildcards; null means every namespace.</summary>
    public IReadOnlyList<string>? Names { get; set; }
    public IReadOnlyList<string>? Operations { get; set; }
    public DateTimeOffset? Since { get; set; }
    /// <summary>One namespace by row id (the store's own lookups).</summary>
    internal long? NamespaceId { get; set; }
    public DateTimeOffset? Until { get; set; }
    public string? ChangedBy { get; set; }
    public int? Version { get; set; }
    /// <summary>Only the N most recent matching entries, still returned oldest first.</summary>
    public int? Last { get; set; }

    /// <summary>Also the history of removed namespaces, under the names they had.</summary>
    public bool IncludeRemoved { get; set; }

    /// <summary>Only entries committed after this store revision (a watcher resuming where it stopped).</summary>
    public long? AfterRevision { get; set; }

    /// <summary>
    /// With <see cref="AfterRevision"/>: also that revision's entries after this <see cref="HistoryEntry.Id"/>, for a
    /// watcher that stopped in the middle of a commit of many entries (an import).
    /// </summary>
    public long? AfterId { get; set; }
}

/// <summary>The outcome of a write: the namespace after it, and whether anything changed.</summary>
public sealed class WriteResult
{
    public WriteResult(NamespaceConfig config, bool changed, IReadOnlyList<PropertyChange> changes)
    {
        Config = config;
        Changed = changed;
        Changes = changes;
    }

    public NamespaceConfig Config { get; }
    public bool Changed { get; }
    public IReadOnlyList<PropertyChange> Changes { get; }

    /// <summary>How long the write waited for the store's write lock (zero when nothing was written).</summary>
    public TimeSpan LockWait { get; init; }
}

/// <summary>Options for a declarative import.</summary>
public sealed class ImportOptions
{
    /// <summary>
    /// Told, on the importing thread, of each namespace whose stored row is damaged; that namespace is skipped and
    /// the rest imported. When null, a damaged row stops the import.
    /// </summary>
    public Action<NamespaceDamagedException>? Damaged { get; set; }

    /// <summary>Disable namespaces that are in the store but not in the desired set.</summary>
    public bool Prune { get; set; }

    /// <summary>
    /// Lets a prune go ahead that would disable more than half of the active namespaces, all of them, or that is
    /// given an empty desired set: without it those are refused, since they are far more often a wrong file than intent.
    /// </summary>
    public bool Force { get; set; }
    public string? Reason { get; set; }
    public string? ChangedBy { get; set; }
    /// <summary>Called with the number of namespaces processed so far, on the importing thread.</summary>
    public IProgress<int>? Progress { get; set; }

    /// <summary>
    /// Enumerate the desired set, and check and serialise each namespace, on a worker thread a few batches ahead
    /// of the writes, so that reading (for example parsing YAML) overlaps writing. Results, order and errors are
    /// the same as without it. Set it only when the enumeration may run on another thread, and do not change the
    /// namespaces it yields until the import returns: the worker reads them while this thread writes.
    /// </summary>
    public bool ReadAhead { get; set; }

    /// <summary>
    /// Asks whether to go ahead, once, with the plan's counts. When set, the import first plans read-only (no write
    /// transaction, no lock), then calls this on the importing thread, and only if it returns true applies the plan,
    /// on the condition that every namespace is still at the version it was planned against. False returns the plan
    /// and writes nothing. The desired set is enumerated twice, so it must be repeatable (a file reader is).
    /// </summary>
    public Func<ImportPlanSummary, bool>? Confirm { get; set; }

    /// <summary>Told, about once a second on the importing thread, how long the import has waited for the write lock.</summary>
    public IProgress<TimeSpan>? LockWaitProgress { get; set; }

    /// <summary>Refuse, instead of accepting with a warning, a backend, pattern or parameter the store's registry does not define.</summary>
    public bool Strict { get; set; }

    /// <summary>
    /// Names where the namespace at a 0-based position of the desired set came from (for example its file), for
    /// <see cref="ImportResult.Source"/>. Called on the importing thread, in order.
    /// </summary>
    public Func<int, string?>? SourceOf { get; set; }

    /// <summary>How many results an applied import keeps in memory before the rest wait in a file; tests lower it.</summary>
    internal int ResultsInMemory { get; set; } = ImportResultCollection.DefaultInMemory;

    /// <summary>The capacity of the name filter's first stage; tests lower it to saturate the filter.</summary>
    internal int NameFilterStage { get; set; } = NameFilter.DefaultFirstStage;
}

/// <summary>How many namespaces an import creates, updates, disables and leaves unchanged.</summary>
public sealed class ImportPlanSummary
{
    public int Created { get; init; }
    public int Updated { get; init; }
    public int Disabled { get; init; }
    public int Unchanged { get; init; }
    public int Total => Created + Updated + Disabled + Unchanged;

    /// <summary>The counts of a plan or result list.</summary>
    public static ImportPlanSummary Of(IEnumerable<ImportResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        int created = 0, updated = 0, disabled = 0, unchanged = 0;
        foreach (var r in results)
        {
            switch (r.Action)
            {
                case ImportAction.Created: created++; break;
                case ImportAction.Updated: updated++; break;
                case ImportAction.Disabled: disabled++; break;
                default: unchanged++; break;
            }
        }
        return new ImportPlanSummary { Created = created, Updated = updated, Disabled = disabled, Unchanged = unchanged };
    }

    /// <summary>"N created, N updated, N disabled, N unchanged".</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Created} created, {Updated} updated, {Disabled} disabled, {Unchanged} unchanged");
}

/// <summary>The result of a health check.</summary>
public sealed class HealthReport
{
    public string Path { get; set; } = "";
    public bool IsHealthy => Problems.Length == 0;
    public int SchemaVersion { get; set; }
    public int Namespaces { get; set; }
    public int HistoryEntries { get; set; }
    public string[] Problems { get; set; } = [];
    /// <summary>The revision of the last committed change.</summary>
    public long Revision { get; set; }
    public bool IsReplica { get; set; }
    /// <summary>For a replica, the store it copies (no password); otherwise null.</summary>
    public string? Source { get; set; }
    /// <summary>For a replica, when a sync pass last changed it.</summary>
    public DateTimeOffset? LastSyncedAt { get; set; }
    /// <summary>For a replica, when a sync pass last reached the source.</summary>
    public DateTimeOffset? LastContactAt { get; set; }
    /// <summary>For a replica, how long ago it last reached the source.</summary>
    public TimeSpan? Lag { get; set; }
}
