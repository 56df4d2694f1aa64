using System.Collections.Concurrent;
using PrismConfig.Core;

namespace PrismConfig.PowerShell;

/// <summary>
/// One open store per database path for the whole pwsh process, so a loop of cmdlet calls never re-opens the
/// file, re-runs migrations or re-issues PRAGMAs. Core's stores are thread-safe, so runspaces share them.
/// </summary>
internal static class StoreCache
{
    private static readonly ConcurrentDictionary<string, ConfigStore> Stores =
        new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    private static readonly object OpenGate = new();

    public static ConfigStore Get(string path, bool create)
    {
        if (Stores.TryGetValue(path, out var store))
        {
            // A file deleted behind our back (a test's temporary folder, an operator's rm) must not live on
            // through the cached connection: forget it, and open or refuse afresh below.
            if (File.Exists(path)) return store;
            Evict(path);
        }
        lock (OpenGate)
        {
            if (Stores.TryGetValue(path, out store)) return store;
            store = ConfigStore.Open(path, new StoreOptions { CreateIfMissing = create, Durability = DurabilityFromEnvironment() });
            Stores[path] = store;
            return store;
        }
    }

    public static void Evict(string path)
    {
        if (Stores.TryRemove(path, out var store))
        {
            store.Dispose();
        }
    }

    public static void Clear()
    {
        foreach (var path in Stores.Keys)
        {
            Evict(path);
        }
    }

    private static Durability DurabilityFromEnvironment() =>
        string.Equals(Environment.GetEnvironmentVariable("PRISM_CONFIG_SYNCHRONOUS"), "NORMAL", StringComparison.OrdinalIgnoreCase)
            ? Durability.Normal
            : Durability.Full;
}
