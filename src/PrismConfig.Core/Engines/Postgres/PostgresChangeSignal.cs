using Npgsql;

namespace PrismConfig.Core.Engines.Postgres;

/// <summary>
/// LISTEN prism_config on a connection of its own, outside the pool (a pooled connection would keep listening for
/// whoever takes it next). Every commit's NOTIFY rings it. A broken connection rings too, and the next wait listens
/// again on a new one: the caller reads by revision after every ring, so nothing committed meanwhile is missed.
/// </summary>
internal sealed class PostgresChangeSignal : IChangeSignal
{
    private readonly string _connectionString;
    private readonly Func<Exception, PrismConfigException> _translate;
    private NpgsqlConnection? _connection;
    private volatile bool _rang;

    public PostgresChangeSignal(PostgresConnectionInfo info, Func<Exception, PrismConfigException> translate)
    {
        _connectionString = new NpgsqlConnectionStringBuilder(info.ConnectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString;
        _translate = translate;
        Listen();
    }

    public bool Wait(TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (_connection is null)
        {
            // The server was unreachable when the last wait lost its connection: listen again (or fail, naming the
            // server), and ring, since a commit may have gone unheard.
            Listen();
            return true;
        }
        while (!cancellation.IsCancellationRequested)
        {
            if (_rang)
            {
                _rang = false;
                return true;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            // Short slices, so Ctrl+C ends a wait promptly.
            var slice = left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200);
            try
            {
                _connection.Wait((int)Math.Max(1, slice.TotalMilliseconds));
            }
            catch (Exception ex) when (PostgresErrors.IsOurs(ex) || ex is ObjectDisposedException or InvalidOperationException)
            {
                // Listen again at once, so the commits after the caller's next read are heard; ring, since a commit
                // may have gone unheard while the connection was down.
                Drop();
                try
                {
                    Listen();
                }
                catch (PrismConfigException)
                {
                    // Still down: the next wait tries again, and reports it if it still cannot connect.
                }
                return true;
            }
        }
        return false;
    }

    private void Listen()
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            connection.Notification += (_, _) => _rang = true;
            connection.Open();
            using var listen = new NpgsqlCommand("LISTEN prism_config", connection);
            listen.ExecuteNonQuery();
            _connection = connection;
        }
        catch (Exception ex) when (PostgresErrors.IsOurs(ex))
        {
            connection.Dispose();
            throw _translate(ex);
        }
    }

    private void Drop()
    {
        var connection = _connection;
        _connection = null;
        connection?.Dispose();
    }

    public void Dispose() => Drop();
}
