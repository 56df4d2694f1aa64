using System.Text.RegularExpressions;

namespace PrismConfig.Core;

/// <summary>Which engine a locator names.</summary>
public enum StoreKind
{
    /// <summary>A SQLite file: a plain path, or <c>sqlite:///path</c> (Prism's own URN form, ADR-054).</summary>
    Sqlite,
    /// <summary>A PostgreSQL database: <c>postgresql://user@host:5432/db</c> or <c>postgres://…</c>.</summary>
    Postgres,
}

/// <summary>
/// Where a store lives, as the user wrote it in -Database or $env:PRISM_CONFIG_DB, parsed once. A locator never
/// shows a password: <see cref="Display"/> masks one given in a URI, and is what every message uses.
/// </summary>
public sealed partial class StoreLocator : IEquatable<StoreLocator>
{
    private StoreLocator(StoreKind kind, string value, string display)
    {
        Kind = kind;
        Value = value;
        Display = display;
    }

    public StoreKind Kind { get; }

    /// <summary>For SQLite, the full path of the file; for PostgreSQL, the URI as given (it may hold a password).</summary>
    internal string Value { get; }

    /// <summary>For SQLite, the full path of the database file; null for other engines.</summary>
    public string? FilePath => Kind == StoreKind.Sqlite ? Value : null;

    /// <summary>The locator as it may be shown: a path, or a URI whose password is replaced by ********.</summary>
    public string Display { get; }

