using System.Collections;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PrismConfig.Core.Store;

namespace PrismConfig.Core.Tests;

/// <summary>The read-ahead import pipeline: same results, same order, same failures as the sequential loop.</summary>
public sealed class ReadAheadTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Delivers_every_item_in_order_transformed_on_another_thread()
    {
        var caller = Environment.CurrentManagedThreadId;
        var threads = new HashSet<int>();
        var seen = ReadAhead.Run(Enumerable.Range(0, 1000), i =>
        {
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
            return i * 2;
        }, "test reader").ToList();

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 2), seen);
        Assert.DoesNotContain(caller, threads);
    }

    [Fact]
    public void A_failure_arrives_after_the_items_before_it_with_its_own_type_and_stack()
    {
        static IEnumerable<int> Source()
        {
            for (var i = 0; i < 70; i++) yield return i;
            throw new FormatException("broken at 70");
        }

        var received = new List<int>();
        var ex = Assert.Throws<FormatException>(() =>
        {
            foreach (var i in ReadAhead.Run(Source(), i => i, "test reader")) received.Add(i);
        });
        Assert.Equal("broken at 70", ex.Message);
        Assert.Contains(nameof(Source), ex.StackTrace);
        Assert.Equal(Enumerable.Range(0, 70), received);
    }

    [Fact]
    public void Stopping_early_stops_the_worker_and_disposes_the_source_before_returning()
    {
        var source = new Tracked(100_000);
        foreach (var i in ReadAhead.Run(source, i => i, "test reader"))
        {
            if (i == 10) break;
        }
        Assert.True(source.Disposed);
        Assert.True(source.Produced < 100_000, $"the worker read all {source.Produced} items after the consumer stopped");
    }

    [Fact]
    public void The_worker_formats_with_the_callers_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var text = ReadAhead.Run([1.5], d => d.ToString(CultureInfo.CurrentCulture), "test reader").Single();
            Assert.Equal("1,5", text);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void An_import_read_ahead_writes_exactly_what_a_sequential_one_writes()
    {
        var desired = Enumerable.Range(0, 300).Select(i => T.Full($"ra-{i:D3}")).ToList();
        var options = new ImportOptions { ChangedBy = "ci", Reason = "same" };
        var sequentialDb = _dir.File("sequential.db");
        var aheadDb = _dir.File("ahead.db");
        IReadOnlyList<ImportResult> sequential, ahead;
        using (var s = T.OpenNew(sequentialDb)) sequential = s.ImportStream(desired, options);
        options.ReadAhead = true;
        using (var s = T.OpenNew(aheadDb)) ahead = s.ImportStream(desired, options);

        Assert.Equal(sequential.Select(r => (r.Name, r.Action, r.Version)), ahead.Select(r => (r.Name, r.Action, r.Version)));
        Assert.Equal(Content(sequentialDb), Content(aheadDb));

        // A second pass over the same set takes the existing-name path: every namespace unchanged.
        using (var s = T.OpenNew(aheadDb))
        {
            Assert.All(s.ImportStream(desired, options), r => Assert.Equal(ImportAction.Unchanged, r.Action));
        }
    }

    [Fact]
    public void A_read_ahead_import_that_fails_midway_writes_nothing()
    {
        IEnumerable<NamespaceConfig> Broken()
        {
            for (var i = 0; i < 200; i++) yield return T.Ns($"partial-{i:D3}");
            throw new IOException("the file went away");
        }

        using var store = T.OpenNew(_dir.Db);
        Assert.Throws<IOException>(() => store.ImportStream(Broken(), new ImportOptions { ReadAhead = true }));
        Assert.Empty(store.List());
        using var c = T.Raw(_dir.Db);
        Assert.Equal(0L, T.Scalar(c, "SELECT COUNT(*) FROM namespace_history"));
        Assert.Equal(0L, T.Scalar(c, "SELECT COUNT(*) FROM namespace_tags"));
    }

    [Fact]
    public void A_read_ahead_import_reports_the_first_problem_in_file_order()
    {
        // The duplicate (found while writing) comes just before the invalid namespace (found by the worker, which
        // is ahead, while the duplicate still sits in its unfinished batch): the error must still be the
        // duplicate, as without read-ahead.
        var desired = Enumerable.Range(0, 20).Select(i => T.Ns($"filler-{i}")).ToList();
        desired.Add(T.Ns("dup"));
        desired.Add(T.Ns("dup"));
        desired.Add(T.Ns("Not A Valid Name!"));

        using var store = T.OpenNew(_dir.Db);
        var ex = Assert.Throws<ValidationException>(() => store.ImportStream(desired, new ImportOptions { ReadAhead = true }));
        Assert.Equal("dup", ex.NamespaceName);
        Assert.Equal("name", ex.Field);
        Assert.Empty(store.List());
    }

    private static List<string> Content(string db)
    {
        using var c = T.Raw(db);
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT n.name || '|' || n.backend_config || '|' || n.tags || '|' || json_remove(h.new_config, '$.created_at', '$.updated_at') || '|' || h.operation || '|' || ifnull(h.reason, '')
                   || '|' || (SELECT group_concat(feature_name || '=' || enabled) FROM namespace_features f WHERE f.namespace_id = n.id)
                   || '|' || (SELECT group_concat(tag) FROM namespace_tags t WHERE t.namespace_id = n.id)
              FROM namespaces n JOIN namespace_history h ON h.namespace_id = n.id ORDER BY n.name
            """;
        var rows = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) rows.Add(r.GetString(0));
        return rows;
    }

    private sealed class Tracked(int count) : IEnumerable<int>
    {
        public volatile bool Disposed;
        public volatile int Produced;

        public IEnumerator<int> GetEnumerator()
        {
            try
            {
                for (var i = 0; i < count; i++)
                {
                    Produced = i + 1;
                    yield return i;
                }
            }
            finally
            {
                Disposed = true;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
