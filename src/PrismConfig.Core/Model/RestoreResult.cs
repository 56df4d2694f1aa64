namespace PrismConfig;

/// <summary>The outcome of replacing a store's contents with a backup.</summary>
public sealed class RestoreResult
{
    /// <summary>The database that was restored.</summary>
    public string Path { get; set; } = "";
    /// <summary>The backup file whose contents the database now holds.</summary>
    public string RestoredFrom { get; set; } = "";
    /// <summary>A backup of the database as it was just before the restore; null when there was no database yet.</summary>
    public string? PreRestoreBackup { get; set; }
    /// <summary>How many namespaces the database holds after the restore.</summary>
    public int Namespaces { get; set; }
    public int SchemaVersion { get; set; }
    /// <summary>When the backup was taken (its file's last write time, UTC).</summary>
    public DateTimeOffset BackupTakenAt { get; set; }
    /// <summary>How many history rows the database had beyond the backup, kept by the restore.</summary>
    public int HistoryKept { get; set; }
    /// <summary>How many namespaces the restore changed, each with a 'restore' history row naming the backup.</summary>
    public int NamespacesRestored { get; set; }
    /// <summary>How many namespaces made after the backup the restore kept as removed, each with a 'delete' row.</summary>
    public int NamespacesRemoved { get; set; }

    public override string ToString() => Path;
}

/// <summary>What a whole-store restore did to the audit trail (<see cref="Core.ConfigStore.RestoreFrom"/>).</summary>
public sealed class RestoreAudit
{
    /// <summary>False when there was nothing to keep, or the backup is of another store (histories that differ).</summary>
    public bool HistoryMerged { get; init; }
    public int HistoryKept { get; init; }
    public int NamespacesRestored { get; init; }
    public int NamespacesRemoved { get; init; }
    public DateTimeOffset BackupTakenAt { get; init; }
}
