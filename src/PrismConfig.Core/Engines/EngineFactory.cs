using PrismConfig.Core.Engines.Postgres;
using PrismConfig.Core.Engines.Sqlite;

namespace PrismConfig.Core.Engines;

/// <summary>The one place that knows which engine serves which kind of locator.</summary>
internal static class EngineFactory
{
    public static IStorageEngine Open(StoreLocator locator, StoreOptions options) => locator.Kind switch
    {
        StoreKind.Sqlite => SqliteEngine.Open(locator.Value, options),
        StoreKind.Postgres => PostgresEngine.Open(locator, options),
        _ => throw new PrismConfigException(PrismErrorKind.InvalidPath, "StoreEngineNotSupported",
            $"'{locator.Display}' names a kind of store this version of PrismConfig cannot open.", locator.Display),
    };

    /// <summary>The health data of a backup file. Backups are PrismConfig SQLite files, whichever engine took them.</summary>
    public static HealthData ReadBackupHealthData(string backupFile, StoreOptions options) =>
        SqliteEngine.ReadBackupHealthData(backupFile, options.BusyTimeout);
}
