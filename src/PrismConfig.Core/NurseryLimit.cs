namespace PrismConfig.Core;

/// <summary>
/// Keeps a bulk import's working set close to its live data. .NET sizes its youngest generation from the CPU's
/// cache (about 16 MiB on a 32 MiB-L3 server), and an import allocates about 21 KB per namespace, almost all of it
/// garbage at once, so between two collections it touches the whole nursery: 16 MiB of peak working set that
/// holds nothing. Asking for a young-generation collection after every few MiB the import itself allocates keeps
/// that to a few MiB, at a cost of about a millisecond each. Older generations are left to the GC.
/// </summary>
internal sealed class NurseryLimit
{
    private const long Budget = 4L * 1024 * 1024;

    private readonly Func<long> _allocated;
    private long _next;

    /// <param name="allocated">Bytes the import has allocated so far: its own threads only, so that other work in
    /// the same process (another runspace, the host) does not bring collections on.</param>
    public NurseryLimit(Func<long> allocated)
    {
        _allocated = allocated;
        _next = allocated() + Budget;
    }

    /// <summary>How many collections this limit has asked for.</summary>
    public int Collections { get; private set; }

    /// <summary>Collects generation 0 if <see cref="Budget"/> bytes have been allocated since the last time.</summary>
    public void Check()
    {
        if (_allocated() < _next) return;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        Collections++;
        _next = _allocated() + Budget;
    }
}

/// <summary>
/// What one import has allocated: the thread that created the meter (and must read it) plus what its read-ahead
/// worker reports after each batch.
/// </summary>
internal sealed class AllocationMeter
{
    private readonly long _start = GC.GetAllocatedBytesForCurrentThread();
    private long _worker;

    public void ReportWorker(long bytes) => Volatile.Write(ref _worker, bytes);

    public long Read() => GC.GetAllocatedBytesForCurrentThread() - _start + Volatile.Read(ref _worker);
}
