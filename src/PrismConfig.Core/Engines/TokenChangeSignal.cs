namespace PrismConfig.Core.Engines;

/// <summary>
/// A change signal over <see cref="IStorageEngine.ChangeToken"/>, for an engine whose token is cheap to read (SQLite's
/// data_version): it polls the token every <see cref="PollInterval"/> and rings when it moves, or when the store is no
/// longer where it was opened (<see cref="IStorageEngine.StillThere"/>).
/// </summary>
/// <remarks>
/// A file replaced under the engine keeps its token still for good: only the ring for the move lets the caller look
/// the path up again before anyone commits to the new file.
/// </remarks>
internal sealed class TokenChangeSignal : IChangeSignal
{
    /// <summary>Short enough that a watcher sees a commit well within a second; a token read costs microseconds.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly Func<long> _token;
    private readonly Func<bool> _stillThere;
    private long _seen;

    public TokenChangeSignal(Func<long> token, Func<bool> stillThere)
    {
        _token = token;
        _stillThere = stillThere;
        _seen = token();
    }

    public bool Wait(TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (!_stillThere()) return true;
            var now = _token();
            if (now != _seen)
            {
                _seen = now;
                return true;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            if (cancellation.WaitHandle.WaitOne(left < PollInterval ? left : PollInterval)) return false;
        }
    }

    public void Dispose()
    {
    }
}
