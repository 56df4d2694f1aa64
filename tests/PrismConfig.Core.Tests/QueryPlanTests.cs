using Dapper;
using Microsoft.Data.Sqlite;
using PrismConfig.Core;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Engines.Sqlite;

namespace PrismConfig.Core.Tests;

/// <summary>
/// Listing with -Backend or -Status must use the ADR's indexes, not scan the table: EXPLAIN QUERY PLAN of the
/// exact SQL Core builds for those filters must search the index. (A plan, not a timing: the timings are in
/// benchmarks/, never in the test suite.)
/// </summary>
public sealed class QueryPlanTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "prism-plan-" + Guid.NewGuid().ToString("N"));
    private readonly string db;

    public QueryPlanTests()
    {
        Directory.CreateDirectory(folder);
        db = Path.Combine(folder, "config.db");
        using var store = ConfigStore.Open(db, new StoreOptions { CreateIfMissing = true });
        store.Import(Enumerable.Range(1, 200).Select(i => new NamespaceConfig
        {
            Name = $"plan-{i:D3}",
            Backend = i % 2 == 0 ? "postgres" : "redis",
            Pattern = "keyvalue",
            Status = i % 10 == 0 ? NamespaceStatus.Disabled : NamespaceStatus.Active,
            Tags = [i % 2 == 0 ? "production" : "staging", i % 50 == 0 ? "canary" : "team-a"],
        }).ToList());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private List<string> Plan(NamespaceQuery query)
    {
        var parameters = new DynamicParameters();
        var sql = SqlQueries.SelectNamespaces(SqliteDialect.Flavor, query, parameters);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        // EXPLAIN QUERY PLAN rows are (id, parent, notused, detail); the detail says SCAN or SEARCH ... USING INDEX.
        return connection.Query("EXPLAIN QUERY PLAN " + sql, parameters).Select(row => (string)row.detail).ToList();
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    public void Backend_filter_searches_the_backend_index(string backend)
    {
        var plan = Plan(new NamespaceQuery { Backends = [backend] });
        Assert.Contains(plan, step => step.StartsWith("SEARCH n USING INDEX idx_namespaces_backend", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN n", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_backends_still_search_the_backend_index()
    {
        var plan = Plan(new NamespaceQuery { Backends = ["postgres", "redis"] });
        Assert.Contains(plan, step => step.Contains("idx_namespaces_backend", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("active")]
    [InlineData("disabled")]
    public void Status_filter_searches_the_status_index(string status)
    {
        var plan = Plan(new NamespaceQuery { Statuses = [status] });
        Assert.Contains(plan, step => step.StartsWith("SEARCH n USING INDEX idx_namespaces_status", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN n", StringComparison.Ordinal));
    }

    [Fact]
    public void Backend_and_status_together_search_an_index()
    {
        var plan = Plan(new NamespaceQuery { Backends = ["redis"], Statuses = ["active"] });
        Assert.Contains(plan, step => step.StartsWith("SEARCH n USING INDEX idx_namespaces_", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN n", StringComparison.Ordinal));
    }

    [Fact]
    public void Tag_filter_reads_the_tag_index_not_every_row()
    {
        var plan = Plan(new NamespaceQuery { Tags = ["canary"] });
        Assert.Contains(plan, step => step.Contains("namespace_tags", StringComparison.Ordinal) && step.StartsWith("SEARCH", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN n", StringComparison.Ordinal));
    }

    [Fact]
    public void Tag_index_follows_every_write_and_is_part_of_the_schema()
    {
        using (var store = ConfigStore.Open(db))
        {
            Assert.Equal(4, store.List(new NamespaceQuery { Tags = ["canary"] }).Count);
            store.Update("plan-050", new NamespacePatch { RemoveTags = ["canary"], AddTags = ["blue"] });
            store.Update("plan-001", new NamespacePatch { Tags = ["canary", "blue"] });
            Assert.Equal(["plan-001", "plan-100", "plan-150", "plan-200"], store.List(new NamespaceQuery { Tags = ["canary"] }).Select(n => n.Name));
            Assert.Equal(["plan-001", "plan-050"], store.List(new NamespaceQuery { Tags = ["blue"] }).Select(n => n.Name));
            Assert.Equal(["plan-050"], store.List(new NamespaceQuery { Tags = ["blue", "production"] }).Select(n => n.Name));
        }

        // The tag index is part of schema 1: a file without it is not a PrismConfig store, and says which table it lacks.
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            connection.Open();
            connection.Execute("DROP TRIGGER trg_namespace_tags_insert; DROP TRIGGER trg_namespace_tags_update; DROP TABLE namespace_tags;");
        }
        var ex = Assert.Throws<StoreCorruptException>(() => ConfigStore.Open(db));
        Assert.Contains("namespace_tags", ex.Message, StringComparison.Ordinal);
    }
}
