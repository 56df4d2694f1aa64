namespace PrismConfig.Core;

/// <summary>
/// Keeps a bulk import's working set close to its live data. .NET sizes its youngest generation from the CPU's
/// cache (about 16 MiB on a 32 MiB-L3 server), and an import allocates about 40 KB per namespace, almost all of it
/// garbage at once, so between two collections it touches the whole nursery: 16 MiB of peak working set that
/// holds nothing. Asking for a young-generation collection after every few MiB allocated keeps that to a few MiB,
/// at a cost of a fraction of a millisecond each (survivors are few). Older generations are left to the GC.
/// </summary>
internal sealed class NurseryLimit
{
    private const long Budget = 4L * 1024 * 1024;

    private long next = GC.GetTotalAllocatedBytes() + Budget;

    /// <summary>Collects generation 0 if <see cref="Budget"/> bytes have been allocated since the last time.</summary>
    public void Check()
    {
        if (GC.GetTotalAllocatedBytes() < next) return;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        next = GC.GetTotalAllocatedBytes() + Budget;
    }
}
