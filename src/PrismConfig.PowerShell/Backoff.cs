namespace PrismConfig.PowerShell;

/// <summary>
/// The waits between tries at a store that cannot be reached: a second (or <c>longest</c>, if that is shorter),
/// doubling up to <c>longest</c>, each with jitter, so a fleet that lost the same server does not come back in step.
/// </summary>
internal sealed class Backoff(TimeSpan longest)
{
    private readonly TimeSpan _first = longest < TimeSpan.FromSeconds(1) ? longest : TimeSpan.FromSeconds(1);

    private TimeSpan? _next;

    /// <summary>How long to wait before the next try.</summary>
    public TimeSpan Next()
    {
        var next = _next ?? _first;
        var wait = TimeSpan.FromMilliseconds(next.TotalMilliseconds * (0.5 + (Random.Shared.NextDouble() / 2)));
        _next = TimeSpan.FromTicks(Math.Min(next.Ticks * 2, longest.Ticks));
        return wait;
    }

    /// <summary>After a try that worked: the next outage starts again from a second.</summary>
    public void Reset() => _next = null;

    /// <summary><paramref name="wait"/>, or less when <paramref name="deadline"/> comes first.</summary>
    public static TimeSpan Capped(DateTime deadline, TimeSpan wait)
    {
        var left = deadline - DateTime.UtcNow;
        if (left <= TimeSpan.Zero) return TimeSpan.Zero;
        return left < wait ? left : wait;
    }

    /// <summary>What goes away by itself: a server down or restarting, a lock held, a password being rotated, an I/O hiccup.</summary>
    public static bool IsTransient(Core.PrismConfigException ex) =>
        ex.Kind is Core.PrismErrorKind.Unavailable or Core.PrismErrorKind.Busy or Core.PrismErrorKind.AuthFailed or Core.PrismErrorKind.StorageError;
}
