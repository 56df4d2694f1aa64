namespace PrismConfig.Core.Store;

/// <summary>
/// Finds a name that comes twice in one import without holding every name of the import in memory. A name the
/// store had before the import is remembered exactly (the store's own name list is in memory anyway). A new name
/// goes into a Bloom filter, a few bits each; when the filter says it may have come before, the write transaction
/// is asked whether the import already created it, so a repeat is always found and a first occurrence is never
/// refused. The filter only decides how often the transaction is asked.
/// </summary>
internal sealed class ImportNames
{
    private readonly HashSet<string> _existingSeen = new(StringComparer.Ordinal);
    private readonly NameFilter _created;

    public ImportNames(int firstStageCapacity = NameFilter.DefaultFirstStage) => _created = new NameFilter(firstStageCapacity);

    /// <summary>The names of the store's namespaces that the import has met so far: the ones a prune keeps.</summary>
    public IReadOnlySet<string> ExistingSeen => _existingSeen;

    /// <summary>How many names the import has met.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Records <paramref name="name"/> and returns true when the import met it before. <paramref name="existing"/>
    /// says whether the store had it before the import began; <paramref name="createdByImport"/> answers, from
    /// inside the write transaction, whether the import has created it already.
    /// </summary>
    public bool IsRepeat(string name, bool existing, Func<string, bool> createdByImport)
    {
        Count++;
        if (existing)
        {
            return !_existingSeen.Add(name);
        }
        return _created.AddAndMaybeSeen(name) && createdByImport(name);
    }
}

/// <summary>
/// A Bloom filter that grows in stages, each twice the capacity of the last, so its size follows the number of
/// names without knowing it in advance: about two bytes a name, and about one false "maybe" in a thousand.
/// </summary>
internal sealed class NameFilter(int firstStageCapacity)
{
    public const int DefaultFirstStage = 4096;

    private const int BitsPerName = 16;
    private const int Probes = 11;

    private readonly List<ulong[]> _stages = [];
    private int _capacity;
    private int _inStage;

    /// <summary>Adds the name; true when every probed bit was already set in some stage (the name may have come before).</summary>
    public bool AddAndMaybeSeen(string name)
    {
        var (h1, h2) = Hash(name);
        var maybe = false;
        foreach (var stage in _stages)
        {
            if (AllSet(stage, h1, h2))
            {
                maybe = true;
                break;
            }
        }
        if (_stages.Count == 0 || _inStage >= _capacity)
        {
            _capacity = _stages.Count == 0 ? Math.Max(1, firstStageCapacity) : _capacity * 2;
            _stages.Add(new ulong[(int)Math.Max(1, (long)_capacity * BitsPerName / 64)]);
            _inStage = 0;
        }
        var current = _stages[^1];
        for (var i = 0; i < Probes; i++)
        {
            var (word, mask) = Probe(current, h1, h2, i);
            current[word] |= mask;
        }
        _inStage++;
        return maybe;
    }

    private static bool AllSet(ulong[] stage, ulong h1, ulong h2)
    {
        for (var i = 0; i < Probes; i++)
        {
            var (word, mask) = Probe(stage, h1, h2, i);
            if ((stage[word] & mask) == 0) return false;
        }
        return true;
    }

    /// <summary>Probe <paramref name="i"/>'s word and bit in <paramref name="stage"/> (double hashing).</summary>
    private static (int Word, ulong Mask) Probe(ulong[] stage, ulong h1, ulong h2, int i)
    {
        var bit = (h1 + (ulong)i * h2) % ((ulong)stage.Length * 64);
        return ((int)(bit >> 6), 1UL << (int)(bit & 63));
    }

    /// <summary>Two independent 64-bit hashes (FNV-1a over the UTF-16 code units, and a multiply-xorshift mix of it).</summary>
    private static (ulong, ulong) Hash(string name)
    {
        var h = 14695981039346656037UL;
        foreach (var c in name)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        var g = h;
        g ^= g >> 33;
        g *= 0xff51afd7ed558ccdUL;
        g ^= g >> 33;
        g *= 0xc4ceb9fe1a85ec53UL;
        g ^= g >> 33;
        // An odd step visits distinct bits for every probe.
        return (h, g | 1);
    }
}
