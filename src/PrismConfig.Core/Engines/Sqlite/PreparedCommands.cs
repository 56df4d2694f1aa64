using Microsoft.Data.Sqlite;

namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>
/// Commands on one connection compiled once, by their SQL text. The reads every write plans with (the registry, the
/// replica check) would otherwise be parsed and planned again after each commit. Callers hold the connection's lock.
/// </summary>
internal sealed class PreparedCommands(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The prepared command for <paramref name="sql"/>, which takes no parameters.</summary>
    public SqliteCommand Get(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            command.Prepare();
            _commands[sql] = command;
        }
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
    }
}
