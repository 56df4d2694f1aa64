using System.Data.Common;
using System.Globalization;
using Dapper;

namespace PrismConfig.Core.Engines;

/// <summary>
/// A whole store as plain rows, ids included, read from one consistent snapshot: what moves a store between engines
/// (a PostgreSQL store's backup is a SQLite file written from one; a SQLite backup restores into PostgreSQL as one).
/// The tag and slot side tables are not in it: each engine derives them from the namespace rows.
/// </summary>
internal sealed class StoreDump
{
    public long Revision { get; init; }
    public string Epoch { get; init; } = "";
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

/// <summary>
/// What a replica needs to move from revision <see cref="AfterRevision"/> to <see cref="State"/>, read from one
/// consistent snapshot of the source: every history row after that revision, and the touched namespaces (with their
/// features) as they are at the snapshot. The registry comes along only when it changed.
/// </summary>
internal sealed class ChangeSet
{
    public long AfterRevision { get; init; }
    public StoreState State { get; init; }
    public List<HistoryDumpRow> History { get; } = [];
    public List<NamespaceRow> Namespaces { get; } = [];
    public List<FeatureRow> Features { get; } = [];
    public long RegistryHistoryCount { get; init; }
    /// <summary>The whole registry and its history, or null when the source's registry history count is the one the caller knew.</summary>
    public StoreDump? Registry { get; set; }
}

/// <summary>Reads dumps and change sets with standard SQL, inside a transaction the engine opened on its own snapshot.</summary>
internal static class DumpReader
{
    public static StoreDump ReadDump(DbConnection connection, DbTransaction transaction, StoreState state)
    {
        var dump = new StoreDump { Revision = state.Revision, Epoch = state.Epoch };
        dump.Namespaces.AddRange(Namespaces(connection, transaction, SqlQueries.DumpNamespaces, null));
        dump.Features.AddRange(Features(connection, transaction, SqlQueries.DumpFeatures, null));
        dump.History.AddRange(History(connection, transaction, SqlQueries.DumpHistory, null));
        AddRegistry(connection, transaction, dump);
        return dump;
    }

    public static ChangeSet ReadChanges(DbConnection connection, DbTransaction transaction, StoreState state, long afterRevision, long knownRegistryHistory)
    {
        var changes = new ChangeSet
        {
            AfterRevision = afterRevision,
            State = state,
            RegistryHistoryCount = connection.ExecuteScalar<long>(SqlQueries.CountRegistryHistory, transaction: transaction),
        };
        if (state.Revision > afterRevision)
        {
            changes.History.AddRange(History(connection, transaction, SqlQueries.HistoryAfter, afterRevision));
            changes.Namespaces.AddRange(Namespaces(connection, transaction, SqlQueries.ChangedNamespaces, afterRevision));
            changes.Features.AddRange(Features(connection, transaction, SqlQueries.ChangedFeatures, afterRevision));
        }
        if (changes.RegistryHistoryCount != knownRegistryHistory)
        {
            changes.Registry = new StoreDump();
            AddRegistry(connection, transaction, changes.Registry);
        }
        return changes;
    }

    private static void AddRegistry(DbConnection connection, DbTransaction transaction, StoreDump dump)
    {
        dump.Registry.AddRange(connection.Query<RegistryRow>(SqlQueries.SelectRegistry, transaction: transaction));
        dump.RegistryHistory.AddRange(connection.Query<RegistryHistoryDumpRow>(SqlQueries.DumpRegistryHistory, transaction: transaction));
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, long? after)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (after is { } value)
        {
            var p = command.CreateParameter();
            p.ParameterName = "after";
            p.Value = value;
            command.Parameters.Add(p);
        }
        return command;
    }

    private static List<NamespaceRow> Namespaces(DbConnection connection, DbTransaction transaction, string sql, long? after)
    {
        using var command = Command(connection, transaction, sql, after);
        using var r = command.ExecuteReader();
        var rows = new List<NamespaceRow>();
        while (r.Read()) rows.Add(RowReader.Namespace(r));
        return rows;
    }

    private static List<FeatureRow> Features(DbConnection connection, DbTransaction transaction, string sql, long? after)
    {
        using var command = Command(connection, transaction, sql, after);
        using var r = command.ExecuteReader();
        var rows = new List<FeatureRow>();
        // SQLite stores the ADR's BOOLEAN as an integer, PostgreSQL as a boolean.
        while (r.Read()) rows.Add(new FeatureRow(r.GetInt64(0), r.GetString(1), Convert.ToBoolean(r.GetValue(2), CultureInfo.InvariantCulture), r.GetInt64(3)));
        return rows;
    }

    private static List<HistoryDumpRow> History(DbConnection connection, DbTransaction transaction, string sql, long? after)
    {
        using var command = Command(connection, transaction, sql, after);
        using var r = command.ExecuteReader();
        var rows = new List<HistoryDumpRow>();
        while (r.Read())
        {
            rows.Add(new HistoryDumpRow(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), Text(r, 4), Text(r, 5), Text(r, 6),
                r.IsDBNull(7) ? null : r.GetInt64(7), Text(r, 8), r.IsDBNull(9) ? null : r.GetInt64(9)));
        }
        return rows;
    }

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
