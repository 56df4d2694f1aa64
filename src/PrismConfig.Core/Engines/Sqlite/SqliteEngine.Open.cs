using Dapper;
using Microsoft.Data.Sqlite;
using Factory = PrismConfig.Core.Engines.Sqlite.SqliteConnectionFactory;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>Opening a store: creating a new file atomically, checking that a file is ours, WAL and migrations.</summary>
internal sealed partial class SqliteEngine
{
    /// <summary>
    /// Opens (and, with <see cref="StoreOptions.CreateIfMissing"/>, creates) the store at <paramref name="full"/>,
    /// running migrations. Refuses foreign, empty and too-new files before SQLite may write anything.
    /// </summary>
    public static SqliteEngine Open(string full, StoreOptions opts)
    {
        if (Directory.Exists(full))
        {
            throw Factory.DirectoryPath(full);
        }
        var created = false;
        string? createdFolder = null;
        if (!File.Exists(full))
        {
            if (!opts.CreateIfMissing)
            {
                throw StorePathException.Missing(full);
            }
            created = InitializeNewFile(full, opts, out createdFolder);
        }

        var header = Factory.ReadHeader(full);
        if (header.UserVersion > CurrentSchemaVersion)
        {
            throw new SchemaTooNewException(full, header.UserVersion, CurrentSchemaVersion);
        }

        SqliteConnection? write = null;
        SqliteConnection? read = null;
        Factory.DataVersionProbe? probe = null;
        try
        {
            write = Factory.Open(full, SqliteOpenMode.ReadWrite, opts);
            var version = CheckSchema(write, full, opts.CreateIfMissing);
            // A file not in WAL mode yet (a backup, a copy) is only read here: switching it writes its header, so
            // that waits for the first write. A damaged or foreign file is never modified by opening or reading it.
            var walReady = IsWal(write);
            if (version < CurrentSchemaVersion)
            {
                // Initialising a blank database (CreateIfMissing) or migrating is a write the caller asked for.
                EnableWal(write);
                version = Migrate(write, full, opts);
                walReady = true;
            }
            read = Factory.Open(full, SqliteOpenMode.ReadWrite, opts);
            Factory.Execute(read, SqliteDialect.QueryOnly);
            probe = new Factory.DataVersionProbe(read);
            if (created)
            {
                PrivateFiles.RestrictToOwner(full + "-wal");
                PrivateFiles.RestrictToOwner(full + "-shm");
            }
            return new SqliteEngine(full, opts, write, read, probe, version, walReady, created) { _createdFolder = created ? createdFolder : null };
        }
        catch (Exception ex)
        {
            probe?.Dispose();
            read?.Dispose();
            write?.Dispose();
            if (ex is SqliteException sqlite)
            {
                throw Factory.Translate(sqlite, full, opts.BusyTimeout);
            }
            throw;
        }
    }

