// The reliability suites' child process. Three jobs, one per first argument:
//
//   cycle  <db> <sidelog> <seed>  verify the store (when it exists), print READY, then write through Core in a loop
//                                 until killed, appending "name version" to <sidelog> after every commit
//   verify <db> <sidelog|->       verify only; exit code 0 when the store is consistent, 1 when not
//   hold   <db> <seconds>         take the write lock (BEGIN IMMEDIATE), print HELD, keep it for <seconds>
//
// Verification checks what a crash must never break: integrity_check, foreign_key_check, every namespace's version
// equal to its number of history rows (versions 1..n, none missing or doubled), the current row equal to its latest
// history snapshot, and every write in the side log present.
using System.Collections;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using PrismConfig;
using PrismConfig.Core;
using PrismConfig.Core.Validation;

return args.Length > 0 ? args[0] switch
{
    "cycle" when args.Length == 4 => Worker.Cycle(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture)),
    "verify" when args.Length == 3 => Worker.Verify(args[1], args[2] == "-" ? null : args[2]) ? 0 : 1,
    "hold" when args.Length == 3 => Worker.Hold(args[1], double.Parse(args[2], CultureInfo.InvariantCulture)),
    _ => Worker.Usage(),
} : Worker.Usage();

internal static class Worker
{
    private static readonly string[] Backends = ["postgres", "redis", "kafka", "nats", "memstore"];
    private static readonly string[] Patterns = ["keyvalue", "pubsub", "stream", "queue"];
    private static readonly string[] TagPool = ["prod", "non-prod", "team-a", "team-b", "hot", "cold"];

    public static int Usage()
    {
        Console.Error.WriteLine("usage: cycle <db> <sidelog> <seed> | verify <db> <sidelog|-> | hold <db> <seconds>");
        return 64;
    }

