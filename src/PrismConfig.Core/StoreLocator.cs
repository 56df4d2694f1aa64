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
            throw new StorePathException(path, "StorePathInvalid", $"'{path}' is not a valid file path: {ex.Message}", ex);
        }
        return new StoreLocator(StoreKind.Sqlite, full, full);
    }

    /// <summary>
    /// A URI with every password replaced by ********: the one in its user-info (everything between the first ':'
    /// after the scheme and the last '@', whatever characters it holds) and any <c>password=</c> query parameter.
    /// Other text is unchanged.
    /// </summary>
    public static string MaskUri(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var masked = text;
        var start = masked.IndexOf("://", StringComparison.Ordinal);
        var at = masked.LastIndexOf('@');
        if (start > 0 && at > start)
        {
            var colon = masked.IndexOf(':', start + 3);
            if (colon > 0 && colon < at)
            {
                masked = string.Concat(masked.AsSpan(0, colon + 1), "********", masked.AsSpan(at));
            }
        }
        return PasswordParameterRegex().Replace(masked, m => m.Groups["key"].Value + "********");
    }

    [GeneratedRegex(@"(?<key>[?&]password=)[^&#]*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PasswordParameterRegex();

    [GeneratedRegex(@"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]+)://", RegexOptions.CultureInvariant)]
    private static partial Regex SchemeRegex();

    public bool Equals(StoreLocator? other) =>
        other is not null && Kind == other.Kind && string.Equals(Value, other.Value, Kind == StoreKind.Sqlite && !OperatingSystem.IsLinux() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as StoreLocator);

    public override int GetHashCode() =>
        HashCode.Combine(Kind, Kind == StoreKind.Sqlite && !OperatingSystem.IsLinux() ? Value.ToUpperInvariant() : Value);

    public override string ToString() => Display;
}
