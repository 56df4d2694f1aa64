using System.Globalization;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>
/// A SQLite store as a replica: a store with a replica_state row. The table is made by the first sync pass, so a
/// store that never was a replica has none, and the ADR's tables stay exactly as they are.
/// </summary>
internal sealed partial class SqliteEngine : IReplicaEngine
{
    public IReplicaScope BeginReplicaWrite(IProgress<TimeSpan>? waiting = null) => BeginWrite(waiting, replicaSync: true);

    public ReplicaRecord? ReadReplica() => OnWarmRead(statements => ReadReplica(statements.Commands), () => ReadReplica(_reads));

    public bool IsEmpty() => OnRead(() => SqliteConnectionFactory.ScalarInt64(_read, SqliteDialect.IsEmptyStore) == 0);

    /// <remarks>The table is looked for first: a store that never was a replica has none to prepare a SELECT on.</remarks>
    internal static ReplicaRecord? ReadReplica(PreparedCommands commands)
    {
        if (Convert.ToInt64(commands.Get(SqliteDialect.HasReplicaState).ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture) == 0) return null;
        using var r = commands.Get(SqliteDialect.SelectReplicaState).ExecuteReader();
        return r.Read() ? new ReplicaRecord(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)) : null;
    }
}
