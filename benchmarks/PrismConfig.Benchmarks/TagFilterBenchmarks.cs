using BenchmarkDotNet.Attributes;
using PrismConfig.Core;

namespace PrismConfig.Benchmarks;

/// <summary>
/// Figure 8 (tags): on the 10,000-namespace store, listing by a tag that matches 10 namespaces versus one that
/// matches 5,000, and versus listing everything. If the filter scales with the matches, the 10-match list costs
/// a small fraction of the 5,000-match one; a full scan of the table (json_each over every row) would not.
/// </summary>
public class TagFilterBenchmarks
{
    private ConfigStore store = null!;
    private readonly NamespaceQuery rare = new() { Tags = [Fixture.RareTag] };
    private readonly NamespaceQuery common = new() { Tags = [Fixture.CommonTag] };
    private readonly NamespaceQuery backend = new() { Backends = ["redis"], Statuses = [NamespaceStatus.Active] };

    [GlobalSetup]
    public void Setup()
    {
        store = ConfigStore.Open(BenchPaths.Store10k);
        Check(rare, 10);
        Check(common, 5000);
    }

    private void Check(NamespaceQuery q, int expected)
    {
        var n = store.List(q).Count;
        if (n != expected) throw new InvalidOperationException($"tag {q.Tags![0]} matched {n}, expected {expected}.");
    }

    [GlobalCleanup]
    public void Cleanup() => store.Dispose();

    [Benchmark(Description = "List -Tag canary (10 of 10,000)")]
    public int Rare() => store.List(rare).Count;

    [Benchmark(Baseline = true, Description = "List -Tag production (5,000 of 10,000)")]
    public int Common() => store.List(common).Count;

    [Benchmark(Description = "List (all 10,000)")]
    public int All() => store.List().Count;

    [Benchmark(Description = "List -Backend redis -Status active (~1,580)")]
    public int Backend() => store.List(backend).Count;
}
