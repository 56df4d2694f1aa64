using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>
/// A SQLite store as a replica: a store with a replica_state row. The table is made by the first sync pass, so a
/// store that never was a replica has none, and the ADR's tables stay exactly as they are.
/// </summary>
internal sealed partial class SqliteEngine : IReplicaEngine
{
    public IReplicaScope BeginReplicaWrite(IProgress<TimeSpan>? waiting = null) => BeginWrite(waiting, replicaSync: true);

    public ReplicaRecord? ReadReplica() => OnRead(() => ReadReplica(_read));

    internal static ReplicaRecord? ReadReplica(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        if (Factory.ScalarInt64(connection, SqliteDialect.HasReplicaState) == 0) return null;
        using var command = connection.CreateCommand();
        command.CommandText = SqliteDialect.SelectReplicaState;
        using var r = command.ExecuteReader();
        return r.Read() ? new ReplicaRecord(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)) : null;
    }
}
