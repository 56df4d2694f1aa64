namespace PrismConfig.Core.Engines;

/// <summary>
/// A change signal over <see cref="IStorageEngine.ChangeToken"/>, for an engine whose token is cheap to read (SQLite's
/// data_version): it polls the token every <see cref="PollInterval"/> and rings when it moves.
/// </summary>
internal sealed class TokenChangeSignal : IChangeSignal
{
    /// <summary>Short enough that a watcher sees a commit well within a second; a token read costs microseconds.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly Func<long> _token;
    private long _seen;

    public TokenChangeSignal(Func<long> token)
    {
        _token = token;
        _seen = token();
    }

    public bool Wait(TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
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
