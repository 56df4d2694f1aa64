using System.Diagnostics;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Data.Sqlite;
using Perfolizer.Horology;

namespace PrismConfig.Benchmarks;

/// <summary>
/// The bench script's helper. Commands:
///   prepare --work DIR                       writes the 10,000-namespace YAML and the 10,000/100-namespace stores
///   bdn --work DIR --artifacts DIR --results FILE [--only Class,...]
///                                            runs the BenchmarkDotNet figures and writes their means as JSON
///   size --db FILE --work DIR                file size per namespace, with and without history, as JSON
///   write --work DIR                         figures 5 and 5b: interleaved rounds of updates, medians as JSON
///   import-readahead --work DIR              figure 3c: Core imports with read-ahead and without, interleaved rounds
/// </summary>
public static class Program
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: PrismConfig.Benchmarks prepare|bdn|size [options]");
            return 2;
        }
        var options = ParseOptions(args.Skip(1).ToArray());
        if (options.TryGetValue("work", out var work))
        {
            Directory.CreateDirectory(work);
            Environment.SetEnvironmentVariable("PRISM_BENCH_WORK", Path.GetFullPath(work));
        }
        switch (args[0])
        {
            case "prepare": return Prepare();
            case "bdn": return RunBdn(options["artifacts"], options["results"], options.GetValueOrDefault("only"));
            case "size": return Size(options["db"]);
            case "plans": return QueryPlans.Run(options["db"]);
            case "import-split": return ImportSplit();
            case "write": return WriteRounds();
            case "import-readahead": return ReadAheadRounds();
            default:
                Console.Error.WriteLine($"unknown command '{args[0]}'");
                return 2;
        }
    }

    private static Dictionary<string, string> ParseOptions(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            result[args[i].TrimStart('-')] = args[i + 1];
        }
        return result;
    }

    private static int Prepare()
    {
        var sw = Stopwatch.StartNew();
        File.WriteAllText(BenchPaths.Yaml10k, Fixture.Yaml(10_000));
        File.WriteAllText(BenchPaths.Yaml2500, Fixture.Yaml(2_500));
        File.WriteAllText(BenchPaths.Yaml100kA, Fixture.Yaml(1, 50_000));
        File.WriteAllText(BenchPaths.Yaml100kB, Fixture.Yaml(50_001, 50_000));
        Fixture.BuildStore(BenchPaths.Store10k, 10_000);
        Fixture.BuildBulkReadStore(BenchPaths.StoreBulk, 10_000);
        Fixture.BuildStore(BenchPaths.Store100, 100);
        SqliteConnection.ClearAllPools();
        Console.WriteLine($"prepared {BenchPaths.Work} in {sw.Elapsed.TotalSeconds:F1} s " +
            $"(yaml {new FileInfo(BenchPaths.Yaml10k).Length:N0} bytes)");
        return 0;
    }

    /// <summary>Where Core's import time goes: reading the YAML versus writing the store (for the report's notes).</summary>
    private static int ImportSplit()
    {
        var db = Path.Combine(BenchPaths.Work, "import-split.db");
        var result = new Dictionary<string, List<double>> { ["parse"] = [], ["read"] = [], ["import"] = [] };
        for (var run = 0; run < 3; run++)
        {
            Fixture.DeleteDatabase(db);
            var sw = Stopwatch.StartNew();
            ImportBenchmarks.ParseEvents(BenchPaths.Yaml10k);
            result["parse"].Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            var read = PrismConfig.Core.Yaml.NamespaceYaml.ReadFile(BenchPaths.Yaml10k);
            result["read"].Add(sw.Elapsed.TotalSeconds);
            using var store = PrismConfig.Core.ConfigStore.Open(db, new PrismConfig.Core.StoreOptions { CreateIfMissing = true });
            sw.Restart();
            store.Import(read.Select(r => r.Config).ToList());
            result["import"].Add(sw.Elapsed.TotalSeconds);
        }
        SqliteConnection.ClearAllPools();
        Fixture.DeleteDatabase(db);
        Console.WriteLine(JsonSerializer.Serialize(result.ToDictionary(kv => kv.Key, kv => kv.Value.Order().ElementAt(1)), Indented));
        return 0;
    }

    /// <summary>
    /// Figure 3c: what read-ahead saves Core's import of the 10,000-namespace file into a new store, in rounds that
    /// alternate the two sides' order. BenchmarkDotNet ran one side after the other, and load that came and went
    /// between them swung the figure from 0.63× to 1.11× in one day. Warms up until a pair of imports compiles
    /// fewer than 100 methods, since the first imports in a process are mostly JIT.
    /// </summary>
    private static int ReadAheadRounds()
    {
        const int rounds = 7;
        var db = Path.Combine(BenchPaths.Work, "import-readahead.db");
        double ImportSeconds(bool readAhead)
        {
            Fixture.DeleteDatabase(db);
            using var store = PrismConfig.Core.ConfigStore.Open(db, new PrismConfig.Core.StoreOptions { CreateIfMissing = true });
            GC.Collect();
            var sw = Stopwatch.StartNew();
            store.ImportStream(PrismConfig.Core.Yaml.NamespaceYaml.StreamFile(BenchPaths.Yaml10k).Select(e => e.Config),
                new PrismConfig.Core.ImportOptions { ReadAhead = readAhead });
            return sw.Elapsed.TotalSeconds;
        }
        var warmUp = Stopwatch.StartNew();
        var warmPairs = 0;
        for (var quiet = 0; quiet < 2 && warmUp.Elapsed < TimeSpan.FromSeconds(30); warmPairs++)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            ImportSeconds(true);
            ImportSeconds(false);
            quiet = System.Runtime.JitInfo.GetCompiledMethodCount() - before < 100 ? quiet + 1 : 0;
        }
        var on = new List<double>();
        var off = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var readAhead in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                (readAhead ? on : off).Add(ImportSeconds(readAhead));
            }
        }
        SqliteConnection.ClearAllPools();
        Fixture.DeleteDatabase(db);
        static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
        var result = new Dictionary<string, double>
        {
            ["onS"] = Median(on),
            ["offS"] = Median(off),
            ["savedS"] = Median(off.Zip(on, (a, b) => a - b)),
            ["rounds"] = rounds,
            ["warmPairs"] = warmPairs,
        };
        Console.WriteLine(JsonSerializer.Serialize(result, Indented));
        return 0;
    }

    /// <summary>
    /// Figures 5 and 5b. One commit's fsync dominates each side and its latency drifts by tens of percent within
    /// seconds on a shared disk, so the sides run in short interleaved rounds (their order rotating) and each figure
    /// is the median of the rounds' own ratios; BenchmarkDotNet runs one method after the other.
    /// </summary>
    private static int WriteRounds()
    {
        const int rounds = 31;
        const int perRound = 60;
        var bench = new WriteBenchmarks();
        bench.Setup();
        try
        {
            var sides = new (string Name, Action Run)[]
            {
                ("Raw", () => bench.Raw()),
                ("CoreUpdate", () => bench.CoreUpdate()),
                ("CoreUpdateColdReads", () => bench.CoreUpdateColdReads()),
            };
            var us = sides.ToDictionary(s => s.Name, _ => new List<double>());
            // Long enough for the JIT's tiering to settle on every path, as BenchmarkDotNet's warm-up would.
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < TimeSpan.FromSeconds(3))
            {
                foreach (var side in sides) side.Run();
            }
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < sides.Length; k++)
                {
                    var (name, run) = sides[(round + k) % sides.Length];
                    var sw = Stopwatch.StartNew();
                    for (var i = 0; i < perRound; i++) run();
                    us[name].Add(sw.Elapsed.TotalMicroseconds / perRound);
                }
            }
            static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
            var result = new Dictionary<string, double>
            {
                ["rawUs"] = Median(us["Raw"]),
                ["coreUs"] = Median(us["CoreUpdate"]),
                ["coldUs"] = Median(us["CoreUpdateColdReads"]),
                ["coreVsRaw"] = Median(us["CoreUpdate"].Zip(us["Raw"], (a, b) => a / b)),
                ["coreVsCold"] = Median(us["CoreUpdate"].Zip(us["CoreUpdateColdReads"], (a, b) => a / b)),
                ["rounds"] = rounds,
                ["perRound"] = perRound,
            };
            Console.WriteLine(JsonSerializer.Serialize(result, Indented));
        }
        finally
        {
            bench.Cleanup();
        }
        return 0;
    }

    private static Job InProcess(int warmup, int iterations, int intervalMs) => Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithLaunchCount(1)
        .WithWarmupCount(warmup)
        .WithIterationCount(iterations)
        .WithIterationTime(TimeInterval.FromMilliseconds(intervalMs));

    private static int RunBdn(string artifacts, string resultsFile, string? only)
    {
        // In-process: no per-benchmark project build or child process, which keeps the whole run to about a
        // minute on a shared two-core machine. Every figure is a ratio of two methods of the same run.
        var plans = new (Type Type, Job Job)[]
        {
            (typeof(LookupBenchmarks), InProcess(warmup: 3, iterations: 9, intervalMs: 200)),
            (typeof(TagFilterBenchmarks), InProcess(warmup: 2, iterations: 5, intervalMs: 200)),
            (typeof(ImportBenchmarks), Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
                .WithInvocationCount(1).WithUnrollFactor(1)),
        };
        var rows = new List<object>();
        foreach (var (type, job) in plans)
        {
            if (only is not null && !only.Split(',').Contains(type.Name)) continue;
            var config = ManualConfig.CreateEmpty()
                .AddJob(job)
                .AddLogger(ConsoleLogger.Default)
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .AddExporter(MarkdownExporter.GitHub)
                .WithArtifactsPath(artifacts)
                .WithOptions(ConfigOptions.DisableLogFile);
            var summary = BenchmarkRunner.Run(type, config);
            foreach (var report in summary.Reports)
            {
                var stats = report.ResultStatistics;
                if (stats is null)
                {
                    Console.Error.WriteLine($"{type.Name}.{report.BenchmarkCase.Descriptor.WorkloadMethod.Name} produced no result.");
                    return 1;
                }
                rows.Add(new
                {
                    Class = type.Name,
                    Method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                    Description = report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                    MeanNs = stats.Mean,
                    MedianNs = stats.Median,
                    StdDevNs = stats.StandardDeviation,
                    Iterations = stats.N,
                    AllocatedBytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase),
                });
            }
        }
        File.WriteAllText(resultsFile, JsonSerializer.Serialize(rows, Indented));
        return 0;
    }

    private static int Size(string db)
    {
        var result = new Dictionary<string, object?>();
        using (var c = Open(db, readOnly: false))
        {
            WriteBenchmarks.Exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
            result["namespaces"] = Scalar(c, "SELECT count(*) FROM namespaces");
            result["historyRows"] = Scalar(c, "SELECT count(*) FROM namespace_history");
            result["pageSize"] = Scalar(c, "PRAGMA page_size");
            result["pageCount"] = Scalar(c, "PRAGMA page_count");
            result["freelistCount"] = Scalar(c, "PRAGMA freelist_count");
            // dbstat is compiled into some SQLite builds only; when present it attributes every page to a table or index.
            try
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT s.name, m.tbl_name, SUM(s.pgsize) FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY s.name ORDER BY 3 DESC";
                using var r = cmd.ExecuteReader();
                var objects = new List<object>();
                while (r.Read())
                {
                    objects.Add(new { Name = r.GetString(0), Table = r.IsDBNull(1) ? r.GetString(0) : r.GetString(1), Bytes = r.GetInt64(2) });
                }
                result["dbstat"] = objects;
            }
            catch (SqliteException ex)
            {
                result["dbstat"] = null;
                result["dbstatError"] = ex.Message;
            }
        }
        SqliteConnection.ClearAllPools();
        result["fileBytes"] = new FileInfo(db).Length;

        // Without history, measured: a copy with every history row deleted, then VACUUMed.
        var copy = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(db))!, "size-no-history.db");
        Fixture.DeleteDatabase(copy);
        File.Copy(db, copy);
        using (var c = Open(copy, readOnly: false))
        {
            var triggers = new List<string>();
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'namespace_history'";
                using var r = cmd.ExecuteReader();
                while (r.Read()) triggers.Add(r.GetString(0));
            }
            foreach (var t in triggers) WriteBenchmarks.Exec(c, $"DROP TRIGGER \"{t}\"");
            WriteBenchmarks.Exec(c, "PRAGMA foreign_keys=OFF; DELETE FROM namespace_history; VACUUM; PRAGMA wal_checkpoint(TRUNCATE);");
            result["droppedTriggers"] = triggers;
        }
        SqliteConnection.ClearAllPools();
        result["fileBytesWithoutHistory"] = new FileInfo(copy).Length;
        Fixture.DeleteDatabase(copy);
        Console.WriteLine(JsonSerializer.Serialize(result, Indented));
        return 0;
    }

    private static SqliteConnection Open(string path, bool readOnly)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        c.Open();
        return c;
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
