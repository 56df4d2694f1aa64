using System.Collections.Concurrent;
using PrismConfig.Core;

namespace PrismConfig.PowerShell;

/// <summary>
/// One open store per locator for the whole pwsh process, so a loop of cmdlet calls never re-opens the store,
/// re-runs migrations or re-issues PRAGMAs. Core's stores are thread-safe, so runspaces share them. Every store is
/// closed when the module is removed and when the process exits, so nothing is left in a -wal file.
/// </summary>
internal static class StoreCache
{
    private static readonly ConcurrentDictionary<StoreLocator, ConfigStore> Stores = new();

    private static readonly object OpenGate = new();

    public static ConfigStore Get(StoreLocator locator, bool create) => Get(locator, create, out _);

    /// <summary>As <see cref="Get(StoreLocator, bool)"/>; <paramref name="createdNow"/> is true only for the call whose open created the store.</summary>
    public static ConfigStore Get(StoreLocator locator, bool create, out bool createdNow)
    {
        createdNow = false;
        if (Stores.TryGetValue(locator, out var store))
        {
            // A store deleted behind our back (a test's temporary folder, an operator's rm) must not live on
            // through the cached connection: forget it, and open or refuse afresh below.
            if (store.StillThere()) return store;
            Evict(locator);
        }
        lock (OpenGate)
        {
            if (Stores.TryGetValue(locator, out store)) return store;
            store = ConfigStore.Open(locator, new StoreOptions
            {
                CreateIfMissing = create,
                Durability = DurabilityFromEnvironment(),
                BusyTimeout = LockTimeoutFromEnvironment(),
            });
            Stores[locator] = store;
            createdNow = store.Created;
            return store;
        }
    }

    public static void Evict(StoreLocator locator)
    {
        if (Stores.TryRemove(locator, out var store))
        {
            store.Dispose();
        }
    }

    /// <summary>
    /// After the failed first write of the call that created it: closes, forgets and removes the store if it still
    /// holds nothing (Core judges that under the write lock).
    /// </summary>
    public static void Discard(ConfigStore store)
    {
        if (!store.Created) return;
        Stores.TryRemove(new KeyValuePair<StoreLocator, ConfigStore>(store.Locator, store));
        store.DiscardIfCreated();
    }

    public static void Clear()
    {
        foreach (var locator in Stores.Keys)
        {
            Evict(locator);
        }
    }

    /// <summary>$env:PRISM_CONFIG_LOCK_TIMEOUT, in seconds, else Core's default.</summary>
    private static TimeSpan LockTimeoutFromEnvironment() =>
        double.TryParse(Environment.GetEnvironmentVariable("PRISM_CONFIG_LOCK_TIMEOUT"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : StoreOptions.DefaultBusyTimeout;

    private static Durability DurabilityFromEnvironment() =>
        string.Equals(Environment.GetEnvironmentVariable("PRISM_CONFIG_SYNCHRONOUS"), "NORMAL", StringComparison.OrdinalIgnoreCase)
            ? Durability.Normal
            : Durability.Full;
}
