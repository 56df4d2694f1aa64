using System.Net.Sockets;
using Npgsql;
using PrismConfig.Core.Display;

namespace PrismConfig.Core.Engines.Postgres;

/// <summary>
/// The one place PostgreSQL and Npgsql errors become Core's typed exceptions. Messages name the store by its masked
/// URI and the server by host:port, with the server's SQLSTATE and short message or the client's own message.
/// </summary>
internal static class PostgresErrors
{
    public static bool IsOurs(Exception ex) => ex is NpgsqlException or TimeoutException or SocketException
        || (ex is InvalidOperationException && ex.Source == "Npgsql");

    public static PrismConfigException Translate(Exception ex, PostgresConnectionInfo info, TimeSpan busyTimeout)
    {
        if (ex is PrismConfigException prism) return prism;
        if (ex is PostgresException pg)
        {
            return pg.SqlState switch
            {
                // invalid_password, invalid_authorization_specification
                "28P01" or "28000" => new StoreAuthFailedException(info.Display, UserOf(info), Describe(pg) + "." + PassFileNote(info), pg),
                // invalid_catalog_name: the database does not exist
                "3D000" => new StorePathException(info.Display, "DatabaseNotFound",
                    $"The PostgreSQL database '{info.Database}' does not exist on {info.Server}. Create it (createdb {info.Database}, or CREATE DATABASE), then run Initialize-PrismConfig -Database '{StoreLocator.ForCommand(info.Display)}'.", pg),
                // lock_not_available, deadlock_detected, serialization_failure
                "55P03" or "40P01" or "40001" => new StoreBusyException(info.Display, busyTimeout, pg),
                // insufficient_privilege
                "42501" => new StorePermissionException(info.Display, $"the PostgreSQL user may not do this ({Describe(pg)}). Grant it the rights on the PrismConfig tables, or use another user.", pg),
                // undefined_table, undefined_column, undefined_function: not (or no longer) our schema
                "42P01" or "42703" or "42883" => new StoreCorruptException(info.Display, $"the database lacks part of the PrismConfig schema ({Describe(pg)}).", pg),
                // disk_full, out_of_memory, too_many_connections, cannot_connect_now, admin/crash shutdown
                "53100" or "53200" => new StoreErrorException(info.Display, $"the server is out of resources ({Describe(pg)}). Nothing was written.", pg),
                "53300" or "57P01" or "57P02" or "57P03" => new StoreUnavailableException(info.Display, info.Server, Describe(pg) + ".", pg),
                _ when pg.SqlState.StartsWith("08", StringComparison.Ordinal) => new StoreUnavailableException(info.Display, info.Server, Describe(pg) + ".", pg),
                _ => new StoreErrorException(info.Display, $"PostgreSQL failed with {Describe(pg)}. Nothing was written.", pg),
            };
        }
        var cause = Innermost(ex);
        var detail = cause switch
        {
            SocketException s when s.SocketErrorCode == SocketError.ConnectionRefused => "the connection was refused (is the server running and listening there?).",
            SocketException s when s.SocketErrorCode == SocketError.HostNotFound => "the host name is not known.",
            SocketException s => $"the network failed ({s.SocketErrorCode}).",
            TimeoutException => "the connection timed out.",
            IOException or EndOfStreamException => "the connection was lost.",
            _ => null,
        };
        if (detail is not null || ex is NpgsqlException { IsTransient: true })
        {
            return new StoreUnavailableException(info.Display, info.Server, detail ?? "the connection failed.", ex);
        }
        if (ex is NpgsqlException && ex.Message.StartsWith("No password has been provided", StringComparison.Ordinal))
        {
            return new StoreAuthFailedException(info.Display, UserOf(info), "the server asks for a password, and none was given." + PassFileNote(info), ex);
        }
        return new StoreErrorException(info.Display, $"the PostgreSQL client failed: {ClientMessage(ex, cause)} Nothing was written.", ex);
    }

    /// <summary>
    /// Npgsql's own message (an SSL refusal, a handshake failure), and its innermost cause's when that says more:
    /// without them the error says only that something failed. Masked, in case a message ever quotes a URI.
    /// </summary>
    private static string ClientMessage(Exception ex, Exception cause)
    {
        var text = ReferenceEquals(cause, ex) || ex.Message.Contains(cause.Message, StringComparison.Ordinal)
            ? ex.Message
            : $"{ex.Message.TrimEnd('.')}: {cause.Message}";
        text = SecretMasker.MaskText(StoreLocator.MaskUri(text.Trim()));
        return text.EndsWith('.') ? text : text + ".";
    }

    /// <summary>True for a failure of the connection itself, after which a read may be retried on a fresh one.</summary>
    public static bool IsBrokenConnection(Exception ex) =>
        ex is NpgsqlException and not PostgresException && Innermost(ex) is IOException or EndOfStreamException or SocketException
        || ex is PostgresException { SqlState: "57P01" or "57P02" or "57P03" };

    private static Exception Innermost(Exception ex)
    {
        var e = ex;
        while (e.InnerException is { } inner && e is not SocketException)
        {
            e = inner;
        }
        return e;
    }

    /// <summary>A refusal after the pgpass file was passed over is most likely that; the user must hear it with the error.</summary>
    private static string PassFileNote(PostgresConnectionInfo info) => info.PassFileWarning is { } warning ? " " + warning : "";

    private static string UserOf(PostgresConnectionInfo info) =>
        new NpgsqlConnectionStringBuilder(info.ConnectionString).Username ?? "";

    /// <summary>The SQLSTATE and the server's short message, which names objects but never a parameter value.</summary>
    private static string Describe(PostgresException pg) => $"{pg.SqlState}: {pg.MessageText}";
}
