using System.Globalization;
using System.Text.RegularExpressions;

namespace PrismConfig.Core.Backup;

/// <summary>
/// The naming and retention rules for backup files. Backups are named config-yyyyMMdd-HHmmss.db (UTC), with -1,
/// -2... appended when that name is taken. Retention judges a file by the timestamp in its name, not by its
/// modification time, which a copy or an rsync would reset; a file whose name does not match exactly is never
/// touched.
/// </summary>
public static partial class BackupFiles
{
    public const string TimestampFormat = "yyyyMMdd-HHmmss";

    [GeneratedRegex(@"^config-(?<stamp>\d{8}-\d{6})(-\d+)?\.db$", RegexOptions.CultureInvariant)]
    private static partial Regex BackupNamePattern();

    /// <summary>
    /// A free file name in <paramref name="folder"/>: <c>{prefix}-yyyyMMdd-HHmmss.db</c>, or with -1, -2... when
    /// taken (including by a -wal or -shm companion). Only a preview: another backup may take the name before it
    /// is used. To write a backup, use <see cref="ClaimNewBackupPath"/> (ConfigStore.BackupToFolder does).
    /// </summary>
    public static string NewBackupPath(string folder, DateTime utcNow, string prefix = "config")
    {
        var stem = prefix + "-" + utcNow.ToUniversalTime().ToString(TimestampFormat, CultureInfo.InvariantCulture);
        for (var n = 0; ; n++)
        {
            var name = n == 0 ? stem + ".db" : stem + "-" + n.ToString(CultureInfo.InvariantCulture) + ".db";
            var candidate = System.IO.Path.Combine(folder, name);
            if (!Directory.Exists(candidate) && !SideFiles.WithSideFiles(candidate).Any(File.Exists))
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// Claims a new backup file name in the existing <paramref name="folder"/> by creating the file, empty and
    /// owner-only (0600), with FileMode.CreateNew: <c>{prefix}-yyyyMMdd-HHmmss.db</c>, or -1, -2... when that name
    /// (or its -wal, -shm or -journal) is taken. Creation either makes the file or fails because it exists, so two
    /// backups in the same second, in this or another process, never get the same name. The caller writes the
    /// backup into the returned file (SQLite accepts an empty file as a new database) and deletes it if that fails.
    /// Throws StorePathException or StorePermissionException naming the path, never a raw IOException.
    /// </summary>
    public static string ClaimNewBackupPath(string folder, DateTime utcNow, string prefix = "config")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var stem = prefix + "-" + utcNow.ToUniversalTime().ToString(TimestampFormat, CultureInfo.InvariantCulture);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFiles.OwnerOnlyFileMode;
        }
        for (var n = 0; ; n++)
        {
            var name = n == 0 ? stem + ".db" : stem + "-" + n.ToString(CultureInfo.InvariantCulture) + ".db";
            var candidate = System.IO.Path.Combine(folder, name);
            if (SideFiles.Suffixes.Any(suffix => File.Exists(candidate + suffix)))
            {
                continue;
            }
            try
            {
                using (new FileStream(candidate, options))
                {
                }
                PrivateFiles.RestrictToOwner(candidate);
                return candidate;
            }
            catch (IOException) when (File.Exists(candidate) || Directory.Exists(candidate))
            {
                // Taken, perhaps a moment ago by a concurrent backup: try the next suffix.
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new StorePermissionException(candidate, "the backup file cannot be created in its folder by this user.", ex);
            }
            catch (IOException ex)
            {
                throw new StorePathException(candidate, "BackupFileInvalid", $"The backup file '{candidate}' cannot be created: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// Deletes a backup (as found by <see cref="Expired"/>) and its -wal, -shm and -journal files if present, so that
    /// none is orphaned. The backup itself is deleted first; an error deleting it is thrown (IOException or
    /// UnauthorizedAccessException) and its side files are then kept with it.
    /// </summary>
    public static void Delete(FileInfo backup)
    {
        ArgumentNullException.ThrowIfNull(backup);
        backup.Delete();
        foreach (var suffix in SideFiles.Suffixes)
        {
            File.Delete(backup.FullName + suffix); // no error if it does not exist
        }
    }

    /// <summary>The UTC timestamp in a backup's file name, or null if the name is not exactly a backup name.</summary>
    public static DateTime? TimestampOf(string fileName)
    {
        var match = BackupNamePattern().Match(fileName);
        if (!match.Success) return null;
        return DateTime.TryParseExact(match.Groups["stamp"].Value, TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var stamp)
            ? stamp
            : null;
    }

    /// <summary>
    /// The backups in <paramref name="folder"/> whose name-timestamp is more than <paramref name="retainDays"/> days
    /// before <paramref name="utcNow"/>, oldest first, never including <paramref name="keep"/>.
    /// Only regular files that match the backup naming pattern are considered.
    /// </summary>
    public static IReadOnlyList<FileInfo> Expired(string folder, int retainDays, DateTime utcNow, string? keep = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retainDays);
        if (!Directory.Exists(folder)) return [];
        var cutoff = utcNow.ToUniversalTime().AddDays(-retainDays);
        var keepFull = keep is null ? null : System.IO.Path.GetFullPath(keep);
        var expired = new List<(DateTime Stamp, FileInfo File)>();
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
        {
            if ((file.Attributes & FileAttributes.ReparsePoint) != 0) continue;
            if (keepFull is not null && string.Equals(file.FullName, keepFull, StringComparison.Ordinal)) continue;
            var stamp = TimestampOf(file.Name);
            if (stamp is { } s && s < cutoff)
            {
                expired.Add((s, file));
            }
        }
        return expired.OrderBy(e => e.Stamp).ThenBy(e => e.File.Name, StringComparer.Ordinal).Select(e => e.File).ToList();
    }
}
