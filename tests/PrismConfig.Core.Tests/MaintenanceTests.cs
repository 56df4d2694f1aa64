namespace PrismConfig.Core.Tests;

public class MaintenanceTests
{
    [Fact]
    public void Backup_while_another_store_writes_is_consistent_and_private()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Import(Enumerable.Range(0, 300).Select(i => T.Full($"bk-{i:D3}")).ToList());
        using var stop = new CancellationTokenSource();
        var writes = 0;
        var writer = new Thread(() =>
        {
            using var other = ConfigStore.Open(dir.Db);
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                other.Update($"bk-{i % 300:D3}", new NamespacePatch { RateLimitRps = ++i });
                Interlocked.Increment(ref writes);
            }
        });
        writer.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref writes) > 5, TimeSpan.FromSeconds(10));
        var files = new List<FileInfo>();
        for (var b = 0; b < 3; b++)
        {
            files.Add(store.BackupTo(Path.Combine(dir.Root, "backups", $"b{b}.db")));
        }
        stop.Cancel();
        writer.Join();
        Assert.True(writes > 5);

        foreach (var file in files)
        {
            Assert.True(file.Exists);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.FullName));
            using (var raw = T.Raw(file.FullName, Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly))
            {
                Assert.Equal("ok", T.Scalar(raw, "PRAGMA integrity_check"));
                Assert.Equal(300L, T.Scalar(raw, "SELECT COUNT(*) FROM namespaces"));
            }
            using var copy = ConfigStore.Open(file.FullName);
            var health = copy.CheckHealth();
            Assert.True(health.IsHealthy, string.Join("\n", health.Problems));
        }
        Assert.Throws<StorePathException>(() => store.BackupTo(files[0].FullName));
    }

    [Fact]
    public void Restore_from_backup_round_trips_and_readers_see_it()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Create(T.Full("keep-me"));
        var backup = store.BackupTo(dir.File("before.db"));
        store.Update("keep-me", new NamespacePatch { Description = "after backup" });
        store.Create(T.Ns("added-later"));
        Assert.Equal("after backup", store.Get("keep-me").Description); // cached

        using var otherReader = ConfigStore.Open(dir.Db);
        Assert.NotNull(otherReader.TryGet("added-later"));

        var audit = store.RestoreFrom(backup.FullName);
        Assert.Equal("full namespace", store.Get("keep-me").Description);
        Assert.Null(store.TryGet("added-later"));
        Assert.Equal(1, store.CountNamespaces());
        // The restore is a step forward: nothing written after the backup is lost, and the restore is recorded.
        Assert.True(audit.HistoryMerged);
        Assert.Equal(2, audit.HistoryKept);
        Assert.Equal(["create", "update", "restore"], store.GetHistory().Select(h => h.Operation));
        var restoreRow = store.GetHistory(new HistoryQuery { Names = ["keep-me"], Last = 1 })[0];
        Assert.Equal(3, restoreRow.Version);
        Assert.Contains(backup.FullName, restoreRow.Reason, StringComparison.Ordinal);
        Assert.Equal("after backup", restoreRow.OldConfig!.Description);
        var removed = store.GetHistory(new HistoryQuery { Names = ["added-later"], IncludeRemoved = true });
        Assert.Equal(["create", "delete"], removed.Select(h => h.Operation));
        Assert.Null(otherReader.TryGet("added-later")); // another store's cache is invalidated by data_version
        Assert.True(store.CheckHealth().IsHealthy);
        store.Update("keep-me", new NamespacePatch { RateLimitRps = 9 });
        Assert.Equal(4, otherReader.Get("keep-me").Version);
        // A namespace the restore kept as removed comes back with its history.
        Assert.Equal(3, store.Restore("added-later", 1).Config.Version);
    }

    [Fact]
    public void A_restore_whose_audit_fails_leaves_the_store_as_it_was()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Create(T.Full("kept"));
        var backup = store.BackupTo(dir.File("before.db"));
        store.Update("kept", new NamespacePatch { Description = "after backup" });
        store.Create(T.Ns("made-later"));
        var state = store.State;
        // Stands in for anything that fails while the restore writes its audit rows (a full disk, a lost lock). The
        // backup gets it too, so that it holds whether the restore copies the backup's rows or its pages.
        foreach (var file in new[] { dir.Db, backup.FullName })
        {
            using var raw = T.Raw(file);
            T.Exec(raw, "CREATE TRIGGER refuse_restore_rows BEFORE INSERT ON namespace_history WHEN NEW.operation = 'restore' "
                + "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        }

        Assert.ThrowsAny<PrismConfigException>(() => store.RestoreFrom(backup.FullName));

        Assert.Equal("after backup", store.Get("kept").Description);
        Assert.NotNull(store.TryGet("made-later"));
        Assert.Equal(state, store.State);
        Assert.Equal(["create", "update", "create"], store.GetHistory().Select(h => h.Operation));
    }

    [Fact]
    public void Restore_refuses_bad_backups_without_touching_the_store()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Create(T.Ns("live-ns"));

        var junk = dir.File("junk.db");
        File.WriteAllText(junk, new string('j', 500));
        Assert.Throws<StoreCorruptException>(() => store.RestoreFrom(junk));

        var future = store.BackupTo(dir.File("future.db")).FullName;
        using (var raw = T.Raw(future)) T.Exec(raw, "PRAGMA user_version=5");
        Assert.Throws<SchemaTooNewException>(() => store.RestoreFrom(future));

        var foreign = dir.File("foreign.db");
        using (var raw = T.Raw(foreign, Microsoft.Data.Sqlite.SqliteOpenMode.ReadWriteCreate)) T.Exec(raw, "CREATE TABLE t(x)");
        Assert.Throws<StoreCorruptException>(() => store.RestoreFrom(foreign));
        Assert.Throws<StorePathException>(() => store.RestoreFrom(dir.File("missing.db")));

        Assert.Equal(1, store.CountNamespaces());
        Assert.NotNull(store.TryGet("live-ns"));
    }

    [Fact]
    public void Health_detects_tampered_rows()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Create(T.Full("fine-ns"));
        store.Create(T.Ns("bumped-ns"));
        store.Create(T.Ns("invalid-ns"));
        store.Create(T.Ns("edited-ns"));
        var healthy = store.CheckHealth();
        Assert.True(healthy.IsHealthy, string.Join("\n", healthy.Problems));
        Assert.Equal(4, healthy.Namespaces);
        Assert.Equal(4, healthy.HistoryEntries);
        Assert.Equal(ConfigStore.CurrentSchemaVersion, healthy.SchemaVersion);
        Assert.Equal(dir.Db, healthy.Path);

        using (var raw = T.Raw(dir.Db))
        {
            T.Exec(raw, "UPDATE namespaces SET version = version + 1 WHERE name = 'bumped-ns'");
            T.Exec(raw, "UPDATE namespaces SET rate_limit_rps = 0 WHERE name = 'invalid-ns'");
            T.Exec(raw, "UPDATE namespaces SET backend = 'redis' WHERE name = 'edited-ns'");
        }
        var report = store.CheckHealth();
        Assert.False(report.IsHealthy);
        Assert.Contains(report.Problems, p => p.Contains("'bumped-ns'", StringComparison.Ordinal) && p.Contains("version", StringComparison.Ordinal) && p.Contains("1 history entries", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("'invalid-ns'", StringComparison.Ordinal) && p.Contains("rate_limit_rps", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("'edited-ns'", StringComparison.Ordinal) && p.Contains("Backend", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Problems, p => p.Contains("'fine-ns'", StringComparison.Ordinal));
    }

    [Fact]
    public void Dispose_closes_and_is_idempotent()
    {
        using var dir = new TempDir();
        var store = T.OpenNew(dir.Db);
        store.Create(T.Ns("dispose-ns"));
        store.Dispose();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.TryGet("dispose-ns"));
        Assert.Throws<ObjectDisposedException>(() => store.Update("dispose-ns", new NamespacePatch { Description = "x" }));
        // Closed for real: the WAL is checkpointed and removed when the last connection closes.
        Assert.False(File.Exists(dir.Db + "-wal"));
    }
}
