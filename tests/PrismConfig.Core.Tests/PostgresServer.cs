using System.Globalization;
using Npgsql;

namespace PrismConfig.Core.Tests;

/// <summary>Placeholder until the test-cluster helper lands: the server from PRISM_TEST_POSTGRES.</summary>
public static class PostgresServer
{
    private static int counter;

    public static string AdminUri => Environment.GetEnvironmentVariable("PRISM_TEST_POSTGRES") ?? throw new InvalidOperationException("PRISM_TEST_POSTGRES is not set.");

    public static string CreateDatabase()
    {
        var name = ("t_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N"))[..40];
        var admin = PrismConfig.Core.Engines.Postgres.PostgresConnectionInfo.Parse(AdminUri, AdminUri).ConnectionString;
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            command.ExecuteNonQuery();
        }
        var uri = new Uri(AdminUri);
        return $"postgresql://{uri.UserInfo}@{uri.Host}:{uri.Port}/{name}";
    }
}
