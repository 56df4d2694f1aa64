namespace PrismConfig.Core;

/// <summary>
/// Files and folders that only their owner may read: the store, its backups and exports hold credentials. The one
/// place that creates them, so every caller gets the same modes (0600 files, 0700 folders, on Unix).
/// </summary>
public static class PrivateFiles
{
    /// <summary>0600: what every file holding configuration gets.</summary>
    public const UnixFileMode OwnerOnlyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode Mode0600 = OwnerOnlyFileMode;
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder (and missing parents) with mode 0700 on Unix.</summary>
    public static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder)) return;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing parents
                // would get the umask's default (often 0755). Create each missing level 0700 ourselves.
                var missing = new Stack<string>();
                for (var f = System.IO.Path.GetFullPath(folder); !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = System.IO.Path.GetDirectoryName(f))
                {
                    missing.Push(f);
                }
                while (missing.TryPop(out var level))
                {
                    Directory.CreateDirectory(level, Mode0700);
                    File.SetUnixFileMode(level, Mode0700);
                }
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorePermissionException(folder, "the folder cannot be created by this user.", ex);
        }
        catch (IOException ex)
        {
            throw new StorePathException(folder, "StoreFolderInvalid", $"The folder '{folder}' cannot be created: {ex.Message}", ex);
        }
    }

    /// <summary>Creates an empty file that only its owner can read and write, before SQLite ever sees it.</summary>
    public static void CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode0600;
        }
        try
        {
            using (new FileStream(path, options))
            {
            }
            RestrictToOwner(path);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorePermissionException(path, "the file cannot be created in its folder by this user.", ex);
        }
    }

    /// <summary>chmod 0600 on Unix if the file exists.</summary>
    public static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        try
        {
            File.SetUnixFileMode(path, Mode0600);
        }
        catch (FileNotFoundException)
        {
            // -wal/-shm may vanish when the last connection closes; nothing to restrict then.
        }
    }
}
