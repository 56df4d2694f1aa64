using System.Diagnostics;
using Npgsql;

namespace PrismConfig.Core.Tests;

/// <summary>
/// The throwaway PostgreSQL cluster that <c>./build.ps1 -Task Test</c> starts (build/TestPostgres.psm1) and
/// announces through PRISM_TEST_POSTGRES. A PostgreSQL test is a <c>[SkippableFact]</c> or
/// <c>[SkippableTheory]</c> that calls <see cref="SkipIfUnavailable"/> or <see cref="CreateDatabase"/> first, so it
/// reports "skipped" rather than "passed" where no server runs.
/// </summary>
/// <remarks>
/// Databases are never dropped: they go with the cluster when the Test task stops it, which is cheaper than a
/// DROP DATABASE per test and leaves a failed test's data to look at while the run lasts.
/// </remarks>
public static class PostgresServer
{
    public const string InstallHint =
        "no test PostgreSQL server: run the tests through ./build.ps1 -Task Test with PostgreSQL's server binaries " +
        "installed (apt-get install postgresql-15), or start one with build/TestPostgres.psm1 and set PRISM_TEST_POSTGRES " +
        "(see CONTRIBUTING.md)";

    /// <summary>The superuser URI, <c>postgresql://postgres@127.0.0.1:port/postgres</c>, or null.</summary>
    public static string? AdminUri => Env("PRISM_TEST_POSTGRES");

    public static bool Available => AdminUri is not null;

    /// <summary>A LOGIN role that authenticates only with <see cref="Password"/> (scram-sha-256).</summary>
    public static string? PasswordUser => Env("PRISM_TEST_POSTGRES_PASSWORD_USER");

    public static string? Password => Env("PRISM_TEST_POSTGRES_PASSWORD");

    /// <summary>The server binaries' folder (pg_ctl, psql), for a test that restarts the server.</summary>
    public static string? BinFolder => Env("PRISM_TEST_PG_BIN");

    /// <summary>The cluster's data folder, for <c>pg_ctl -D</c>.</summary>
    public static string? DataFolder => Env("PRISM_TEST_PG_DATA");

    public static void SkipIfUnavailable() => Skip.IfNot(Available, InstallHint);

    /// <summary>Creates an empty, uniquely named database; returns its superuser URI.</summary>
    public static string CreateDatabase(string prefix = "prism_test")
    {
        SkipIfUnavailable();
        var name = $"{prefix}_{Guid.NewGuid():N}";
        using (var connection = OpenAdmin())
        {
            using var command = connection.CreateCommand();
            // A database name cannot be a parameter; this one is made of [a-z0-9_] only.
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            command.ExecuteNonQuery();
        }
        var admin = new Uri(AdminUri!);
        return $"postgresql://postgres@127.0.0.1:{admin.Port}/{name}";
    }

    /// <summary>A URI for <see cref="PasswordUser"/> with its password in it, on the given database.</summary>
    public static string PasswordUri(string database = "postgres", string? password = null)
    {
        SkipIfUnavailable();
        var admin = new Uri(AdminUri!);
        return $"postgresql://{PasswordUser}:{Uri.EscapeDataString(password ?? Password!)}@127.0.0.1:{admin.Port}/{database}";
    }

    public static NpgsqlConnection OpenAdmin(string? uri = null)
    {
        SkipIfUnavailable();
        var connection = new NpgsqlConnection(ConnectionString(uri ?? AdminUri!));
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The Npgsql connection string for one of this class's URIs. Only what these URIs contain (user, password,
    /// host, port, database) is translated: parsing the URIs users write is the engine's job, not the tests'.
    /// </summary>
    public static string ConnectionString(string uri)
    {
        var parsed = new Uri(uri);
        var userInfo = parsed.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parsed.Host,
            Port = parsed.Port,
            Database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/')),
            Username = Uri.UnescapeDataString(userInfo[0]),
            // The shared server is the tests' only one; pooled connections from a finished test are harmless,
            // and a connection that never gets in should fail the test quickly.
            Timeout = 10,
        };
        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// Runs pg_ctl on the test cluster (for example <c>"restart"</c>), as the postgres system user when the tests
    /// run as root, since the server refuses to run as root. The server is shared by every test in the run: a
    /// test that stops it must start it again before it ends, and must not run in parallel with other
    /// PostgreSQL tests (put it in a non-parallel collection).
    /// </summary>
    public static void PgCtl(params string[] arguments)
    {
        SkipIfUnavailable();
        var pgCtl = Path.Combine(BinFolder ?? throw new InvalidOperationException("PRISM_TEST_PG_BIN is not set."), "pg_ctl");
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Environment.UserName == "root")
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", pgCtl })
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = pgCtl;
        }
        string[] common = ["-D", DataFolder!, "-w", "-s"];
        if (arguments.Length > 0 && arguments[0] is "start" or "restart")
        {
            // Without a log file the server would inherit pg_ctl's redirected output and this would never end.
            common = [.. common, "-l", Path.Combine(Path.GetDirectoryName(DataFolder!)!, "postgres.log")];
        }
        foreach (var a in arguments.Concat(common))
        {
            start.ArgumentList.Add(a);
        }
        start.WorkingDirectory = Path.GetDirectoryName(DataFolder!)!;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {stdout.Result}{stderr}");
        }
    }

    private static string? Env(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
