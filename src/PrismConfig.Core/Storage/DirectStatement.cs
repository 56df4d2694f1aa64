using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PrismConfig.Core.Storage;

/// <summary>
/// A prepared write statement of the hot write path (namespace, feature and history inserts), bound by position
/// and stepped directly through SQLitePCL, the layer under Microsoft.Data.Sqlite. A SqliteCommand looks every
/// parameter up by name and builds a data reader on each execution; in a 10,000-namespace import that was about
/// a third of the time spent in SQL. Parameter positions are resolved once, here. Errors are raised as the
/// SqliteException Microsoft.Data.Sqlite would raise, so the one translation in SqliteConnectionFactory applies.
/// </summary>
internal sealed class DirectStatement : IDisposable
{
    private const uint PreparePersistent = 0x01;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _positions;
    private byte[] _utf8 = new byte[1024];

    /// <param name="connection">An open connection; the statement must be disposed before it is closed.</param>
    /// <param name="sql">The SQL, with named parameters.</param>
    /// <param name="parameters">The parameter names; the binding methods take an index into this list.</param>
    public DirectStatement(SqliteConnection connection, string sql, params string[] parameters)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v3(_db, sql, PreparePersistent, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
        _positions = new int[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            _positions[i] = raw.sqlite3_bind_parameter_index(_statement, parameters[i]);
            if (_positions[i] == 0)
            {
                _statement.Dispose();
                throw new ArgumentException($"The SQL has no parameter {parameters[i]}.", nameof(parameters));
            }
        }
    }

    public void Bind(int parameter, string? value)
    {
        if (value is null)
        {
            BindNull(parameter);
            return;
        }
        // SQLITE_TRANSIENT: SQLite copies the bytes at once, so one buffer serves every text parameter.
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
        }
        var written = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(_statement, _positions[parameter], _utf8.AsSpan(0, written)));
        if (_utf8.Length > 64 * 1024)
        {
            // One large config must not keep a large buffer for the store's lifetime.
            _utf8 = new byte[1024];
        }
    }

    /// <summary>Binds text already encoded as UTF-8.</summary>
    public void BindUtf8(int parameter, ReadOnlySpan<byte> value) =>
        Check(raw.sqlite3_bind_text(_statement, _positions[parameter], value));

    public void Bind(int parameter, long value) => Check(raw.sqlite3_bind_int64(_statement, _positions[parameter], value));

    public void Bind(int parameter, long? value)
    {
        if (value is { } v) Bind(parameter, v);
        else BindNull(parameter);
    }

    public void BindNull(int parameter) => Check(raw.sqlite3_bind_null(_statement, _positions[parameter]));

    /// <summary>Runs the statement to completion and readies it for the next use.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        while (rc == raw.SQLITE_ROW)
        {
            rc = raw.sqlite3_step(_statement);
        }
        if (rc != raw.SQLITE_DONE)
        {
            try
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
            finally
            {
                raw.sqlite3_reset(_statement);
            }
        }
        raw.sqlite3_reset(_statement);
    }

    /// <summary>Runs an INSERT and returns the new row's rowid (rows a trigger inserts do not count).</summary>
    public long Insert()
    {
        Execute();
        return raw.sqlite3_last_insert_rowid(_db);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    public void Dispose() => _statement.Dispose();
}
