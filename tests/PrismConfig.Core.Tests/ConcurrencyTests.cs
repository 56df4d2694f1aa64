using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace PrismConfig.Core.Tests;

public class ConcurrencyTests
{
    [Fact]
    public void Separate_stores_on_one_file_lose_no_update_with_expected_version_retries()
    {
        using var dir = new TempDir();
        using (var setup = T.OpenNew(dir.Db))
        {
            var ns = T.Ns("counter-ns");
            ns.RateLimitRps = 1;
            setup.Create(ns);
        }
        const int threads = 4;
        const int perThread = 25;
        var conflicts = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            using var store = ConfigStore.Open(dir.Db, new StoreOptions { BusyTimeout = TimeSpan.FromSeconds(10) });
            var done = 0;
            while (done < perThread)
            {
                var current = store.Get("counter-ns");
                try
                {
                    store.Update("counter-ns", new NamespacePatch { RateLimitRps = current.RateLimitRps + 1 },
                        new WriteContext { ExpectedVersion = current.Version, ChangedBy = "worker-" + t });
                    done++;
                }
                catch (VersionConflictException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        using var check = ConfigStore.Open(dir.Db);
        var final = check.Get("counter-ns");
        Assert.Equal(1 + threads * perThread, final.RateLimitRps);
        Assert.Equal(1 + threads * perThread, final.Version);
        var history = check.GetHistory(new HistoryQuery { Names = ["counter-ns"] });
        Assert.Equal(Enumerable.Range(1, 1 + threads * perThread), history.Select(h => h.Version));
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i].OldConfig!.RateLimitRps + 1, history[i].NewConfig!.RateLimitRps);
        }
        Assert.True(check.CheckHealth().IsHealthy);
    }

    [Fact]
    public void Threads_sharing_one_store_are_safe()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            store.Create(T.Ns($"shared-{i:D2}"));
            Assert.NotNull(store.TryGet($"shared-{i:D2}"));
            store.Update($"shared-{i:D2}", new NamespacePatch { RateLimitRps = i + 1 });
            Assert.NotEmpty(store.List(new NamespaceQuery { Names = ["shared-*"] }));
        });
        Assert.Equal(40, store.CountNamespaces());
        Assert.Equal(80, store.GetHistory().Count);
    }

    [Fact]
    public void A_held_write_lock_makes_a_write_fail_busy_naming_the_path()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db, TimeSpan.FromMilliseconds(200));
        store.Create(T.Ns("busy-ns"));
        using var other = T.Raw(dir.Db);
        T.Exec(other, "BEGIN IMMEDIATE");
        var sw = Stopwatch.StartNew();
        var ex = Assert.Throws<StoreBusyException>(() => store.Update("busy-ns", new NamespacePatch { Description = "x" }));
        sw.Stop();
        Assert.Equal(dir.Db, ex.Path);
        Assert.Contains(dir.Db, ex.Message, StringComparison.Ordinal);
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(3));
        // Reads still work while another writer holds the lock (WAL).
        Assert.Null(store.Get("busy-ns").Description);
        T.Exec(other, "ROLLBACK");
        Assert.True(store.Update("busy-ns", new NamespacePatch { Description = "x" }).Changed);
        Assert.Equal(2, store.GetHistory().Count);
    }

    [Fact]
    public void Cache_sees_commits_from_another_connection()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Create(T.Ns("cache-ns"));
        Assert.Null(store.Get("cache-ns").Description); // now cached
        Assert.Null(store.TryGet("later-ns"));          // a cached miss

        using (var other = T.Raw(dir.Db))
        {
            T.Exec(other, "UPDATE namespaces SET description = 'from elsewhere' WHERE name = 'cache-ns'");
        }
        Assert.Equal("from elsewhere", store.Get("cache-ns").Description);

        using (var second = ConfigStore.Open(dir.Db))
        {
            second.Create(T.Ns("later-ns"));
        }
        Assert.NotNull(store.TryGet("later-ns"));
    }
}
