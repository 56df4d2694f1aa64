using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>
/// Everything about connections in one place: connection strings, opening, per-connection pragmas, file and
/// folder modes, transaction control and the translation of SQLite errors into Core's typed exceptions.
/// </summary>
internal static class SqliteConnectionFactory
{
    private const int SqliteOk = 0;
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteAuth = 23;
    private const int SqliteNotADb = 26;
    private const int SqliteRow = 100;

    private static readonly byte[] HeaderMagic = "SQLite format 3\0"u8.ToArray();

    /// <summary>
    /// Pooling is off so that each connection this store opens is its own, with its own pragmas, and closing it
    /// really closes the file. Default Timeout bounds Microsoft.Data.Sqlite's own retry loop on SQLITE_BUSY.
    /// </summary>
    public static string ConnectionString(string path, SqliteOpenMode mode, TimeSpan busyTimeout) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Pooling = false,
        DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
    }.ToString();

    /// <summary>
    /// A read-only connection string for a file that must be left exactly as it is, side files included (a backup
    /// being restored). With no -wal or -journal beside the file its whole content is in the file, so it is opened
    /// with immutable=1: no locks, no -shm or -wal created even if its header says WAL. If a -wal or -journal does
    /// exist, its content matters and the file is opened ordinarily read-only (those side files are not ours to drop).
    /// </summary>
    public static string ReadOnlyUntouchedConnectionString(string path, TimeSpan busyTimeout)
    {
        if (File.Exists(path + "-wal") || File.Exists(path + "-journal"))
        {
            return ConnectionString(path, SqliteOpenMode.ReadOnly, busyTimeout);
        }
        return ConnectionString(FileUri(path) + "?immutable=1", SqliteOpenMode.ReadOnly, busyTimeout);
    }

    /// <summary>An absolute path as a SQLite URI filename (file:///...), every byte but unreserved ones and '/' percent-encoded.</summary>
    private static string FileUri(string path)
    {
        var full = System.IO.Path.GetFullPath(path).Replace('\\', '/');
        if (!full.StartsWith('/'))
        {
            full = "/" + full; // C:/dir/file -> /C:/dir/file
        }
        var builder = new System.Text.StringBuilder("file://");
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(full))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '.' or '_' or '~' || (c == ':' && builder.Length <= 10))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <summary>Opens a connection and applies the per-connection pragmas (not journal_mode, which writes).</summary>
    public static SqliteConnection Open(string path, SqliteOpenMode mode, StoreOptions options)
    {
        var connection = new SqliteConnection(ConnectionString(path, mode, options.BusyTimeout));
        try
        {
            connection.Open();
            Execute(connection, SqliteDialect.ConnectionPragmas(options.BusyTimeout, options.Durability));
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public static long ScalarInt64(SqliteConnection connection, string sql) =>
        Convert.ToInt64(Scalar(connection, sql) ?? 0L, CultureInfo.InvariantCulture);

    public static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var list = new List<string>();
        while (reader.Read())
        {
            list.Add(reader.IsDBNull(0) ? "" : Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? "");
        }
        return list;
    }

    /// <summary>
    /// BEGIN IMMEDIATE through SQLite itself, so the wait for the write lock is exactly the connection's
    /// busy_timeout (Microsoft.Data.Sqlite's own retry loop would add up to its command timeout).
    /// </summary>
    public static void BeginImmediate(SqliteConnection connection, string path, TimeSpan busyTimeout)
    {
        var rc = raw.sqlite3_exec(connection.Handle, SqliteDialect.BeginImmediate);
        if (rc != SqliteOk)
        {
            throw Translate(LastErrorException(connection, rc), path, busyTimeout);
        }
    }

    public static void Commit(SqliteConnection connection, string path, TimeSpan busyTimeout)
    {
        var rc = raw.sqlite3_exec(connection.Handle, SqliteDialect.Commit);
        if (rc != SqliteOk)
        {
            var error = LastErrorException(connection, rc);
            RollbackQuietly(connection);
            throw Translate(error, path, busyTimeout);
        }
    }

    /// <summary>Rolls back if a transaction is open; never throws (it runs while another error propagates).</summary>
    public static void RollbackQuietly(SqliteConnection connection)
    {
        if (connection.Handle is { } handle && raw.sqlite3_get_autocommit(handle) == 0)
        {
            raw.sqlite3_exec(handle, SqliteDialect.Rollback);
        }
    }

    /// <summary>
    /// Checkpoints the WAL into the connection's own file and empties it, ignoring failure. For a file deleted or
    /// replaced while open: SQLite skips its checkpoint on close then and leaves the WAL beside the path, where the
    /// next file there (another store moved in) would replay this file's pages into itself.
    /// </summary>
    public static void EmptyWalQuietly(SqliteConnection connection)
    {
        if (connection.Handle is { } handle)
        {
            raw.sqlite3_exec(handle, SqliteDialect.CheckpointTruncate);
        }
    }

    internal static SqliteException LastErrorException(SqliteConnection connection, int rc)
    {
        var message = raw.sqlite3_errmsg(connection.Handle).utf8_to_string() ?? "SQLite error " + rc.ToString(CultureInfo.InvariantCulture);
        return new SqliteException(message, rc, raw.sqlite3_extended_errcode(connection.Handle));
    }

    /// <summary>
    /// True while <paramref name="path"/> still names the file the connection has open. SQLite's HAS_MOVED answers
    /// with one stat of the path: false once the file is deleted, and once another file is moved over it (an
    /// operator's <c>mv</c> of another store), which a check that the path exists would miss. A VFS that does not
    /// answer leaves the path's existence as the test.
    /// </summary>
    public static bool StillAtPath(SqliteConnection connection, string path)
    {
        var rc = NativeMethods.FileControl(connection.Handle!.DangerousGetHandle(), IntPtr.Zero, NativeMethods.FcntlHasMoved, out var moved);
        return rc == SqliteOk ? moved == 0 : File.Exists(path);
    }

    /// <summary>A prepared "PRAGMA data_version" stepped directly, the cheapest way to ask "did anyone commit?".</summary>
    public sealed class DataVersionProbe : IDisposable
    {
        private readonly sqlite3_stmt _statement;

        public DataVersionProbe(SqliteConnection connection)
        {
            var rc = raw.sqlite3_prepare_v2(connection.Handle, SqliteDialect.DataVersion, out _statement);
            if (rc != SqliteOk)
            {
                throw LastErrorException(connection, rc);
            }
        }

        public long Read(SqliteConnection connection)
        {
            try
            {
                var rc = raw.sqlite3_step(_statement);
                if (rc != SqliteRow)
                {
                    throw LastErrorException(connection, rc);
                }
                return raw.sqlite3_column_int64(_statement, 0);
            }
            finally
            {
                raw.sqlite3_reset(_statement);
            }
        }

        public void Dispose() => _statement.Dispose();
    }

    /// <summary>The SQLite header fields Core needs before it lets SQLite touch a file.</summary>
    public readonly record struct Header(int UserVersion);

    /// <summary>
    /// Reads the 100-byte database header without SQLite, so that a file that is not ours, or a schema that is
    /// too new, is refused before anything (even a journal-mode change) could write to it.
    /// </summary>
    public static Header ReadHeader(string path)
    {
        var buffer = new byte[100];
        int read;
        long length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorePermissionException(path, "the file cannot be read by this user. Check its owner and mode.", ex);
        }
        catch (IOException ex)
        {
            throw new StorePathException(path, "StoreUnreadable", $"The configuration database '{path}' cannot be read: {ex.Message}", ex);
        }
        if (length == 0)
        {
            throw new StoreCorruptException(path,
                "the file is empty (zero bytes), so it is not a PrismConfig database. PrismConfig never initialises a file it did not create; delete the empty file to let Initialize-PrismConfig create the store.");
        }
        if (read < buffer.Length || !buffer.AsSpan(0, HeaderMagic.Length).SequenceEqual(HeaderMagic))
        {
            throw new StoreCorruptException(path, "the file is not a SQLite database (its header is wrong).");
        }
        return new Header(BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(60, 4)));
    }

    public static bool IsOurSchema(ICollection<string> tables) =>
        SqliteDialect.RequiredTables.All(tables.Contains);

    public static bool IsOurSchema(ICollection<string> tables, int schemaVersion) =>
        SqliteDialect.RequiredTablesFor(schemaVersion).All(tables.Contains);

    /// <summary>The one place a SqliteException becomes a typed PrismConfig exception.</summary>
    public static PrismConfigException Translate(SqliteException ex, string path, TimeSpan busyTimeout)
    {
        var message = Describe(ex);
        return (ex.SqliteErrorCode & 0xFF) switch
        {
            SqliteBusy or SqliteLocked => new StoreBusyException(path, busyTimeout, ex),
            // The exception keeps SQLite's own text as the inner exception; the message says what it means.
            SqliteCorrupt => new StoreCorruptException(path, "its pages are damaged (the file may have been truncated or partly overwritten).", ex),
            SqliteNotADb => new StoreCorruptException(path, "it is not a SQLite database.", ex),
            SqliteReadOnly => new StorePermissionException(path, $"the database or its folder is read-only for this user (SQLite: {message}). Reading needs write access too: every reader of a WAL database writes the -shm file beside it and creates the -wal and -shm files in the folder when they are missing. A user that may only read can use a backup (Backup-PrismConfig) or a replica (Sync-PrismConfig) of its own.", ex),
            SqlitePerm or SqliteAuth => new StorePermissionException(path, "SQLite was refused access to it. Check the file's and its folder's owner and mode.", ex),
            SqliteCantOpen => CantOpen(path, ex),
            SqliteFull => new StoreErrorException(path, "the disk is full. Nothing was written.", ex),
            SqliteIoErr => new StoreErrorException(path, $"a disk I/O error occurred (SQLite: {message}). Nothing was written.", ex),
            _ => new StoreErrorException(path, $"SQLite failed with error {ex.SqliteErrorCode} ({Describe(ex)}). Nothing was written.", ex),
        };
    }

    // SQLite's message is "SQLite Error 1: 'text'." — keep the text, drop the wrapping and its trailing full stop.
    private static string Describe(SqliteException ex)
    {
        var text = ex.Message;
        var quote = text.IndexOf('\'', StringComparison.Ordinal);
        var last = text.LastIndexOf('\'');
        return quote >= 0 && last > quote ? text[(quote + 1)..last] : text.TrimEnd('.');
    }

    private static PrismConfigException CantOpen(string path, SqliteException ex)
    {
        if (Directory.Exists(path))
        {
            return DirectoryPath(path);
        }
        if (!File.Exists(path))
        {
            return StorePathException.Missing(path);
        }
        return new StorePermissionException(path, $"SQLite cannot open the file or its -wal/-shm companions (SQLite: {ex.Message}). Check the modes of the file and its folder.", ex);
    }

    public static StorePathException DirectoryPath(string path) => new(path, "StorePathIsDirectory",
        $"The configuration database path '{path}' is a folder, not a file. Point -Database at a file such as '{System.IO.Path.Combine(path, "config.db")}'.");
}
