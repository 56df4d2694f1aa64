using Npgsql;

namespace PrismConfig.Core.Tests;

/// <summary>A fresh database on the test server per test: the same isolation a SQLite file in a temporary folder gives.</summary>
public sealed class PostgresEngineUnderTest : EngineUnderTest
{
    public PostgresEngineUnderTest()
    {
        Locator = PostgresServer.CreateDatabase();
    }

    public string Locator { get; }

    public override ConfigStore OpenNew() =>
        ConfigStore.Open(Locator, new StoreOptions { CreateIfMissing = true, BusyTimeout = TimeSpan.FromSeconds(5) });

    public override ConfigStore OpenAnother(TimeSpan? lockTimeout = null) =>
        ConfigStore.Open(Locator, new StoreOptions { BusyTimeout = lockTimeout ?? TimeSpan.FromSeconds(5) });

    public override IDisposable HoldWriteLock()
    {
        var connection = new NpgsqlConnection(PrismConfig.Core.Engines.Postgres.PostgresConnectionInfo.Parse(Locator, Locator).ConnectionString);
        connection.Open();
        var tx = connection.BeginTransaction();
        using (var command = new NpgsqlCommand("SELECT revision FROM store_state WHERE id = 1 FOR UPDATE", connection, tx))
        {
            command.ExecuteNonQuery();
        }
        return connection;
    }
}

public sealed class PostgresStoreContractTests() : StoreContractTests(new PostgresEngineUnderTest());
