using PrismConfig.Core.Backup;

namespace PrismConfig.Core.Tests;

public sealed class BackupFilesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prism-backupfiles-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Touch(string name)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "x");
        return path;
    }

    [Fact]
    public void NewBackupPathUsesUtcTimestampAndSuffixesWhenTaken()
    {
        var now = new DateTime(2025, 10, 8, 2, 3, 4, DateTimeKind.Utc);
        var first = BackupFiles.NewBackupPath(folder, now);
        Assert.Equal(Path.Combine(folder, "config-20251008-020304.db"), first);
        Touch("config-20251008-020304.db");
        Touch("config-20251008-020304-1.db-wal");
        Assert.Equal(Path.Combine(folder, "config-20251008-020304-2.db"), BackupFiles.NewBackupPath(folder, now));
        Assert.Equal(Path.Combine(folder, "config-pre-restore-20251008-020304.db"), BackupFiles.NewBackupPath(folder, now, "config-pre-restore"));
    }

    [Theory]
    [InlineData("config-20251008-020304.db", true)]
    [InlineData("config-20251008-020304-12.db", true)]
    [InlineData("config-20251008.db", false)]
    [InlineData("config-20251308-020304.db", false)]
    [InlineData("config-pre-restore-20251008-020304.db", false)]
    [InlineData("config-20251008-020304.db.bak", false)]
    [InlineData("xconfig-20251008-020304.db", false)]
    [InlineData("config-20251008-020304-.db", false)]
    public void TimestampOfMatchesOnlyTheExactPattern(string name, bool matches)
    {
        Assert.Equal(matches, BackupFiles.TimestampOf(name) is not null);
    }

    [Fact]
    public void ExpiredJudgesByNameNeverTouchesOthersAndKeepsTheNewOne()
    {
        var now = new DateTime(2025, 10, 8, 12, 0, 0, DateTimeKind.Utc);
        var old = Touch("config-20250801-000000.db");
        var oldSuffixed = Touch("config-20250801-000000-1.db");
        var recent = Touch("config-20251001-000000.db");
        File.SetLastWriteTimeUtc(recent, now.AddYears(-2));
        Touch("notes.txt");
        Touch("config-pre-restore-20250101-000000.db");
        var keep = Touch("config-20240101-000000.db");
        Directory.CreateDirectory(Path.Combine(folder, "config-20240101-000000-3.db"));

        var expired = BackupFiles.Expired(folder, 30, now, keep).Select(f => f.FullName).ToList();

        Assert.Equal(new[] { old, oldSuffixed }.Order(StringComparer.Ordinal), expired.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(keep, expired);
    }

    [Fact]
    public void ExpiredOnAMissingFolderIsEmpty()
    {
        Assert.Empty(BackupFiles.Expired(Path.Combine(folder, "nope"), 1, DateTime.UtcNow));
    }
}
