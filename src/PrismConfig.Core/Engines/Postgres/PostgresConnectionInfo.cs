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

    /// <summary>
    /// Which database this is, whoever connects and however the URI is spelled (postgres:// or postgresql://, a
    /// password in it or not, its parameters): server and database name.
    /// </summary>
    public string Identity => string.Create(CultureInfo.InvariantCulture, $"postgresql://{Server.ToLowerInvariant()}/{Database}");

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
        // As in libpq, the user-info ends at the last '@' before the first '/': a password may hold ':', '?', '#' or
        // '@', but a '/' in it must be written %2F.
        var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
        var at = (firstSlash >= 0 ? rest[..firstSlash] : rest).LastIndexOf('@');
        if (at < 0 && firstSlash >= 0 && StrayAt(rest, firstSlash))
        {
            // Read on, the host would be the user name and the port part of the password, and both would be shown.
            throw Invalid(display, "an '@' comes after a '/'. Write a '/' in a user name or password as %2F and an '@' in a database name as %40, or give the password in PGPASSWORD or a pgpass file.");
        }
        string? user = null;
        string? password = null;
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Decode(colon >= 0 ? userInfo[..colon] : userInfo, display);
            if (colon >= 0) password = Decode(userInfo[(colon + 1)..], display);
        }
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
            var hostPort = Decode(part, display);
            if (SplitPort(hostPort) is null)
            {
                throw Invalid(display, $"the port of '{hostPort}' is not a number from 1 to 65535.");
            }
            hosts.Add(hostPort);
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
            try
            {
                switch (key)
                {
                    case "password": password = value; break;
                    case "user": builder.Username = value; break;
                    case "dbname": builder.Database = value; break;
                    case "host": builder.Host = value; break;
                    case "port": builder.Port = Number(key, value, display) is var n and >= 1 and <= 65535 ? n : throw Invalid(display, $"the port '{value}' is not a number from 1 to 65535."); break;
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
            catch (ArgumentException ex)
            {
                throw Invalid(display, $"the parameter '{key}' cannot be used: {ex.Message}");
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
            return port is >= 1 and <= 65535 ? (hostPort[..colon], port) : null;
        }
        return colon < 0 ? (hostPort, 5432) : null;
    }

    /// <summary>
    /// True when an '@' after the first '/' is not inside a query parameter's value: a user-info that held a raw '/',
    /// which libpq would not read either.
    /// </summary>
    private static bool StrayAt(string rest, int firstSlash)
    {
        var queryStart = rest.IndexOf('?', firstSlash);
        for (var p = rest.IndexOf('@', firstSlash); p >= 0; p = rest.IndexOf('@', p + 1))
        {
            if (queryStart < 0 || p < queryStart) return true;
            var pairStart = rest.LastIndexOf('&', p) is var amp && amp > queryStart ? amp : queryStart;
            if (rest.IndexOf('=', pairStart, p - pairStart) < 0) return true;
        }
        return false;
    }

    private static string Decode(string text, string display)
    {
        // Uri.UnescapeDataString leaves a bad escape as it is; libpq refuses it, and so do we.
        for (var i = text.IndexOf('%'); i >= 0; i = text.IndexOf('%', i + 1))
        {
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                throw Invalid(display, "it has a malformed %-escape: '%' must be followed by two hexadecimal digits (write a '%' itself as %25).");
            }
        }
        return Uri.UnescapeDataString(text);
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
