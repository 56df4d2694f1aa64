namespace PrismConfig.Core.Engines;

/// <summary>
/// A whole store as plain rows, ids included, read from one consistent snapshot: what moves a store between engines
/// (a PostgreSQL store's backup is a SQLite file written from one; a SQLite backup restores into PostgreSQL as one).
/// The tag and slot side tables are not in it: each engine derives them from the namespace rows.
/// </summary>
internal sealed class StoreDump
{
    public long Revision { get; init; }
    public List<NamespaceRow> Namespaces { get; } = [];
    public List<FeatureRow> Features { get; } = [];
    public List<HistoryDumpRow> History { get; } = [];
    public List<RegistryRow> Registry { get; } = [];
    public List<RegistryHistoryDumpRow> RegistryHistory { get; } = [];
}

internal sealed class RegistryHistoryDumpRow
{
    public long Id { get; set; }
    public long DefinitionId { get; set; }
    public long Version { get; set; }
    public string Operation { get; set; } = "";
    public long ChangedAt { get; set; }
    public string? ChangedBy { get; set; }
    public string? Reason { get; set; }
    public string? OldDocument { get; set; }
    public string NewDocument { get; set; } = "{}";
}

internal sealed record FeatureRow(long NamespaceId, string Name, bool Enabled, long UpdatedAt);

internal sealed record HistoryDumpRow(long Id, long NamespaceId, string Operation, long ChangedAt, string? ChangedBy, string? OldConfig,
    string? NewConfig, long? Version, string? Reason, long? Revision);
