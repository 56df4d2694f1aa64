using Npgsql;

namespace PrismConfig.Core.Tests;

/// <summary>The throwaway PostgreSQL cluster the Test task starts is what the PostgreSQL tests assume it is.</summary>
public sealed class PostgresServerTests
{
    [SkippableFact]
    public void The_server_answers_and_listens_on_loopback_only()
    {
        PostgresServer.SkipIfUnavailable();
        using var connection = PostgresServer.OpenAdmin();
        Assert.StartsWith("PostgreSQL ", Scalar(connection, "SELECT version()"));
        Assert.Equal("127.0.0.1", Scalar(connection, "SHOW listen_addresses"));
        Assert.Equal("on", Scalar(connection, "SELECT current_setting('is_superuser')"));
        Assert.Equal("postgres", Scalar(connection, "SELECT current_user"));
    }

    [SkippableFact]
    public void CreateDatabase_gives_a_fresh_empty_database_each_call()
    {
        var first = PostgresServer.CreateDatabase();
        var second = PostgresServer.CreateDatabase();
        Assert.NotEqual(first, second);
        Assert.Matches(@"^postgresql://postgres@127\.0\.0\.1:\d+/prism_test_[0-9a-f]{32}$", first);

        using (var connection = PostgresServer.OpenAdmin(first))
        {
            Assert.Equal(new Uri(first).AbsolutePath.TrimStart('/'), Scalar(connection, "SELECT current_database()"));
            Assert.Equal("0", Scalar(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
            Exec(connection, "CREATE TABLE t (x int)");
        }
        using (var connection = PostgresServer.OpenAdmin(second))
        {
            Assert.Equal("0", Scalar(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        }
    }

    [SkippableFact]
    public void The_password_role_gets_in_with_its_password_and_is_refused_with_a_wrong_one()
    {
        PostgresServer.SkipIfUnavailable();
        using (var connection = PostgresServer.OpenAdmin(PostgresServer.PasswordUri()))
        {
            Assert.Equal(PostgresServer.PasswordUser, Scalar(connection, "SELECT current_user"));
            Assert.Equal("off", Scalar(connection, "SELECT current_setting('is_superuser')"));
        }

        var refused = Assert.Throws<PostgresException>(() =>
            PostgresServer.OpenAdmin(PostgresServer.PasswordUri(password: "not-" + PostgresServer.Password)).Dispose());
        // 28P01 invalid_password: scram-sha-256 is enforced, not trust.
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

        var noPassword = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString(PostgresServer.PasswordUri())) { Password = null };
        using var bare = new NpgsqlConnection(noPassword.ConnectionString);
        Assert.ThrowsAny<NpgsqlException>(bare.Open);
    }

    [SkippableFact]
    public void PgCtl_reaches_the_cluster_as_the_user_that_owns_it()
    {
        PostgresServer.SkipIfUnavailable();
        // status changes nothing, so it cannot disturb tests running beside this one; exit code 3 would be "not running".
        PostgresServer.PgCtl("status");
        Assert.Throws<InvalidOperationException>(() => PostgresServer.PgCtl("no-such-mode"));
    }

    private static string? Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Exec(NpgsqlConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
