namespace PrismConfig.Core.Tests;

/// <summary>
/// Lookups skip PRAGMA data_version while the wal-index header is unchanged. These tests arm that shortcut first
/// (a few lookups with nothing committed) and then show that no kind of commit slips past it. A raw connection
/// stands in for another process: it has its own connection, locks and view of the -shm, as a process would.
/// </summary>
public class WalIndexWatchTests
{
    private static void LookUpUntilArmed(ConfigStore store, string name)
    {
        for (var i = 0; i < 3; i++) Assert.NotNull(store.TryGet(name));
        Assert.True(store.WatchesWalIndex, "lookups on a WAL store should watch the wal-index header");
        var reads = store.DataVersionReads;
        for (var i = 0; i < 3; i++) Assert.NotNull(store.TryGet(name));
        Assert.Equal(reads, store.DataVersionReads); // armed: nothing committed, so data_version is not asked
    }

    private static ConfigStore NewStoreWithWatched(TempDir dir)
    {
        var store = T.OpenNew(dir.Db);
        store.Create(T.Full("watched"));
        return store;
    }

    private static void SetDescription(Microsoft.Data.Sqlite.SqliteConnection raw, string name, string description) =>
        T.Exec(raw, $"UPDATE namespaces SET description = '{description}' WHERE name = '{name}'");

    [Fact]
    public void Every_commit_by_another_connection_is_seen_by_the_next_lookup()
    {
        using var dir = new TempDir();
        using var store = NewStoreWithWatched(dir);
        LookUpUntilArmed(store, "watched");

        using var raw = T.Raw(dir.Db);
        for (var i = 0; i < 25; i++)
        {
            var reads = store.DataVersionReads;
            SetDescription(raw, "watched", $"change {i}");
            Assert.Equal($"change {i}", store.Get("watched").Description);
            Assert.Equal(reads + 1, store.DataVersionReads); // the changed header sent the lookup to data_version
            Assert.Equal($"change {i}", store.Get("watched").Description); // and again from the armed cache
            Assert.Equal(reads + 1, store.DataVersionReads);
        }
        Assert.Null(store.TryGet("renamed")); // a miss is cached too
        T.Exec(raw, "UPDATE namespaces SET name = 'renamed' WHERE name = 'watched'");
        Assert.Null(store.TryGet("watched"));
        Assert.NotNull(store.TryGet("renamed"));
    }

    [Fact]
    public void A_commit_after_another_connection_checkpoints_and_resets_the_wal_is_seen()
    {
        using var dir = new TempDir();
        using var store = NewStoreWithWatched(dir);
        using var raw = T.Raw(dir.Db);
        foreach (var mode in new[] { "PASSIVE", "FULL", "RESTART", "TRUNCATE" })
        {
            LookUpUntilArmed(store, "watched");
            SetDescription(raw, "watched", "before " + mode);
            T.Exec(raw, $"PRAGMA wal_checkpoint({mode})");
            Assert.Equal("before " + mode, store.Get("watched").Description);
            // The reset WAL starts again at frame 1: the header must still differ from the one remembered.
            T.Exec(raw, $"PRAGMA wal_checkpoint({mode})");
            SetDescription(raw, "watched", "after " + mode);
            Assert.Equal("after " + mode, store.Get("watched").Description);
        }
    }

    [Fact]
    public void This_stores_own_writes_and_another_stores_writes_are_seen()
    {
        using var dir = new TempDir();
        using var store = NewStoreWithWatched(dir);
        using var other = ConfigStore.Open(dir.Db);
        LookUpUntilArmed(store, "watched");
        LookUpUntilArmed(other, "watched");

        store.Update("watched", new NamespacePatch { Description = "from store" });
        Assert.Equal("from store", store.Get("watched").Description);
        Assert.Equal("from store", other.Get("watched").Description);
        other.Update("watched", new NamespacePatch { Description = "from other" });
        Assert.Equal("from other", store.Get("watched").Description);
        Assert.Equal(3, store.Get("watched").Version);
    }

    [Fact]
    public void A_store_on_a_file_not_in_WAL_mode_asks_data_version_until_its_first_write_switches_it()
    {
        using var dir = new TempDir();
        using (var s = T.OpenNew(dir.Db)) s.Create(T.Full("watched"));
        using (var raw = T.Raw(dir.Db)) T.Exec(raw, "PRAGMA journal_mode=DELETE");

        using var store = ConfigStore.Open(dir.Db);
        for (var i = 0; i < 3; i++) Assert.NotNull(store.TryGet("watched"));
        Assert.False(store.WatchesWalIndex, "a rollback-journal file has no wal-index to watch");
        Assert.False(File.Exists(dir.Db + "-shm"), "reading a rollback-journal file must not create a -shm");
        using (var raw = T.Raw(dir.Db)) SetDescription(raw, "watched", "rollback mode");
        Assert.Equal("rollback mode", store.Get("watched").Description);

        store.Update("watched", new NamespacePatch { RateLimitRps = 7 }); // the first write switches the file to WAL
        LookUpUntilArmed(store, "watched");
        using (var raw = T.Raw(dir.Db)) SetDescription(raw, "watched", "wal mode");
        Assert.Equal("wal mode", store.Get("watched").Description);
    }

    [Fact]
    public void A_restore_is_seen_by_the_restored_store_and_by_another_armed_store()
    {
        using var dir = new TempDir();
        using var store = NewStoreWithWatched(dir);
        var backup = store.BackupTo(dir.File("before.db"));
        store.Update("watched", new NamespacePatch { Description = "after backup" });
        using var other = ConfigStore.Open(dir.Db);
        LookUpUntilArmed(store, "watched");
        LookUpUntilArmed(other, "watched");

        store.RestoreFrom(backup.FullName);
        Assert.Equal("full namespace", store.Get("watched").Description);
        Assert.Equal("full namespace", other.Get("watched").Description);
    }

    [Fact]
    public void A_disposed_store_stops_looking_at_shared_memory()
    {
        using var dir = new TempDir();
        var store = NewStoreWithWatched(dir);
        LookUpUntilArmed(store, "watched");
        store.Dispose();
        Assert.False(store.WatchesWalIndex);
        Assert.Throws<ObjectDisposedException>(() => store.TryGet("watched"));
    }
}
