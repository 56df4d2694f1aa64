using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using PrismConfig.Core;

namespace PrismConfig.Benchmarks;

/// <summary>
/// Figure 5: one Core Update of one field (its history row included) with full durability, versus a raw UPDATE
/// plus an INSERT of a history row of the same size in one BEGIN IMMEDIATE transaction with the same pragmas
/// (WAL, synchronous=FULL, foreign_keys=ON). Each side writes its own copy of the same 1,000-namespace store,
/// so neither waits on the other's lock and both files have the same shape. Figure 5b: the same Core update with
/// StoreOptions.WarmReads off, on a third copy, so the device's share is measured in the same run.
/// </summary>
public class WriteBenchmarks
{
    private const string Target = "ns-00042";
    private ConfigStore store = null!;
    private ConfigStore cold = null!;
    private SqliteConnection raw = null!;
    private SqliteCommand begin = null!, update = null!, insert = null!, commit = null!;
    private int counter;

    [GlobalSetup]
    public void Setup()
    {
        Fixture.BuildStore(BenchPaths.WriteStore, 1000);
        Fixture.BuildStore(BenchPaths.WriteRaw, 1000);
        Fixture.BuildStore(BenchPaths.WriteCold, 1000);

        store = ConfigStore.Open(BenchPaths.WriteStore, new StoreOptions { Durability = Durability.Full });
        // One real Core update, so the baseline's history row copies the size and shape of a real one.
        store.Update(Target, new NamespacePatch { RateLimitRps = 777 });
        cold = ConfigStore.Open(BenchPaths.WriteCold, new StoreOptions { Durability = Durability.Full, WarmReads = false });
        cold.Update(Target, new NamespacePatch { RateLimitRps = 777 });

        var history = ReadLastHistoryRow(BenchPaths.WriteStore);

        raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = BenchPaths.WriteRaw, Pooling = false }.ToString());
        raw.Open();
        Exec(raw, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY;");

        long namespaceId;
        using (var id = raw.CreateCommand())
        {
            id.CommandText = "SELECT id FROM namespaces WHERE name = $name";
            id.Parameters.AddWithValue("$name", Target);
            namespaceId = (long)id.ExecuteScalar()!;
        }
        var namespaceColumns = Columns(raw, "namespaces");

        begin = Prepared(raw, "BEGIN IMMEDIATE");
        commit = Prepared(raw, "COMMIT");

        var sets = new List<string> { "rate_limit_rps = $value", "updated_at = $now" };
        if (namespaceColumns.Contains("version")) sets.Add("version = version + 1");
        if (namespaceColumns.Contains("updated_by")) sets.Add("updated_by = 'bench'");
        update = raw.CreateCommand();
        update.CommandText = $"UPDATE namespaces SET {string.Join(", ", sets)} WHERE name = $name";
        update.Parameters.Add("$value", SqliteType.Integer);
        update.Parameters.Add("$now", SqliteType.Integer);
        update.Parameters.AddWithValue("$name", Target);
        update.Prepare();

        // Every history column but id, bound to the captured values; the per-write ones are refreshed in Raw().
        var columns = history.Keys.Where(c => c != "id").ToList();
        insert = raw.CreateCommand();
        insert.CommandText = $"INSERT INTO namespace_history ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))})";
        foreach (var c in columns)
        {
            insert.Parameters.AddWithValue("$" + c, c == "namespace_id" ? namespaceId : history[c] ?? DBNull.Value);
        }
        insert.Prepare();
        counter = 1000;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var c in new[] { begin, update, insert, commit }) c.Dispose();
        raw.Dispose();
        store.Dispose();
        cold.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Benchmark(Description = "ConfigStore.Update (1 field + history, FULL)")]
    public WriteResult CoreUpdate() => store.Update(Target, new NamespacePatch { RateLimitRps = ++counter });

    [Benchmark(Description = "ConfigStore.Update, WarmReads off")]
    public WriteResult CoreUpdateColdReads() => cold.Update(Target, new NamespacePatch { RateLimitRps = ++counter });

    [Benchmark(Baseline = true, Description = "raw UPDATE + INSERT history, 1 tx, FULL")]
    public int Raw()
    {
        var value = ++counter;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        begin.ExecuteNonQuery();
        update.Parameters["$value"].Value = value;
        update.Parameters["$now"].Value = now;
        var n = update.ExecuteNonQuery();
        if (insert.Parameters.Contains("$version")) insert.Parameters["$version"].Value = value;
        if (insert.Parameters.Contains("$changed_at")) insert.Parameters["$changed_at"].Value = now;
        n += insert.ExecuteNonQuery();
        commit.ExecuteNonQuery();
        return n;
    }

    private static Dictionary<string, object?> ReadLastHistoryRow(string path)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT * FROM namespace_history ORDER BY id DESC LIMIT 1";
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new InvalidOperationException("Core's update wrote no history row.");
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
        return row;
    }

    internal static HashSet<string> Columns(SqliteConnection c, string table)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        using var r = cmd.ExecuteReader();
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read()) set.Add(r.GetString(0));
        return set;
    }

    private static SqliteCommand Prepared(SqliteConnection c, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Prepare();
        return cmd;
    }

    internal static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
