using System.Globalization;
using Npgsql;

namespace PrismConfig.Core.Engines.Postgres;

/// <summary>
/// A <c>postgresql://</c> (or <c>postgres://</c>) URI with libpq's parameters, its parts split as RFC 3986 says (see
/// <see cref="StoreLocator.AuthorityEnd"/>), turned into an Npgsql connection string.
/// The password comes from the URI, else PGPASSWORD, else the pgpass file (PGPASSFILE, or ~/.pgpass), as with psql.
/// Nothing here ever appears in a message except <see cref="Display"/> and <see cref="Server"/>, which hold no password.
/// </summary>
internal sealed class PostgresConnectionInfo
{
    private PostgresConnectionInfo(string connectionString, string display, string server, string database, string identity, string? passFileWarning)
    {
        ConnectionString = connectionString;
        Display = display;
        Server = server;
        Database = database;
        Identity = identity;
        PassFileWarning = passFileWarning;
    }

    /// <summary>
    /// Why the pgpass file was not read (it has group or world access), naming the file and the fix; null when it was
    /// read or there is none. Never any of its content.
    /// </summary>
    public string? PassFileWarning { get; }

    /// <summary>
    /// Which store this is however the URI is spelled (postgres:// or postgresql://, the host's case, a password in
    /// it or not, connection settings such as sslmode): user, hosts, port, database and options. The user and the
    /// options stay in, because either can set the search_path, and so which tables the store is.
    /// </summary>
    public string Identity { get; }

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
        // The authority ends at the first '/', '?' or '#' (RFC 3986); its user-info at its last '@', so a raw '@' or
        // ':' in a password still reads, but a raw '/', '?' or '#' must be %-escaped.
        var authorityEnd = StoreLocator.AuthorityEnd(rest);
        if (StoreLocator.StrayAt(rest, authorityEnd))
        {
            // Read on, the host would be the user name and the port, database or a parameter's name part of the
            // password, and each would be shown in some message.
            throw Invalid(display, "an '@' comes after the host, outside a parameter's value. Write a '/', '?' or '#' in a user name or password as %2F, %3F or %23, and an '@' in a database name as %40, or give the password in PGPASSWORD or a pgpass file.");
        }
        var authority = rest[..authorityEnd];
        var tail = rest[authorityEnd..];
        string? user = null;
        string? password = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Decode(colon >= 0 ? userInfo[..colon] : userInfo, display);
            if (colon >= 0) password = Decode(userInfo[(colon + 1)..], display);
        }
        string? query = null;
        var q = tail.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = tail[(q + 1)..];
            tail = tail[..q];
        }
        var path = tail.StartsWith('/') ? tail[1..] : null;
        if (tail.Length > 0 && path is null)
        {
            throw Invalid(display, "a '#' follows the host. Write a '#' in a password as %23.");
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
        foreach (var part in authority.Split(',', StringSplitOptions.RemoveEmptyEntries))
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
        string? passFileWarning = null;
        if (password is null)
        {
            password = Environment.GetEnvironmentVariable("PGPASSWORD");
            if (password is null && (builder.Passfile ?? PassFile()) is { } file)
            {
                if (OpenToOthers(file))
                {
                    passFileWarning = $"The password file '{file}' has group or world access, so it was not read (libpq refuses such a file too); permissions should be u=rw (0600) or less. Run chmod 600 '{file}'.";
                    // Npgsql reads PGPASSFILE or ~/.pgpass by itself when no file is named: naming an empty one is
                    // what keeps it from using the file libpq refuses.
                    file = "/dev/null";
                }
                builder.Passfile = file;
            }
        }
        if (password is not null) builder.Password = password;

        var server = builder.Host.Contains(',', StringComparison.Ordinal) || builder.Host.StartsWith('/')
            ? builder.Host
            : string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}");
        var identity = string.Create(CultureInfo.InvariantCulture,
            $"postgresql://{builder.Username}@{builder.Host.ToLowerInvariant()}:{builder.Port}/{builder.Database}?options={builder.Options}");
        return new PostgresConnectionInfo(builder.ConnectionString, display, server, builder.Database, identity, passFileWarning);
    }

    /// <summary>
    /// libpq's rule: a password file any group or other user may read, write or execute is not used. Windows has no
    /// such mode bits, and libpq does not check there either.
    /// </summary>
    private static bool OpenToOthers(string file)
    {
        if (OperatingSystem.IsWindows()) return false;
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        try
        {
            return (File.GetUnixFileMode(file) & others) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Missing or unreadable: Npgsql finds no password in it, and the server's refusal says what is wrong.
            return false;
        }
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
            if (close < 0) return null;
            var host = hostPort[1..close];
            var after = hostPort[(close + 1)..];
            if (after.Length == 0) return (host, 5432);
            return after.StartsWith(':') && int.TryParse(after[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
                ? (host, p) : null;
        }
        var colon = hostPort.LastIndexOf(':');
        if (colon > 0 && int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return port is >= 1 and <= 65535 ? (hostPort[..colon], port) : null;
        }
        return colon < 0 ? (hostPort, 5432) : null;
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