    /// <summary>
    /// Creates a new store atomically: the schema is written to a private temporary file in the same folder, which
    /// is then linked into place without overwriting. There is never a half-initialised file at <paramref name="full"/>,
    /// and two processes creating the same store at once both end up with one database. False if another won.
    /// </summary>
    /// <remarks><paramref name="createdFolder"/> is the outermost folder this call created, or null: what discarding an unused new store removes.</remarks>
    private static bool InitializeNewFile(string full, StoreOptions opts, out string? createdFolder)
    {
        var folder = System.IO.Path.GetDirectoryName(full) ?? throw Factory.DirectoryPath(full);
        if (File.Exists(folder))
        {
            throw new StorePathException(full, "StoreFolderInvalid", $"The folder of '{full}' is a file, not a folder.");
        }
        createdFolder = null;
        for (var f = folder; !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = System.IO.Path.GetDirectoryName(f))
        {
            createdFolder = f;
        }
        PrivateFiles.CreateFolder(folder);
        var temp = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(full) + ".init-" + Guid.NewGuid().ToString("N"));
        try
        {
            PrivateFiles.CreatePrivateFile(temp);
            using (var connection = Factory.Open(temp, SqliteOpenMode.ReadWrite, opts))
            {
                Factory.Execute(connection, SqliteDialect.JournalModeWal);
                Migrate(connection, full, opts);
            }
            try
            {
                File.Move(temp, full, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(full))
            {
                return false;
            }
        }
        catch (SqliteException ex)
        {
            throw Factory.Translate(ex, full, opts.BusyTimeout);
        }
        catch (StorePermissionException ex) when (Equals(ex.Target, temp))
        {
            // The temporary file is ours, not the user's: name the database they asked for.
            throw new StorePermissionException(full, "the database cannot be created in its folder by this user.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorePermissionException(full, "the database cannot be created in its folder by this user.", ex);
        }
        catch (IOException ex)
        {
            // The message names our temporary file, which the user never asked for: say what it means instead.
            var why = ex is FileNotFoundException or DirectoryNotFoundException
                ? $"its folder '{folder}' does not accept new files (a system folder such as /proc, or one that is gone)"
                : ex.Message.Replace(temp, full, StringComparison.Ordinal);
            throw new StorePermissionException(full, $"the database cannot be created there: {why}.", ex);
        }
        finally
        {
            foreach (var leftover in SideFiles.WithSideFiles(temp))
            {
                SideFiles.TryDelete(leftover);
            }
        }
    }

    /// <summary>Checks that the file is a PrismConfig store (or a blank database we may initialise) and returns its schema version.</summary>
    private static int CheckSchema(SqliteConnection connection, string path, bool mayInitialise)
    {
        var version = (int)Factory.ScalarInt64(connection, SqliteDialect.GetUserVersion);
        if (version > CurrentSchemaVersion)
        {
            throw new SchemaTooNewException(path, version, CurrentSchemaVersion);
        }
        var tables = Factory.Strings(connection, SqliteDialect.ListTables);
        if (version == 0)
        {
            if (tables.Count > 0)
            {
                throw new StoreCorruptException(path, $"it is a SQLite database, but not a PrismConfig one (it has the tables {string.Join(", ", tables)} and no PrismConfig schema version).");
            }
            if (!mayInitialise)
            {
                throw new StoreCorruptException(path, "it is an empty SQLite database without the PrismConfig schema. Initialise it with Initialize-PrismConfig.");
            }
        }
        else if (!Factory.IsOurSchema(tables, version))
        {
            throw new StoreCorruptException(path, $"it says schema version {version} but lacks the tables {string.Join(", ", SqliteDialect.RequiredTablesFor(version).Except(tables))}.");
        }
        return version;
    }

    private static void EnableWal(SqliteConnection connection)
    {
        // A no-op when the file is already in WAL mode. On a read-only file SQLite keeps the old mode; reads still
        // work and writes fail with StorePermissionException.
        if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
        {
            return;
        }
        Factory.Execute(connection, SqliteDialect.JournalModeWal);
    }

    private static bool IsWal(SqliteConnection connection) =>
        string.Equals(Factory.Scalar(connection, SqliteDialect.JournalMode) as string, "wal", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs the migrations inside one BEGIN IMMEDIATE transaction; all or nothing.</summary>
    private static int Migrate(SqliteConnection connection, string path, StoreOptions options)
    {
        Factory.BeginImmediate(connection, path, options.BusyTimeout);
        try
        {
            // Re-read inside the lock: another process may have migrated while we waited.
            var version = (int)Factory.ScalarInt64(connection, SqliteDialect.GetUserVersion);
            if (version > CurrentSchemaVersion)
            {
                throw new SchemaTooNewException(path, version, CurrentSchemaVersion);
            }
            if (version < 1)
            {
                foreach (var statement in SqliteDialect.MigrationTo1)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(1));
                version = 1;
            }
            if (version < 2)
            {
                foreach (var statement in SqliteDialect.MigrationTo2)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(2));
                version = 2;
            }
            if (version < 3)
            {
                foreach (var statement in SqliteDialect.MigrationTo3)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(3));
                version = 3;
            }
            if (version < SqliteDialect.RegistrySchemaVersion)
            {
                foreach (var statement in SqliteDialect.RegistryMigration)
                {
                    Factory.Execute(connection, statement);
                }
                Factory.Execute(connection, SqliteDialect.SetUserVersion(SqliteDialect.RegistrySchemaVersion));
            }
            Factory.Commit(connection, path, options.BusyTimeout);
            return CurrentSchemaVersion;
        }
        catch
        {
            Factory.RollbackQuietly(connection);
            throw;
        }
    }
}
