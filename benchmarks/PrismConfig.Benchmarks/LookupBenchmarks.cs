using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using PrismConfig.Core;

namespace PrismConfig.Benchmarks;

/// <summary>
/// Figure 1: a warm ConfigStore.TryGet returning a complete NamespaceConfig (features and tags included) versus
/// a raw Microsoft.Data.Sqlite SELECT of one row by name on the same file with a prepared, reused command.
/// Both cycle through the same 256 names so neither side is measured on one hot row only.
/// </summary>
[MemoryDiagnoser]
public class LookupBenchmarks
{
    private readonly string[] names = Enumerable.Range(0, 256).Select(i => Fixture.NameOf(1 + i * 37 % 10_000)).ToArray();
    private int next;
    private ConfigStore store = null!;
    private SqliteConnection connection = null!;
    private SqliteCommand select = null!;
    private SqliteParameter nameParameter = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = BenchPaths.Store10k;
        store = ConfigStore.Open(path);
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        select = connection.CreateCommand();
        select.CommandText = "SELECT * FROM namespaces WHERE name = $name";
        nameParameter = select.Parameters.Add("$name", SqliteType.Text);
        nameParameter.Value = names[0];
        select.Prepare();
        // Warm both: every name once, so Core's snapshot and SQLite's page cache hold them.
        foreach (var name in names)
        {
            _ = store.TryGet(name) ?? throw new InvalidOperationException($"{name} is missing from {path}.");
            _ = RawSelect(name) ?? throw new InvalidOperationException($"{name} is missing (raw) from {path}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        select.Dispose();
        connection.Dispose();
        store.Dispose();
        SqliteConnection.ClearAllPools();
    }

    [Benchmark(Description = "ConfigStore.TryGet (warm)")]
    public NamespaceConfig? CoreTryGet() => store.TryGet(names[next++ & 255]);

    [Benchmark(Baseline = true, Description = "raw prepared SELECT by name")]
    public object? RawSqlite() => RawSelect(names[next++ & 255]);

    private object[]? RawSelect(string name)
    {
        nameParameter.Value = name;
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        // Materialise the whole row, as any caller that wants the namespace would.
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return values;
    }
}
