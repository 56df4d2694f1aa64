using PrismConfig.Core.Backup;

namespace PrismConfig.Core.Tests;

/// <summary>Restoring reads the backup without leaving -wal/-shm/-journal files beside it.</summary>
public class RestoreSideFileTests
{
    private static byte[] JournalVersionBytes(string path)
    {
        var header = new byte[20];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.ReadExactly(header);
        return [header[18], header[19]];
    }

    private static string[] Names(string folder) =>
        Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Backups_are_single_file_rollback_journal_and_a_restore_leaves_nothing_beside_them()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Create(T.Full("restored"));
        var backup = store.BackupTo(Path.Combine(dir.Root, "backups", "b.db"));
        Assert.Equal(new byte[] { 1, 1 }, JournalVersionBytes(backup.FullName));
        Assert.Equal(["b.db"], Names(backup.DirectoryName!));
        var hash = T.Hash(backup.FullName);

        store.Update("restored", new NamespacePatch { Description = "changed" });
        store.RestoreFrom(backup.FullName);

        Assert.Equal("full namespace", store.Get("restored").Description);
        Assert.Equal(["b.db"], Names(backup.DirectoryName!));
        Assert.Equal(hash, T.Hash(backup.FullName));
    }

    [Fact]
    public void Restoring_from_a_wal_mode_copy_leaves_no_side_files_and_does_not_change_it()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Root, "co pies #1 %41 é"); // characters a SQLite URI must escape
        Directory.CreateDirectory(folder);
        var copy = Path.Combine(folder, "copy.db");
        using (var s = T.OpenNew(dir.Db)) s.Create(T.Ns("from-copy"));
        File.Copy(dir.Db, copy); // closed store: everything checkpointed, header says WAL
        Assert.Equal(new byte[] { 2, 2 }, JournalVersionBytes(copy));
        var hash = T.Hash(copy);

        using var store = ConfigStore.Open(dir.Db);
        store.Create(T.Ns("added-later"));
        store.RestoreFrom(copy);

        Assert.NotNull(store.TryGet("from-copy"));
        Assert.Null(store.TryGet("added-later"));
        Assert.Equal(["copy.db"], Names(folder));
        Assert.Equal(hash, T.Hash(copy));
    }

    [Fact]
    public void Deleting_an_expired_backup_deletes_its_side_files_too()
    {
        using var dir = new TempDir();
        var now = new DateTime(2025, 10, 8, 12, 0, 0, DateTimeKind.Utc);
        foreach (var name in new[] { "config-20250801-000000.db", "config-20250801-000000.db-wal", "config-20250801-000000.db-shm",
            "config-20250801-000000.db-journal", "config-20251007-000000.db", "config-20251007-000000.db-wal", "notes.txt" })
        {
            File.WriteAllText(dir.File(name), "x");
        }
        var expired = BackupFiles.Expired(dir.Root, 30, now);
        Assert.Equal(["config-20250801-000000.db"], expired.Select(f => f.Name));
        foreach (var file in expired) BackupFiles.Delete(file);
        Assert.Equal(["config-20251007-000000.db", "config-20251007-000000.db-wal", "notes.txt"], Names(dir.Root));
    }
}
