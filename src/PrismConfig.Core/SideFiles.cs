namespace PrismConfig.Core;

/// <summary>The files SQLite may keep beside a database file, in one list for everything that creates, copies or deletes one.</summary>
internal static class SideFiles
{
    public static readonly string[] Suffixes = ["-wal", "-shm", "-journal"];

    /// <summary>The file itself, then its side files.</summary>
    public static IEnumerable<string> WithSideFiles(string path)
    {
        yield return path;
        foreach (var suffix in Suffixes)
        {
            yield return path + suffix;
        }
    }

    /// <summary>Deletes a file if it can; for cleanup that must not hide the error that caused it.</summary>
    public static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Best effort: a leftover is harmless, and the caller is already reporting something.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
