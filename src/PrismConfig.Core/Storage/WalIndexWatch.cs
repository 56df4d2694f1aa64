using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PrismConfig.Core.Storage;

/// <summary>
/// Tells, without a system call, whether anyone may have committed to a WAL database since it was last asked:
/// it compares the wal-index header in the -shm shared memory with the copy it remembered.
/// </summary>
/// <remarks>
/// <para>
/// Why: PRAGMA data_version has to begin a read transaction, which on Unix costs three system calls (an fcntl
/// lock and unlock on the -shm file, an fstat of the database) and on these machines about 2.5 µs, most of a
/// cmdlet lookup's own cost. Every commit in WAL mode, by any connection in any process, rewrites the wal-index
/// header (its change counter, frame count and checksums) as its last step, and a WAL reset rewrites its salts, so
/// an unchanged header means the snapshot behind the last data_version is still current. A changed (or torn, or
/// uninitialised) header sends the caller back to data_version, so this only ever skips work, never adds trust.
/// The header layout is SQLite's documented on-disk format (walformat.html, "the WAL-index header"), which every
/// SQLite version sharing the file relies on.
/// </para>
/// <para>
/// The memory is SQLite's own mapping of the -shm file, obtained through the file's VFS (xShmMap of an already
/// mapped region is a pointer lookup). This class never opens the -shm itself: closing a second descriptor on it
/// would drop SQLite's POSIX locks for the whole process. The mapping lives as long as the connection, stays where
/// it is while that connection is in WAL mode, and the file cannot be truncated by another process while this
/// connection holds its shared lock on it; so the owner must stop using the watch before closing the connection,
/// and must attach only to a connection that is in WAL mode (mapping on any other would create a -shm file).
/// </para>
/// </remarks>
internal sealed unsafe partial class WalIndexWatch
{
    /// <summary>sizeof(WalIndexHdr). SQLite keeps two copies back to back and writes the second one first.</summary>
    public const int HeaderSize = 48;

    private const string Library = "e_sqlite3";
    private const int SqliteOk = 0;
    private const int FcntlFilePointer = 7;    // SQLITE_FCNTL_FILE_POINTER
    private const int MinShmIoVersion = 2;     // sqlite3_io_methods.iVersion that has xShmMap
    private const int ShmMapSlot = 13;         // iVersion, then xClose … xDeviceCharacteristics (12), then xShmMap
    private const int WalIndexPageSize = 32768; // WALINDEX_PGSZ: the region size SQLite itself maps with
    private const int IsInitOffset = 12;        // WalIndexHdr.isInit

    private readonly byte* _shm;
    private readonly byte[] _seen = new byte[HeaderSize];
    private bool _hasSeen;

    private WalIndexWatch(byte* shm)
    {
        _shm = shm;
    }

    /// <summary>
    /// Whether this assembly's P/Invokes reach the SQLite that Microsoft.Data.Sqlite uses: a connection handle from
    /// one library must never be passed to another.
    /// </summary>
    public static bool Available { get; } = SameLibrary();

    /// <summary>
    /// The watch for a connection in WAL mode whose -shm SQLite has already mapped (it has run a read), or null when
    /// anything about it is not as expected; the caller then keeps asking data_version. Only for a connection known
    /// to be in WAL mode, and only when <see cref="Available"/>.
    /// </summary>
    public static WalIndexWatch? TryAttach(SqliteConnection connection)
    {
        if (!Available)
        {
            return null;
        }
        var db = connection.Handle;
        if (db is null || db.IsInvalid)
        {
            return null;
        }
        void* file = null;
        bool added = false;
        try
        {
            db.DangerousAddRef(ref added);
            fixed (byte* main = "main\0"u8)
            {
                if (FileControl(db.DangerousGetHandle(), main, FcntlFilePointer, &file) != SqliteOk || file == null)
                {
                    return null;
                }
            }
            var methods = *(nint**)file;
            if (methods == null || *(int*)methods < MinShmIoVersion || methods[ShmMapSlot] == 0)
            {
                return null;
            }
            var shmMap = (delegate* unmanaged[Cdecl]<void*, int, int, int, void**, int>)methods[ShmMapSlot];
            void* region = null;
            // bExtend = 0: only look up region 0, never create or grow it.
            if (shmMap(file, 0, WalIndexPageSize, 0, &region) != SqliteOk || region == null)
            {
                return null;
            }
            return new WalIndexWatch((byte*)region);
        }
        finally
        {
            if (added) db.DangerousRelease();
        }
    }

    /// <summary>True when the header is the one last remembered: no commit has completed since.</summary>
    public bool Unchanged()
    {
        if (!_hasSeen)
        {
            return false;
        }
        Span<byte> now = stackalloc byte[HeaderSize];
        return TryRead(now) && now.SequenceEqual(_seen);
    }

    /// <summary>
    /// Copies the current header, as SQLite's readers do: the first copy, a barrier, then the second, which must
    /// match. False if a writer is between the two, or the index is not initialised.
    /// </summary>
    public bool TryRead(Span<byte> header)
    {
        Interlocked.MemoryBarrier();
        new ReadOnlySpan<byte>(_shm, HeaderSize).CopyTo(header);
        Interlocked.MemoryBarrier();
        return header[IsInitOffset] != 0 && header.SequenceEqual(new ReadOnlySpan<byte>(_shm + HeaderSize, HeaderSize));
    }

    /// <summary>Remembers a header read before the data_version that the caller's snapshot now matches.</summary>
    public void Remember(ReadOnlySpan<byte> header)
    {
        header.CopyTo(_seen);
        _hasSeen = true;
    }

    public void Forget() => _hasSeen = false;

    /// <summary>The same library returns a pointer to the same static version string to both.</summary>
    private static bool SameLibrary()
    {
        try
        {
            var theirs = raw.sqlite3_libversion();
            fixed (byte* p = theirs)
            {
                return p != null && p == LibVersion();
            }
        }
#pragma warning disable CA1031 // Anything at all (no library, no provider set yet) only means: keep asking data_version.
        catch (Exception)
        {
            return false;
        }
#pragma warning restore CA1031
    }

    [LibraryImport(Library, EntryPoint = "sqlite3_file_control")]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial int FileControl(nint db, byte* dbName, int op, void* arg);

    [LibraryImport(Library, EntryPoint = "sqlite3_libversion")]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static partial byte* LibVersion();
}
