namespace PrismConfig.PowerShell;

/// <summary>Creates folders that only their owner can enter, on Unix.</summary>
internal static class PrivateFolder
{
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="folder"/> and every missing parent with mode 0700. Directory.CreateDirectory(path, mode)
    /// gives the mode to the last folder only, so missing parents would otherwise get the umask's default (often 0755).
    /// </summary>
    public static void Create(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }
        var missing = new Stack<string>();
        for (var f = Path.GetFullPath(folder); !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = Path.GetDirectoryName(f))
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
