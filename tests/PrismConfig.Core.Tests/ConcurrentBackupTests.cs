using PrismConfig.Core.Backup;

namespace PrismConfig.Core.Tests;

/// <summary>Backups into one folder at the same moment each get their own file name; none fails.</summary>
public class ConcurrentBackupTests
{
    [Fact]
    public void Eight_threads_backing_up_into_one_folder_in_the_same_second_get_eight_good_files()
    {
        using var dir = new TempDir();
        using (var s = T.OpenNew(dir.Db)) s.Import(Enumerable.Range(0, 50).Select(i => T.Full($"cb-{i:D2}")).ToList());
        var folder = Path.Combine(dir.Root, "backups");
        var now = new DateTime(2025, 10, 8, 2, 3, 4, DateTimeKind.Utc); // one second for all of them
        const int threads = 8;
        var results = new FileInfo?[threads];
        var errors = new Exception?[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            try
            {
                using var store = ConfigStore.Open(dir.Db);
                start.SignalAndWait();
                results[i] = store.BackupToFolder(folder, now);
            }
            catch (Exception ex)
            {
                errors[i] = ex;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.All(errors, e => Assert.Null(e));
        var paths = results.Select(r => r!.FullName).ToList();
        Assert.Equal(threads, paths.Distinct(StringComparer.Ordinal).Count());
        Assert.All(paths, p => Assert.NotNull(BackupFiles.TimestampOf(Path.GetFileName(p))));
        Assert.Contains(Path.Combine(folder, "config-20251008-020304.db"), paths);
        Assert.Equal(paths.Order(StringComparer.Ordinal), Directory.GetFiles(folder).Order(StringComparer.Ordinal));
        foreach (var path in paths)
        {
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            using var raw = T.Raw(path, Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly);
            Assert.Equal("ok", T.Scalar(raw, "PRAGMA integrity_check"));
            Assert.Equal(50L, T.Scalar(raw, "SELECT COUNT(*) FROM namespaces"));
        }
    }

    [Fact]
    public void Claiming_a_name_creates_it_atomically_and_skips_taken_names_and_side_files()
    {
        using var dir = new TempDir();
        var now = new DateTime(2025, 10, 8, 2, 3, 4, DateTimeKind.Utc);
        var first = BackupFiles.ClaimNewBackupPath(dir.Root, now);
        Assert.Equal(dir.File("config-20251008-020304.db"), first);
        Assert.True(File.Exists(first));
        Assert.Equal(0, new FileInfo(first).Length);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first));
        File.WriteAllText(dir.File("config-20251008-020304-1.db-journal"), "x");
        Assert.Equal(dir.File("config-20251008-020304-2.db"), BackupFiles.ClaimNewBackupPath(dir.Root, now));
    }

    [Fact]
    public void An_explicit_existing_backup_file_is_still_refused_and_left_alone()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        var existing = dir.File("taken.db");
        File.WriteAllText(existing, "mine");
        var ex = Assert.Throws<StorePathException>(() => store.BackupTo(existing));
        Assert.Equal("BackupFileExists", ex.ErrorId);
        Assert.Equal("mine", File.ReadAllText(existing));
    }

    [Fact]
    public void A_backup_into_a_folder_that_cannot_be_created_is_a_typed_error_naming_the_path()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        var blocker = dir.File("not-a-folder");
        File.WriteAllText(blocker, "x");
        var ex = Assert.ThrowsAny<PrismConfigException>(() => store.BackupToFolder(Path.Combine(blocker, "backups")));
        Assert.Contains(blocker, ex.Message, StringComparison.Ordinal);
    }
}
