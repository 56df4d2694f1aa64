using System.Globalization;
using Npgsql;

namespace PrismConfig.Core.Engines.Postgres;

/// <summary>
/// A <c>postgresql://</c> (or <c>postgres://</c>) URI, as libpq reads it, turned into an Npgsql connection string.
/// The password comes from the URI, else PGPASSWORD, else the pgpass file (PGPASSFILE, or ~/.pgpass), as with psql.
/// Nothing here ever appears in a message except <see cref="Display"/> and <see cref="Server"/>, which hold no password.
/// </summary>
internal sealed class PostgresConnectionInfo
{
    private PostgresConnectionInfo(string connectionString, string display, string server, string database)
    {
        ConnectionString = connectionString;
        Display = display;
        Server = server;
        Database = database;
    }

    /// <summary>The Npgsql connection string; it may hold a password, so it is never shown.</summary>
    public string ConnectionString { get; }

    /// <summary>The URI with its password masked.</summary>
    public string Display { get; }

    /// <summary>host:port, for "cannot reach" messages.</summary>
    public string Server { get; }

    public string Database { get; }

    public static PostgresConnectionInfo Parse(string uri, string display)
    {
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        var rest = uri[(schemeEnd + 3)..];
        string? query = null;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }
        string? path = null;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }
        string? user = null;
        string? password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Decode(colon >= 0 ? userInfo[..colon] : userInfo, display);
            if (colon >= 0) password = Decode(userInfo[(colon + 1)..], display);
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            ApplicationName = "PrismConfig",
            // Our commands never change session state outside a transaction (locks and timeouts are SET LOCAL), so a
            // pooled connection needs no reset, and it keeps its prepared statements.
            NoResetOnClose = true,
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            Timeout = 10,
            Enlist = false,
            IncludeErrorDetail = false,
        };
        var hosts = new List<string>();
        foreach (var part in rest.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            hosts.Add(Decode(part, display));
        }
        if (hosts.Count == 1 && SplitPort(hosts[0]) is (var host, var port))
        {
            builder.Host = host;
            builder.Port = port;
        }
        else if (hosts.Count > 0)
        {
            builder.Host = string.Join(',', hosts);
        }
        if (!string.IsNullOrEmpty(path)) builder.Database = Decode(path, display);
        if (!string.IsNullOrEmpty(user)) builder.Username = user;

        foreach (var pair in (query ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq >= 0 ? pair[..eq] : pair, display);
            var value = eq >= 0 ? Decode(pair[(eq + 1)..], display) : "";
            switch (key)
            {
                case "password": password = value; break;
                case "user": builder.Username = value; break;
                case "dbname": builder.Database = value; break;
                case "host": builder.Host = value; break;
                case "port": builder.Port = Number(key, value, display); break;
                case "sslmode": builder.SslMode = SslMode(value, display); break;
                case "sslrootcert": builder.RootCertificate = value; break;
                case "sslcert": builder.SslCertificate = value; break;
                case "sslkey": builder.SslKey = value; break;
                case "connect_timeout": builder.Timeout = Math.Max(1, Number(key, value, display)); break;
                case "application_name": builder.ApplicationName = value; break;
                case "options": builder.Options = value; break;
                case "target_session_attrs": builder.TargetSessionAttributes = value; break;
                case "passfile": builder.Passfile = value; break;
                default:
                    throw Invalid(display, $"the parameter '{key}' is not one PrismConfig understands. Use sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name, options, target_session_attrs, passfile, user, password, host, port or dbname.");
            }
        }

        builder.Host ??= Environment.GetEnvironmentVariable("PGHOST") ?? "localhost";
        builder.Username ??= Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName;
        builder.Database ??= Environment.GetEnvironmentVariable("PGDATABASE") ?? builder.Username;
        if (password is null)
        {
            password = Environment.GetEnvironmentVariable("PGPASSWORD");
            if (password is null && builder.Passfile is null && PassFile() is { } file)
            {
                builder.Passfile = file;
            }
        }
        if (password is not null) builder.Password = password;

        var server = builder.Host.Contains(',', StringComparison.Ordinal) || builder.Host.StartsWith('/')
            ? builder.Host
            : string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}");
        return new PostgresConnectionInfo(builder.ConnectionString, display, server, builder.Database);
    }

    /// <summary>The pgpass file libpq would read: PGPASSFILE, else ~/.pgpass (%APPDATA%\postgresql\pgpass.conf on Windows).</summary>
    private static string? PassFile()
    {
        var file = Environment.GetEnvironmentVariable("PGPASSFILE");
        if (string.IsNullOrEmpty(file))
        {
            file = OperatingSystem.IsWindows()
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "postgresql", "pgpass.conf")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pgpass");
        }
        return File.Exists(file) ? file : null;
    }

    private static (string Host, int Port)? SplitPort(string hostPort)
    {
        // [::1]:5432, host:5432, host
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) return (hostPort, 5432);
            var host = hostPort[1..close];
            var after = hostPort[(close + 1)..];
            return after.StartsWith(':') && int.TryParse(after[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? (host, p) : (host, 5432);
        }
        var colon = hostPort.LastIndexOf(':');
        if (colon > 0 && int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (hostPort[..colon], port);
        }
        return colon < 0 ? (hostPort, 5432) : null;
    }

    private static string Decode(string text, string display)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            throw Invalid(display, "it has a malformed %-escape.");
        }
    }

    private static int Number(string key, string value, string display) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw Invalid(display, $"the parameter '{key}' must be a whole number, not '{value}'.");

    private static SslMode SslMode(string value, string display) => value switch
    {
        "disable" => Npgsql.SslMode.Disable,
        "allow" => Npgsql.SslMode.Allow,
        "prefer" => Npgsql.SslMode.Prefer,
        "require" => Npgsql.SslMode.Require,
        "verify-ca" => Npgsql.SslMode.VerifyCA,
        "verify-full" => Npgsql.SslMode.VerifyFull,
        _ => throw Invalid(display, $"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full."),
    };

    private static StorePathException Invalid(string display, string why) =>
        new(display, "StoreLocatorInvalid", $"The PostgreSQL locator '{display}' cannot be used: {why}");
}