    public static int Cycle(string db, string sideLog, int seed)
    {
        if (File.Exists(db) && !Verify(db, sideLog))
        {
            return 1;
        }
        var random = new Random(seed);
        using var store = ConfigStore.Open(db, new StoreOptions { CreateIfMissing = true });
        using var log = new StreamWriter(new FileStream(sideLog, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
        Console.WriteLine("READY");
        Console.Out.Flush();
        var writes = 0L;
        while (true)
        {
            foreach (var (name, version) in WriteOnce(store, random))
            {
                log.Write(string.Create(CultureInfo.InvariantCulture, $"{name} {version}\n"));
                writes++;
            }
            // After each commit, before the next write: a kill can lose the log line, never the write it reports.
            log.Flush();
            if (writes > 2_000_000) return 0; // never reached in practice: the suites kill the worker long before
        }
    }

    private static List<(string Name, int Version)> WriteOnce(ConfigStore store, Random random)
    {
        var all = store.List();
        var roll = random.NextDouble();
        // Enough namespaces to spread the writes, few enough that verification stays quick in a long soak.
        if (all.Count < 8 || (roll < 0.04 && all.Count < 40))
        {
            var created = store.Create(NewConfig(random, $"crash-{random.Next(0, 1 << 30):x8}"), Context(random));
            return [(created.Name, created.Version)];
        }
        var target = all[random.Next(all.Count)];
        if (roll < 0.55)
        {
            var result = store.Update(target.Name, RandomPatch(random), Context(random));
            return result.Changed ? [(result.Config.Name, result.Config.Version)] : [];
        }
        if (roll < 0.70 && target.Version > 1)
        {
            var result = store.Restore(target.Name, random.Next(1, target.Version), Context(random));
            return result.Changed ? [(result.Config.Name, result.Config.Version)] : [];
        }
        if (roll < 0.78)
        {
            var status = target.Status == NamespaceStatus.Active ? NamespaceStatus.Disabled : NamespaceStatus.Active;
            var result = store.SetStatus(target.Name, status, Context(random));
            return result.Changed ? [(result.Config.Name, result.Config.Version)] : [];
        }
        // A declarative import of a few changed namespaces and one new one, in one transaction.
        var desired = new List<NamespaceConfig>();
        foreach (var ns in all.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
        {
            var copy = ns.Clone();
            copy.RateLimitRps = random.Next(1, 100_000);
            copy.Description = $"imported {random.Next()}";
            desired.Add(copy);
        }
        if (all.Count < 40 && random.Next(3) == 0) desired.Add(NewConfig(random, $"crash-{random.Next(0, 1 << 30):x8}"));
        var results = store.Import(desired, new ImportOptions { Reason = "crash-safety import" });
        return results.Where(r => r.Action != ImportAction.Unchanged).Select(r => (r.Name, r.Version)).ToList();
    }

    private static WriteContext Context(Random random) => new() { Reason = $"crash-safety {random.Next()}", ChangedBy = "crash-worker" };

    private static NamespaceConfig NewConfig(Random random, string name)
    {
        var config = new NamespaceConfig
        {
            Name = name,
            Description = $"crash-safety namespace {random.Next()}",
            Backend = Backends[random.Next(Backends.Length)],
            Pattern = Patterns[random.Next(Patterns.Length)],
            Consistency = random.Next(2) == 0 ? ConsistencyLevel.Strong : ConsistencyLevel.Eventual,
            CacheTtlSeconds = random.Next(0, 3600),
            RateLimitRps = random.Next(1, 100_000),
            Tags = TagPool.OrderBy(_ => random.Next()).Take(random.Next(0, 3)).ToArray(),
        };
        config.BackendConfig["connection_string"] = $"postgres://db-{random.Next(100)}.internal:5432/app";
        config.BackendConfig["pool_size"] = random.Next(1, 200);
        config.Features["cache_enabled"] = random.Next(2) == 0;
        return config;
    }

    private static NamespacePatch RandomPatch(Random random) => random.Next(5) switch
    {
        0 => new NamespacePatch { RateLimitRps = random.Next(1, 100_000) },
        1 => new NamespacePatch { Description = $"updated {random.Next()}", CacheTtlSeconds = random.Next(0, 3600) },
        2 => new NamespacePatch { SetBackendConfig = new Hashtable { ["pool_size"] = random.Next(1, 200), ["replicas"] = new object[] { "a", random.Next(9) } } },
        3 => new NamespacePatch { Tags = TagPool.OrderBy(_ => random.Next()).Take(random.Next(0, 4)).ToArray() },
        _ => new NamespacePatch { Features = new Hashtable { ["shadow_traffic"] = random.Next(2) == 0 } },
    };

    public static bool Verify(string db, string? sideLog)
    {
        var problems = new List<string>();
        int namespaces = 0, history = 0, logged = 0;
        try
        {
            // First as a user would: Core opens the store after the crash (WAL recovery happens here).
            using var store = ConfigStore.Open(db);
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
            connection.Open();

            var integrity = Strings(connection, "PRAGMA integrity_check");
            if (integrity.Count != 1 || integrity[0] != "ok") problems.Add("integrity_check: " + string.Join("; ", integrity));
            var foreignKeys = Strings(connection, "PRAGMA foreign_key_check");
            if (foreignKeys.Count != 0) problems.Add($"foreign_key_check: {foreignKeys.Count} violation(s)");

            var versions = new Dictionary<string, int>(StringComparer.Ordinal);
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = """
                    SELECT n.name, n.version, COUNT(h.id), COALESCE(MIN(h.version), 0), COALESCE(MAX(h.version), 0), COUNT(DISTINCT h.version)
                    FROM namespaces n LEFT JOIN namespace_history h ON h.namespace_id = n.id
                    GROUP BY n.id ORDER BY n.name
                    """;
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    var name = reader.GetString(0);
                    int version = reader.GetInt32(1), rows = reader.GetInt32(2), min = reader.GetInt32(3), max = reader.GetInt32(4), distinct = reader.GetInt32(5);
                    versions[name] = version;
                    namespaces++;
                    history += rows;
                    if (rows != version || min != 1 || max != version || distinct != rows)
                    {
                        problems.Add($"{name}: version {version} but {rows} history rows (versions {min}..{max}, {distinct} distinct)");
                    }
                }
            }
            var orphans = Scalar(connection, "SELECT COUNT(*) FROM namespace_history WHERE namespace_id NOT IN (SELECT id FROM namespaces)");
            if (orphans != 0) problems.Add($"{orphans} history rows belong to no namespace");

            // The current row, as Core reads it, equals the snapshot its latest history row recorded.
            foreach (var ns in store.List())
            {
                var latest = store.GetHistory(new HistoryQuery { Names = [ns.Name], Version = ns.Version });
                if (latest.Count != 1 || latest[0].NewConfig is null)
                {
                    problems.Add($"{ns.Name}: no history snapshot for its current version {ns.Version}");
                    continue;
                }
                var current = Canonical(ns);
                var snapshot = Canonical(latest[0].NewConfig!);
                if (current != snapshot) problems.Add($"{ns.Name} v{ns.Version}: row {current} differs from its snapshot {snapshot}");
            }

            if (sideLog is not null && File.Exists(sideLog))
            {
                // The last line may be cut short by the kill; only whole, newline-ended lines report a committed write.
                var lines = File.ReadAllText(sideLog).Split('\n');
                foreach (var line in lines.Take(lines.Length - 1))
                {
                    var parts = line.Split(' ');
                    if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                    {
                        problems.Add($"side log line '{line}' is malformed");
                        continue;
                    }
                    logged++;
                    if (!versions.TryGetValue(parts[0], out var stored)) problems.Add($"logged write {line}: the namespace is missing");
                    else if (stored < v) problems.Add($"logged write {line}: the store has only version {stored}");
                }
            }
        }
        catch (Exception ex)
        {
            problems.Add($"{ex.GetType().Name}: {ex.Message}");
        }
        foreach (var p in problems.Take(20)) Console.WriteLine("VERIFY FAIL " + p);
        if (problems.Count == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"VERIFY OK namespaces={namespaces} history={history} logged={logged}"));
        Console.Out.Flush();
        return problems.Count == 0;
    }

    private static string Canonical(NamespaceConfig c) => ConfigJson.Serialize(new Hashtable
    {
        ["name"] = c.Name,
        ["version"] = c.Version,
        ["description"] = c.Description,
        ["backend"] = c.Backend,
        ["pattern"] = c.Pattern,
        ["status"] = c.Status,
        ["consistency"] = c.Consistency,
        ["cache_ttl_seconds"] = c.CacheTtlSeconds,
        ["rate_limit_rps"] = c.RateLimitRps,
        ["backend_config"] = c.BackendConfig,
        ["tags"] = c.Tags,
        ["features"] = c.Features,
    });

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++) fields[i] = Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
            rows.Add(string.Join("|", fields));
        }
        return rows;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public static int Hold(string db, double seconds)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        connection.Open();
        using (var begin = connection.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
        }
        Console.WriteLine("HELD");
        Console.Out.Flush();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        using var rollback = connection.CreateCommand();
        rollback.CommandText = "ROLLBACK";
        rollback.ExecuteNonQuery();
        return 0;
    }
}
