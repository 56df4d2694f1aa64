namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    /// <summary>
    /// Subscribes to the store's commits, from any process: LISTEN on PostgreSQL, the change token on SQLite.
    /// Subscribe first, then read by revision (<see cref="HistoryQuery.AfterRevision"/>), then wait: a commit after
    /// the read always ends the next wait, so a watcher never misses one.
    /// </summary>
    public ChangeSubscription SubscribeToChanges()
    {
        ThrowIfDisposed();
        return new ChangeSubscription(_engine.SubscribeToChanges());
    }
}

/// <summary>A live subscription to a store's commits (<see cref="ConfigStore.SubscribeToChanges"/>).</summary>
public sealed class ChangeSubscription : IDisposable
{
    private readonly Engines.IChangeSignal _signal;

    internal ChangeSubscription(Engines.IChangeSignal signal) => _signal = signal;

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a commit. True when something may have changed: read to find out.
    /// False when the time ran out or <paramref name="cancellation"/> was cancelled.
    /// </summary>
    public bool Wait(TimeSpan timeout, CancellationToken cancellation = default) => _signal.Wait(timeout, cancellation);

    public void Dispose() => _signal.Dispose();
}