    /// <summary>
    /// Parses a locator. A path, or the path of a <c>sqlite://</c> URI, goes through <paramref name="resolvePath"/>
    /// when given (PowerShell resolves ~, drives and relative paths against $PWD), else the process's current directory.
    /// </summary>
    public static StoreLocator Parse(string text, Func<string, string>? resolvePath = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new StorePathException(text, "StorePathInvalid", "The store locator is blank. Give a file path, sqlite:///path/config.db, or postgresql://user@host:5432/dbname.");
        }
        var scheme = SchemeRegex().Match(text);
        if (scheme.Success)
        {
            var name = scheme.Groups["scheme"].Value.ToLowerInvariant();
            if (name is "postgresql" or "postgres")
            {
                return new StoreLocator(StoreKind.Postgres, text, MaskUri(text));
            }
            if (name == "sqlite")
            {
                var path = Uri.UnescapeDataString(text[scheme.Length..]);
                // sqlite:///C:/dir/config.db names a Windows drive: the slash before it belongs to the URI.
                if (path.Length >= 3 && path[0] == '/' && char.IsAsciiLetter(path[1]) && path[2] == ':')
                {
                    path = path[1..];
                }
                if (path.Length == 0)
                {
                    throw new StorePathException(text, "StorePathInvalid", $"'{text}' names no file. Write sqlite:///absolute/path/config.db, or a plain path.");
                }
                return File(path, resolvePath);
            }
            throw new StorePathException(MaskUri(text), "StoreLocatorInvalid",
                $"'{MaskUri(text)}' is not a store PrismConfig knows. Give a file path, sqlite:///path/config.db, or postgresql://user@host:5432/dbname.");
        }
        // A URI with a stray space or quote around it, or a scheme written without '://', would otherwise be taken
        // for a relative file path, and a file named after it (password and all) created or echoed.
        if (SchemeRegex().IsMatch(text.Trim().Trim('"', '\'')))
        {
            throw new StorePathException(MaskUri(text), "StoreLocatorInvalid",
                $"'{MaskUri(text)}' has spaces or quotes around it. Give the locator without them.");
        }
        if (NearSchemeRegex().IsMatch(text) || MissingScheme(text))
        {
            throw new StorePathException(MaskUri(text), "StoreLocatorInvalid",
                $"'{MaskUri(text)}' is not a well-formed locator. Write postgresql://user@host:5432/dbname or sqlite:///path/config.db, with '://' after the scheme.");
        }
        return File(text, resolvePath);
    }

    /// <summary>A SQLite file locator for a path.</summary>
    public static StoreLocator ForFile(string path) => File(path, null);

    private static StoreLocator File(string path, Func<string, string>? resolvePath)
    {
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(resolvePath is null ? path : resolvePath(path));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StorePathException(MaskUri(path), "StorePathInvalid", $"'{MaskUri(path)}' is not a valid file path: {ex.Message}", ex);
        }
        return new StoreLocator(StoreKind.Sqlite, full, full);
    }

    /// <summary>
    /// The text with every password replaced by ********: the one in a URI's user-info and any <c>password=</c>
    /// query parameter (its name %-escaped or not), up to the next '&amp;'. The scheme is optional, so a locator too
    /// malformed to parse (<c>user:pw@host/db</c>, <c>postgresql ://…</c>) is masked too. Other text is unchanged.
    /// </summary>
    /// <remarks>
    /// The user-info is the authority's, up to its last '@'. When an '@' comes later outside a known parameter's value,
    /// the password held a raw '/', '?' or '#' (such a URI is refused), and everything up to the last '@' is masked.
    /// </remarks>
    public static string MaskUri(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scheme = LeadingSchemeRegex().Match(text);
        var start = scheme.Success ? scheme.Length : 0;
        var rest = text[start..];
        var authorityEnd = AuthorityEnd(rest);
        var at = StrayAt(rest, authorityEnd) ? rest.LastIndexOf('@') : rest.LastIndexOf('@', Math.Max(0, authorityEnd - 1), authorityEnd);
        var masked = text;
        if (at > 0)
        {
            var colon = rest.IndexOf(':', 0, at);
            if (colon >= 0)
            {
                masked = string.Concat(text.AsSpan(0, start + colon + 1), "********", text.AsSpan(start + at));
            }
        }
        return MaskPasswordParameters(masked);
    }

    /// <summary>The libpq parameters PrismConfig reads from a URI's query; an '@' may appear in their values.</summary>
    internal static readonly string[] PostgresParameters =
        ["sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "options", "target_session_attrs", "passfile", "user", "password", "host", "port", "dbname"];

    /// <summary>After "scheme://": the authority (user-info and hosts) ends at the first '/', '?' or '#'.</summary>
    internal static int AuthorityEnd(string rest) => rest.IndexOfAny(['/', '?', '#']) is var i and >= 0 ? i : rest.Length;

    /// <summary>
    /// True when an '@' after the authority is anything but part of a known query parameter's value: the sign of a
    /// user name or password holding a raw '/', '?' or '#', whose pieces would otherwise be read as host, port,
    /// database or parameter names, and shown in messages.
    /// </summary>
    internal static bool StrayAt(string rest, int authorityEnd)
    {
        var tail = rest.AsSpan(authorityEnd);
        var q = tail.IndexOf('?');
        if ((q >= 0 ? tail[..q] : tail).Contains('@')) return true;
        if (q < 0) return false;
        foreach (var pair in tail[(q + 1)..].ToString().Split('&'))
        {
            var at = pair.IndexOf('@');
            if (at < 0) continue;
            var eq = pair.IndexOf('=');
            if (eq < 0 || at < eq || !PostgresParameters.Contains(UnescapeLeniently(pair[..eq]))) return true;
        }
        return false;
    }

    private static string MaskPasswordParameters(string text)
    {
        var q = text.IndexOf('?');
        if (q < 0) return text;
        var pairs = text[(q + 1)..].Split('&');
        for (var i = 0; i < pairs.Length; i++)
        {
            var eq = pairs[i].IndexOf('=');
            if (eq > 0 && string.Equals(UnescapeLeniently(pairs[i][..eq]), "password", StringComparison.OrdinalIgnoreCase))
            {
                pairs[i] = pairs[i][..(eq + 1)] + "********";
            }
        }
        return text[..(q + 1)] + string.Join('&', pairs);
    }

    private static string UnescapeLeniently(string text)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }

    /// <summary>
    /// A masked locator as it may be pasted into a suggested command: without the masked password, which would
    /// otherwise be sent as the password "********". The password then comes from PGPASSWORD or a pgpass file.
    /// </summary>
    public static string ForCommand(string display)
    {
        ArgumentNullException.ThrowIfNull(display);
        var text = display.Replace(":********@", "@", StringComparison.Ordinal);
        text = text.Replace("&password=********", "", StringComparison.Ordinal);
        text = text.Replace("?password=********&", "?", StringComparison.Ordinal);
        return text.Replace("?password=********", "", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]+)://", RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    /// <summary>
    /// A scheme and its colon and slashes, after any leading space or quote: where a URI's user-info begins. At least
    /// one slash, or user:password@host would read as a scheme "user".
    /// </summary>
    [GeneratedRegex(@"^[\s""']*[a-zA-Z][a-zA-Z0-9+.-]+:/+", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingSchemeRegex();

    /// <summary>
    /// One of our schemes, but not followed by '://': postgresql:/host, postgres//host, sqlite:path, "postgresql ://",
    /// postgresql;//. Not a folder called sqlite or a file called postgres.db.
    /// </summary>
    [GeneratedRegex(@"^[\s""']*(postgresql|postgres|sqlite)(\s|;|,|:(?!//)|//)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NearSchemeRegex();

    /// <summary>
    /// user:password@host…, a PostgreSQL URI without its scheme. Not a PSDrive path (Temp:/x@y), and on Windows not
    /// a drive letter (C:dir\x@y).
    /// </summary>
    private static bool MissingScheme(string text)
    {
        var colon = text.IndexOf(':');
        var at = text.IndexOf('@');
        return colon >= (OperatingSystem.IsWindows() ? 2 : 1) && at > colon + 1 && text.IndexOfAny(['/', '\\', ' '], 0, colon) < 0
            && text[colon + 1] is not ('/' or '\\');
    }

    /// <summary>
    /// True when two locators, as written (a replica records its source's masked locator), name the same store: for
    /// SQLite the same full path, for PostgreSQL the same identity (user, hosts, port, database and options), whatever
    /// the password or the spelling.
    /// </summary>
    internal static bool SameStore(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal)) return true;
        try
        {
            var (x, y) = (Parse(a), Parse(b));
            return x.Kind == y.Kind && (x.Kind == StoreKind.Sqlite
                ? x.Equals(y)
                : Engines.Postgres.PostgresConnectionInfo.Parse(x.Value, x.Display).Identity == Engines.Postgres.PostgresConnectionInfo.Parse(y.Value, y.Display).Identity);
        }
        catch (PrismConfigException)
        {
            return false;
        }
    }

    public bool Equals(StoreLocator? other) =>
        other is not null && Kind == other.Kind && string.Equals(Value, other.Value, Kind == StoreKind.Sqlite && !OperatingSystem.IsLinux() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as StoreLocator);

    public override int GetHashCode() =>
        HashCode.Combine(Kind, Kind == StoreKind.Sqlite && !OperatingSystem.IsLinux() ? Value.ToUpperInvariant() : Value);

    public override string ToString() => Display;
}
