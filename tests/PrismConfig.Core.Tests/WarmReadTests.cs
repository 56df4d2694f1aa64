using PrismConfig.Core.Engines.Sqlite;

namespace PrismConfig.Core.Tests;

/// <summary>
/// The SQLite engine serves some reads from its write connection, whose page cache survives its own commits. Such
/// a read must never see a write transaction's uncommitted rows, nor wait for one.
/// </summary>
public sealed class WarmReadTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SqliteEngine _engine;

    public WarmReadTests()
    {
        using (var store = T.OpenNew(_dir.Db))
        {
            store.Create(T.Ns("warm-ns"));
        }
        _engine = SqliteEngine.Open(_dir.Db, new StoreOptions());
    }

    public void Dispose()
    {
        _engine.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_read_inside_this_threads_own_write_transaction_sees_only_committed_rows()
    {
        using (var scope = _engine.BeginWrite())
        {
            var row = scope.ReadNamespace("warm-ns")!;
            scope.RenameNamespace(row.Id, "renamed-ns");
            Assert.NotNull(scope.ReadNamespace("renamed-ns"));

            Assert.NotNull(_engine.ReadNamespace("warm-ns"));
            Assert.Null(_engine.ReadNamespace("renamed-ns"));
        }
        Assert.NotNull(_engine.ReadNamespace("warm-ns"));
        Assert.Null(_engine.ReadNamespace("renamed-ns"));
    }

    [Fact]
    public void A_read_on_another_thread_during_a_write_neither_waits_nor_sees_it()
    {
        using var scope = _engine.BeginWrite();
        var row = scope.ReadNamespace("warm-ns")!;
        scope.RenameNamespace(row.Id, "renamed-ns");
        (bool Kept, bool Renamed, int Registry) seen = default;
        var reader = new Thread(() => seen = (_engine.ReadNamespace("warm-ns") is not null, _engine.ReadNamespace("renamed-ns") is not null, _engine.ReadRegistry().Count));
        reader.Start();
        Assert.True(reader.Join(TimeSpan.FromSeconds(30)), "a read waited for another thread's write transaction");
        Assert.True(seen.Kept);
        Assert.False(seen.Renamed);
        Assert.Equal(0, seen.Registry);
    }

    [Fact]
    public void A_read_after_this_engines_commit_and_after_another_process_commit_sees_each()
    {
        using (var scope = _engine.BeginWrite())
        {
            var row = scope.ReadNamespace("warm-ns")!;
            scope.RenameNamespace(row.Id, "renamed-ns");
            scope.Commit();
        }
        Assert.NotNull(_engine.ReadNamespace("renamed-ns"));

        using (var other = T.Raw(_dir.Db))
        {
            T.Exec(other, "UPDATE namespaces SET description = 'from elsewhere', version = version + 1 WHERE name = 'renamed-ns'");
        }
        Assert.Equal("from elsewhere", _engine.ReadNamespace("renamed-ns")!.Description);
    }
}
