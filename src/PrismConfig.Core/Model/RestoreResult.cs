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

    public override string ToString() => Path;
}
