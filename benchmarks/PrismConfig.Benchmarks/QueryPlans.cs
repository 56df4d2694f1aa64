using System.Reflection;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PrismConfig.Core;

namespace PrismConfig.Benchmarks;

/// <summary>
/// Figure 8a for the report: EXPLAIN QUERY PLAN of the exact SQL Core builds for -Backend, -Status and -Tag
/// filters. Core's SQL builder is internal, so it is reached by reflection here (the xUnit test,
/// QueryPlanTests, calls it directly through InternalsVisibleTo).
/// </summary>
public static class QueryPlans
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string db)
    {
        var core = typeof(ConfigStore).Assembly;
        var flavor = core.GetType("PrismConfig.Core.Engines.Sqlite.SqliteDialect", throwOnError: true)!
            .GetField("Flavor", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException("Core has no SqliteDialect.Flavor.");
        var select = core.GetType("PrismConfig.Core.Engines.SqlQueries", throwOnError: true)!
            .GetMethod("SelectNamespaces", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("Core has no SqlQueries.SelectNamespaces.");

        var cases = new (string Filter, NamespaceQuery Query, string Index)[]
        {
            ("-Backend redis", new NamespaceQuery { Backends = ["redis"] }, "idx_namespaces_backend"),
            ("-Status disabled", new NamespaceQuery { Statuses = ["disabled"] }, "idx_namespaces_status"),
            ("-Tag canary", new NamespaceQuery { Tags = [Fixture.RareTag] }, "tag"),
        };
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        var rows = new List<object>();
        foreach (var (filter, query, index) in cases)
        {
            var parameters = new DynamicParameters();
            object?[] arguments = [flavor, query, parameters];
            var sql = (string)select.Invoke(null, arguments)!;
            var plan = c.Query<PlanRow>("EXPLAIN QUERY PLAN " + sql, parameters).Select(r => r.detail).ToList();
            // The ADR has no index on tags; the tag filter passes when it searches namespace_tags and never scans namespaces.
            var uses = index == "tag"
                ? !plan.Any(p => p.StartsWith("SCAN n", StringComparison.Ordinal)) && plan.Any(p => p.StartsWith("SEARCH namespace_tags", StringComparison.Ordinal))
                : plan.Any(p => p.Contains(index, StringComparison.Ordinal)) && !plan.Any(p => p.StartsWith("SCAN n", StringComparison.Ordinal));
            rows.Add(new { Filter = filter, ExpectedIndex = index == "tag" ? "namespace_tags (side index)" : index, UsesIndex = uses, Plan = plan, Sql = sql });
        }
        Console.WriteLine(JsonSerializer.Serialize(rows, Indented));
        return 0;
    }

    private sealed class PlanRow
    {
#pragma warning disable IDE1006 // column name as SQLite returns it
        public string detail { get; set; } = "";
#pragma warning restore IDE1006
    }
}
