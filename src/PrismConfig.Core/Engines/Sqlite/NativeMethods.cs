using System.Runtime.InteropServices;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>The one SQLite entry point the store needs that SQLitePCLRaw does not expose.</summary>
internal static class NativeMethods
{
    /// <summary>SQLITE_FCNTL_HAS_MOVED: whether the path the database was opened by no longer names the open file.</summary>
    public const int FcntlHasMoved = 20;

    // The library SQLitePCLRaw's provider binds: the module's load context resolves this name to its
    // runtimes/<rid>/native copy, and a plain .NET host resolves it from deps.json.
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int FileControl(IntPtr db, IntPtr databaseName, int op, out int result);
}
