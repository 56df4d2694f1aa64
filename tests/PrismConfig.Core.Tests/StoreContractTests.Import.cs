namespace PrismConfig.Core.Tests;

/// <summary>An import that holds neither its names nor its results in memory: repeats found, results the same.</summary>
public abstract partial class StoreContractTests
{
    private static List<NamespaceConfig> Many(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => T.Ns($"{prefix}-{i:D5}")).ToList();

    [SkippableFact]
    public void A_name_repeated_far_apart_in_one_import_is_refused_and_nothing_is_written()
    {
        var desired = Many("far", 6000);
        desired.Add(T.Ns("far-00007"));
        var ex = Assert.Throws<ValidationException>(() => _store.Import(desired));
        Assert.Equal("far-00007", ex.NamespaceName);
        Assert.Equal("name", ex.Field);
        Assert.Equal(0, _store.CountNamespaces());
    }

    [SkippableFact]
    public void An_import_of_several_write_batches_stores_every_row_with_its_features_tags_and_one_history_row()
    {
        // 1,300 crosses a server engine's batches of 512 twice and ends part-way through a third: rows, features
        // and history rows that go out in separate batches must all arrive, each after the rows they refer to.
        _store.Create(T.Ns("before"));
        var desired = Enumerable.Range(0, 1_300).Select(i =>
        {
            var ns = T.Full($"batch-{i:D5}");
            if (i % 100 == 0) ns.Tags = ["production", "every-hundredth"];
            return ns;
        }).ToList();

        var results = _store.ImportStream(desired, new ImportOptions { ReadAhead = true });

        Assert.Equal(1_300, results.Count(r => r.Action == ImportAction.Created));
        Assert.Equal(1_301, _store.CountNamespaces());
        foreach (var name in new[] { "batch-00000", "batch-00511", "batch-00512", "batch-01023", "batch-01024", "batch-01299" })
        {
            var ns = _store.TryGet(name);
            Assert.NotNull(ns);
            Assert.Equal(true, ns.Features["shadow_traffic"]);
            Assert.Equal(false, ns.Features["compression"]);
        }
        Assert.Equal(13, _store.List(new NamespaceQuery { Tags = ["every-hundredth"] }).Count);
        Assert.Equal(1_287, _store.List(new NamespaceQuery { Tags = ["high-traffic"] }).Count);
        var history = _store.GetHistory(new HistoryQuery { Names = ["batch-*"] });
        Assert.Equal(1_300, history.Count);
        Assert.Equal(1_300, history.Select(h => h.Name).Distinct().Count());
        Assert.All(history, h => Assert.Equal(2, h.Revision));
        Assert.True(_store.CheckHealth().IsHealthy, string.Join("; ", _store.CheckHealth().Problems));
    }

    [SkippableFact]
    public void A_saturated_name_filter_refuses_every_repeat_and_no_first_occurrence()
    {
        _store.Create(T.Ns("kept-00001"));
        // A one-name first stage fills at once: nearly every name then asks the transaction whether it came before.
        var options = new ImportOptions { NameFilterStage = 1 };
        var desired = Many("sat", 400);
        desired.Add(T.Ns("kept-00001"));
        var results = _store.Import(desired, options);
        Assert.Equal(401, results.Count);
        Assert.Equal(400, results.Count(r => r.Action == ImportAction.Created));
        Assert.Equal(401, _store.CountNamespaces());

        // A new name created earlier in the same import, and a name the store had, each given twice.
        var newTwice = Many("more", 50);
        newTwice.Add(T.Ns("more-00003"));
        var existingTwice = Many("other", 50);
        existingTwice.Insert(10, T.Ns("sat-00003"));
        existingTwice.Add(T.Ns("sat-00003"));
        foreach (var (set, repeated) in new[] { (newTwice, "more-00003"), (existingTwice, "sat-00003") })
        {
            var ex = Assert.Throws<ValidationException>(() => _store.Import(set, new ImportOptions { NameFilterStage = 1 }));
            Assert.Equal(repeated, ex.NamespaceName);
        }
        Assert.Equal(401, _store.CountNamespaces());
    }

    [SkippableFact]
    public void Results_past_the_in_memory_part_read_back_exactly_as_kept_ones()
    {
        _store.Import(Many("r", 30));
        var desired = Many("r", 30);
        desired[4].Description = "changed";
        desired.RemoveAt(20);
        desired.AddRange(Many("n", 5));
        string? SourceOf(int position) => position < 10 ? "a.yaml" : "b.yaml";

        var inMemory = Snapshot(() => _store.ImportStream(desired, new ImportOptions { Prune = true, Force = true, SourceOf = SourceOf, Confirm = _ => false }));
        var spilled = Snapshot(() =>
        {
            using var results = _store.ApplyImport(desired, new ImportOptions { Prune = true, Force = true, SourceOf = SourceOf, ResultsInMemory = 3 }, null);
            Assert.True(results.Spilled);
            Assert.Equal(35, results.Count);
            Assert.Equal(1, results.Summary.Disabled);
            Assert.Equal(5, results.Summary.Created);
            // Enumerable again, the same each time.
            Assert.Equal(results.Select(r => r.Name), results.Select(r => r.Name));
            return [.. results];
        });

        Assert.Equal(inMemory, spilled);
        Assert.Contains("r-00004 Updated 2 b=a.yaml Description", spilled);
        Assert.Contains("r-00020 Disabled 2 b= Status", spilled);
        Assert.Contains("n-00004 Created 1 b=b.yaml ", spilled);
        Assert.Equal("r-00020", spilled[^1].Split(' ')[0]);
    }

    [SkippableFact]
    public void A_disposed_result_collection_cannot_be_read_and_leaves_no_file()
    {
        var before = SpoolFiles();
        var results = _store.ApplyImport(Many("d", 20), new ImportOptions { ResultsInMemory = 2 }, null);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"d-{i:D5}"), results.Select(r => r.Name));
        results.Dispose();
        Assert.Throws<ObjectDisposedException>(() => results.First());
        Assert.Empty(SpoolFiles().Except(before));
        Assert.Equal(20, _store.CountNamespaces());
    }

    private static List<string> Snapshot(Func<IEnumerable<ImportResult>> import) =>
        [.. import().Select(r => $"{r.Name} {r.Action} {r.Version} b={r.Source} {string.Join(",", r.Changes.Select(c => c.Property))}")];

    private static string[] SpoolFiles() => Directory.GetFiles(Path.GetTempPath(), "prismconfig-import-*");
}
