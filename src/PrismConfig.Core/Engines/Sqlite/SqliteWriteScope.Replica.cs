using Microsoft.Data.Sqlite;
using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>Whole-store writes (a sync pass, a restore): another store's rows copied as they are, ids included, inside this one transaction.</summary>
internal sealed partial class SqliteWriteScope
{
    ReplicaRecord? IReplicaScope.ReadReplica() => Run(() => SqliteEngine.ReadReplica(_s.Commands));

    StoreState IReplicaScope.ReadState() => Run(() => SqliteEngine.ReadState(_connection));

    bool IReplicaScope.IsEmpty() => Run(() => Factory.ScalarInt64(_connection, SqliteDialect.IsEmptyStore) == 0);

    void IReplicaScope.Replace(StoreDump dump) => Run(() =>
    {
        Refill(dump);
        SetState(dump.Revision, dump.Epoch);
        return true;
    });

    /// <summary>
    /// A whole-store restore's copy: the dump's rows over the emptied store, and its revision, so the next write in
    /// this transaction takes the one after it. The store gets a new epoch, since its revisions now name other changes.
    /// </summary>
    internal void ReplaceWith(StoreDump dump) => Run(() =>
    {
        Refill(dump);
        Factory.Execute(_connection, SqliteDialect.NewEpoch);
        return true;
    });

    /// <summary>Empties the store and writes a dump's rows in, ids included; the tag and slot rows follow from the triggers.</summary>
    private void Refill(StoreDump dump)
    {
        foreach (var statement in SqliteDialect.EmptyStore)
        {
            Factory.Execute(_connection, statement);
        }
        SqliteEngine.InsertDump(_connection, dump);
    }

    void IReplicaScope.Apply(ChangeSet changes) => Run(() =>
    {
        var existing = new HashSet<long>();
        using (var park = _connection.CreateCommand())
        {
            park.CommandText = SqliteDialect.ParkName;
            var id = park.Parameters.Add("$id", SqliteType.Integer);
            foreach (var row in changes.Namespaces)
            {
                id.Value = row.Id;
                if (park.ExecuteNonQuery() == 1) existing.Add(row.Id);
            }
        }
        SqliteEngine.WriteNamespaces(_connection, SqliteDialect.ReplaceNamespace, changes.Namespaces.Where(n => existing.Contains(n.Id)));
        SqliteEngine.WriteNamespaces(_connection, SqliteEngine.InsertDumpNamespace, changes.Namespaces.Where(n => !existing.Contains(n.Id)));
        using (var clear = _connection.CreateCommand())
        {
            clear.CommandText = SqliteDialect.DeleteFeatures;
            var id = clear.Parameters.Add("$id", SqliteType.Integer);
            foreach (var row in changes.Namespaces)
            {
                id.Value = row.Id;
                clear.ExecuteNonQuery();
            }
        }
        SqliteEngine.InsertFeatures(_connection, changes.Features);
        SqliteEngine.InsertHistory(_connection, changes.History);
        if (changes.Registry is { } registry)
        {
            Factory.Execute(_connection, SqliteDialect.EmptyRegistry);
            SqliteEngine.InsertRegistry(_connection, registry);
        }
        SetState(changes.State.Revision, changes.State.Epoch);
        return true;
    });

    void IReplicaScope.WriteReplica(ReplicaRecord record) => Run(() =>
    {
        Factory.Execute(_connection, SqliteDialect.CreateReplicaState);
        using var command = _connection.CreateCommand();
        command.CommandText = SqliteDialect.UpsertReplicaState;
        command.Parameters.AddWithValue("$source", record.Source);
        command.Parameters.AddWithValue("$registry_history", record.RegistryHistoryCount);
        command.Parameters.AddWithValue("$last_synced_at", record.LastSyncedAt);
        command.Parameters.AddWithValue("$last_contact_at", record.LastContactAt);
        return command.ExecuteNonQuery();
    });

    private void SetState(long revision, string epoch)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = SqliteDialect.SetStateFrom;
        command.Parameters.AddWithValue("$revision", revision);
        command.Parameters.AddWithValue("$epoch", epoch);
        command.ExecuteNonQuery();
    }
}
