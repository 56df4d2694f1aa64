using PrismConfig.Core;

namespace PrismConfig.PowerShell;

/// <summary>
/// A long-running command's hold on the store at one locator, and its subscription to that store's commits. The
/// store is looked up again (<paramref name="lookUp"/>) on every pass, so a file replaced or deleted under the command
/// is reopened, never read through a connection to the old file.
/// </summary>
internal sealed class FollowedStore(Func<ConfigStore> lookUp) : IDisposable
{
    private ConfigStore? _subscribed;
    private ChangeSubscription? _changes;

    /// <summary>
    /// The store at the locator now, subscribed to before the caller reads it: a commit after the read always ends
    /// the next <see cref="Wait"/>. A new subscription after every <see cref="Drop"/> is a new LISTEN after every
    /// reconnect.
    /// </summary>
    public ConfigStore Look()
    {
        var store = lookUp();
        if (!ReferenceEquals(store, _subscribed)) Drop();
        _changes ??= store.SubscribeToChanges();
        _subscribed = store;
        return store;
    }

    /// <summary>Waits for a commit to the store <see cref="Look"/> returned, up to <paramref name="timeout"/>.</summary>
    public void Wait(TimeSpan timeout, CancellationToken cancellation) => _changes?.Wait(timeout, cancellation);

    /// <summary>After a failed pass: the next <see cref="Look"/> subscribes again.</summary>
    public void Drop()
    {
        _changes?.Dispose();
        _changes = null;
    }

    public void Dispose() => Drop();
}
