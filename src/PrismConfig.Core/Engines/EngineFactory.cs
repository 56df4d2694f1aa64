using PrismConfig.Core.Engines.Sqlite;

namespace PrismConfig.Core.Engines;

/// <summary>The one place that knows which engine serves which kind of locator.</summary>
internal static class EngineFactory
{
    public static IStorageEngine Open(StoreLocator locator, StoreOptions options) => locator.Kind switch
    {
        StoreKind.Sqlite => SqliteEngine.Open(locator.Value, options),
        _ => throw new PrismConfigException(PrismErrorKind.InvalidPath, "StoreEngineNotSupported",
            $"'{locator.Display}' is a PostgreSQL store, which this version of PrismConfig cannot open yet. Use a SQLite file path.", locator.Display),
    };

    /// <summary>The health data of a backup file. Backups are PrismConfig SQLite files, whichever engine took them.</summary>
    public static HealthData ReadBackupHealthData(string backupFile, StoreOptions options) =>
        SqliteEngine.ReadBackupHealthData(backupFile, options.BusyTimeout);
}
