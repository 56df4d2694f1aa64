namespace PrismConfig;

/// <summary>What one Sync-PrismConfig pass did to a replica.</summary>
public sealed class SyncResult
{
    /// <summary>The replica's path.</summary>
    public string Database { get; set; } = "";
    /// <summary>The source, as it may be shown: a path, or a URI without its password.</summary>
    public string Source { get; set; } = "";
    /// <summary>The revision the replica reflected before the pass (0 for a new replica).</summary>
    public long FromRevision { get; set; }
    /// <summary>The source's revision the replica reflects now.</summary>
    public long Revision { get; set; }
    /// <summary>How many history entries the pass copied (every entry, for a rebuild).</summary>
    public int Changes { get; set; }
    /// <summary>How many namespace rows the pass wrote.</summary>
    public int Namespaces { get; set; }
    /// <summary>
    /// True when the pass copied a changed registry (patterns and backends). A registry change takes no revision, so
    /// a pass that copied only that has Revision equal to FromRevision and still changed the replica.
    /// </summary>
    public bool RegistryChanged { get; set; }
    /// <summary>True when the pass rebuilt the replica from a snapshot of the source instead of applying changes.</summary>
    public bool Rebuilt { get; set; }
    /// <summary>Why the pass rebuilt the replica; null when it did not.</summary>
    public string? Reason { get; set; }
    public DateTimeOffset SyncedAt { get; set; }
    public TimeSpan Duration { get; set; }

    public override string ToString() => $"{Database} at revision {Revision}";
}

/// <summary>
/// A store's position and, for a replica, how fresh it is (Get-PrismConfigStatus). <see cref="Lag"/> is the time
/// since the replica last reached its source and found itself in step.
/// </summary>
public sealed class ConfigStatus
{
    public string Database { get; set; } = "";
    /// <summary>SQLite or PostgreSQL.</summary>
    public string Engine { get; set; } = "";
    public int SchemaVersion { get; set; }
    /// <summary>The revision of the last committed change.</summary>
    public long Revision { get; set; }
    /// <summary>Names the store's history; a whole-store restore changes it.</summary>
    public string Epoch { get; set; } = "";
    public int Namespaces { get; set; }
    public bool IsReplica { get; set; }
    /// <summary>For a replica, the store it copies (no password); otherwise null.</summary>
    public string? Source { get; set; }
    /// <summary>For a replica, when a pass last changed it.</summary>
    public DateTimeOffset? LastSyncedAt { get; set; }
    /// <summary>For a replica, when a pass last reached the source.</summary>
    public DateTimeOffset? LastContactAt { get; set; }
    /// <summary>For a replica, how long ago it last reached the source: how stale it may be.</summary>
    public TimeSpan? Lag { get; set; }

    public override string ToString() => Database;
}
