using System.Collections;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Registry;

namespace PrismConfig.Core.Tests;

/// <summary>
/// A replica (a local SQLite store kept by <see cref="ConfigStore.SyncFrom"/>) against a source on every engine:
/// after each pass it holds exactly the source's rows, history and registry, and only the sync may write it.
/// </summary>
public abstract class ReplicaSyncTests : IDisposable
{
    private readonly EngineUnderTest _engine;
    private readonly TempDir _dir = new();
    private readonly ConfigStore _source;
    private readonly ConfigStore _replica;

    protected ReplicaSyncTests(EngineUnderTest engine)
    {
        _engine = engine;
        _source = engine.OpenNew();
        _replica = T.OpenNew(ReplicaPath);
    }

    private string ReplicaPath => _dir.File("replica.db");

    public void Dispose()
    {
        _replica.Dispose();
        _source.Dispose();
        _engine.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Every row of a store as JSON, from one snapshot: equal strings mean equal stores.</summary>
    private static string Dump(ConfigStore store)
    {
        using var engine = EngineFactory.Open(store.Locator, new StoreOptions());
        var dump = engine.ReadDump();
        return JsonSerializer.Serialize(new
        {
            dump.Revision,
            dump.Epoch,
            Namespaces = dump.Namespaces.OrderBy(n => n.Id).Select(n => JsonSerializer.Serialize(n)),
            Features = dump.Features.OrderBy(f => f.NamespaceId).ThenBy(f => f.Name, StringComparer.Ordinal),
            History = dump.History.OrderBy(h => h.Id),
            Registry = dump.Registry.OrderBy(r => r.Id).Select(r => JsonSerializer.Serialize(r)),
            RegistryHistory = dump.RegistryHistory.OrderBy(r => r.Id).Select(r => JsonSerializer.Serialize(r)),
        });
    }

    private void AssertInStep() => Assert.Equal(Dump(_source), Dump(_replica));

    private static RegistryDocument Doc(string yaml, string file) => Assert.Single(RegistryYaml.Parse(Encoding.UTF8.GetBytes(yaml), file));

    [SkippableFact]
    public void A_new_replica_is_the_source_and_records_it_without_a_password()
    {
        _source.Create(T.Full("orders-cache"));
        _source.Create(T.Ns("users-db", "postgres", "keyvalue", "production"));
        var result = _replica.SyncFrom(_source);

        Assert.True(result.Rebuilt);
        Assert.Equal(0, result.FromRevision);
        Assert.Equal(2, result.Revision);
        AssertInStep();
        var status = _replica.ReadStatus();
        Assert.True(status.IsReplica);
        Assert.Equal(_source.Path, status.Source);
        Assert.Equal(2, status.Revision);
        Assert.Equal(["production"], _replica.Get("users-db").Tags);
        Assert.Equal(true, _replica.Get("orders-cache").Features["shadow_traffic"]);
        Assert.Empty(_replica.CheckHealth().Problems);
    }

    [SkippableFact]
    public void Each_pass_applies_creates_updates_renames_removes_and_a_recreated_name()
    {
        _source.Create(T.Full("alpha-ns"));
        _source.Create(T.Ns("beta-ns"));
        _replica.SyncFrom(_source);

        _source.Update("alpha-ns", new NamespacePatch { RateLimitRps = 5, Features = new Hashtable { ["compression"] = true }, AddTags = ["blue"] });
        _source.Apply(_source.PlanRename("beta-ns", "gamma-ns"));
        _source.Create(T.Ns("beta-ns", "redis"));
        _source.Apply(_source.PlanRemove("alpha-ns"));
        _source.Create(T.Ns("alpha-ns", "kafka", "stream"));
        var result = _replica.SyncFrom(_source);

        Assert.False(result.Rebuilt);
        Assert.Equal(2, result.FromRevision);
        Assert.Equal(7, result.Revision);
        Assert.Equal(5, result.Changes);
        AssertInStep();
        Assert.Equal(["alpha-ns", "beta-ns", "gamma-ns"], _replica.List().Select(n => n.Name));
        Assert.Equal("kafka", _replica.Get("alpha-ns").Backend);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], _replica.GetHistory(new HistoryQuery { IncludeRemoved = true }).Select(h => h.Revision).Order());
        Assert.Empty(_replica.CheckHealth().Problems);

        var again = _replica.SyncFrom(_source);
        Assert.Equal(0, again.Changes);
        Assert.Equal(7, again.Revision);
        AssertInStep();
    }

    [SkippableFact]
    public void An_import_of_many_namespaces_is_one_revision_and_arrives_whole()
    {
        _replica.SyncFrom(_source);
        _source.ImportStream(Enumerable.Range(0, 50).Select(i => T.Ns($"bulk-{i:D3}")));
        var result = _replica.SyncFrom(_source);
        Assert.Equal(1, result.Revision);
        Assert.Equal(50, result.Changes);
        Assert.Equal(50, _replica.CountNamespaces());
        AssertInStep();
    }

    [SkippableFact]
    public void The_registry_follows_the_source()
    {
        _source.Create(T.Ns("reg-ns", "redis"));
        Assert.False(_replica.SyncFrom(_source).RegistryChanged);
        _source.ImportRegistry([Doc("backend: redis\nimplements: [keyvalue_basic]\n", "/tmp/registry/backends/redis.yaml")]);
        var pass = _replica.SyncFrom(_source);
        Assert.True(pass.RegistryChanged);
        Assert.Equal(pass.FromRevision, pass.Revision);
        Assert.Equal(["redis"], _replica.GetRegistry().Select(d => d.Name));
        AssertInStep();
        Assert.False(_replica.SyncFrom(_source).RegistryChanged);
    }

    [SkippableFact]
    public void Every_writer_but_the_sync_is_refused_with_ReplicaReadOnly_naming_the_source()
    {
        _source.Create(T.Ns("kept-ns"));
        _replica.SyncFrom(_source);
        var before = Dump(_replica);
        using var other = ConfigStore.Open(ReplicaPath);
        Action[] writes =
        [
            () => other.Create(T.Ns("new-ns")),
            () => other.Update("kept-ns", new NamespacePatch { RateLimitRps = 1 }),
            () => other.SetStatus("kept-ns", "disabled"),
            () => other.Apply(other.PlanRemove("kept-ns")),
            () => other.ImportStream([T.Ns("import-ns")]),
            () => other.ImportRegistry([Doc("backend: redis\nimplements: [keyvalue_basic]\n", "/tmp/registry/backends/redis.yaml")]),
            () => other.RestoreFrom(other.BackupTo(_dir.File("copy.db")).FullName),
        ];
        foreach (var write in writes)
        {
            var ex = Assert.Throws<ReplicaReadOnlyException>(write);
            Assert.Equal("ReplicaReadOnly", ex.ErrorId);
            Assert.Equal(_source.Path, ex.ReplicaSource);
            Assert.Contains(_source.Path, ex.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, Dump(_replica));
    }

    [SkippableFact]
    public void A_whole_store_restore_onto_the_replica_is_refused_and_it_stays_a_replica()
    {
        _source.Create(T.Ns("kept-ns"));
        _replica.SyncFrom(_source);
        using var otherDir = new TempDir();
        using (var other = T.OpenNew(otherDir.Db))
        {
            other.Create(T.Ns("foreign-ns"));
        }
        var before = Dump(_replica);
        var ex = Assert.Throws<ReplicaReadOnlyException>(() => _replica.RestoreFrom(otherDir.Db));
        Assert.Equal("ReplicaReadOnly", ex.ErrorId);
        Assert.Equal(before, Dump(_replica));
        Assert.False(_replica.SyncFrom(_source).Rebuilt);
    }

    [SkippableFact]
    public void A_store_with_its_own_namespaces_or_another_source_is_refused_and_left_alone()
    {
        using var ownDir = new TempDir();
        using (var own = T.OpenNew(ownDir.Db))
        {
            own.Create(T.Ns("mine-ns"));
            var ex = Assert.Throws<PrismConfigException>(() => own.SyncFrom(_source));
            Assert.Equal("ReplicaTargetInUse", ex.ErrorId);
            Assert.Equal(["mine-ns"], own.List().Select(n => n.Name));
        }

        _replica.SyncFrom(_source);
        using var otherDir = new TempDir();
        using var otherSource = T.OpenNew(otherDir.Db);
        var mismatch = Assert.Throws<PrismConfigException>(() => _replica.SyncFrom(otherSource));
        Assert.Equal("ReplicaSourceMismatch", mismatch.ErrorId);
        Assert.Contains(_source.Path, mismatch.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Pruned_history_below_the_replicas_next_revision_rebuilds_it_and_says_why()
    {
        _source.Create(T.Ns("prune-ns"));
        _replica.SyncFrom(_source);
        for (var i = 0; i < 5; i++) _source.Update("prune-ns", new NamespacePatch { RateLimitRps = 10 + i });
        DeleteSourceHistory("revision <= 3");

        var result = _replica.SyncFrom(_source);
        Assert.True(result.Rebuilt);
        Assert.Contains("no longer reaches back to revision 2", result.Reason, StringComparison.Ordinal);
        Assert.Equal(6, result.Revision);
        AssertInStep();
    }

    [SkippableFact]
    public void A_whole_store_restore_of_the_source_rebuilds_the_replica()
    {
        _source.Create(T.Ns("restore-ns"));
        var backup = _source.BackupTo(_dir.File("backup.db"));
        _source.Update("restore-ns", new NamespacePatch { RateLimitRps = 7 });
        _source.Create(T.Ns("later-ns"));
        _replica.SyncFrom(_source);

        _source.RestoreFrom(backup.FullName);
        var result = _replica.SyncFrom(_source);
        Assert.True(result.Rebuilt);
        Assert.Contains("whole-store restore", result.Reason, StringComparison.Ordinal);
        AssertInStep();
        Assert.Null(_replica.Get("restore-ns").RateLimitRps);
    }

    [SkippableFact]
    public void A_replica_cannot_be_its_own_source_or_a_server_store()
    {
        var self = Assert.Throws<StorePathException>(() => _replica.SyncFrom(_replica));
        Assert.Equal("ReplicaIsSource", self.ErrorId);
        // The source as its own replica is that, on every engine, before a server store is refused as not local.
        Assert.Equal("ReplicaIsSource", Assert.Throws<StorePathException>(() => _source.SyncFrom(_source)).ErrorId);
        using var another = _engine.OpenAnother();
        Assert.Equal("ReplicaIsSource", Assert.Throws<StorePathException>(() => another.SyncFrom(_source)).ErrorId);
        if (_source.Locator.Kind == StoreKind.Postgres)
        {
            var uri = _source.Locator.Value;
            using var respelled = ConfigStore.Open(uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "application_name=respelled");
            Assert.Equal("ReplicaIsSource", Assert.Throws<StorePathException>(() => respelled.SyncFrom(_source)).ErrorId);
            var remote = Assert.Throws<StorePathException>(() => _source.SyncFrom(_replica));
            Assert.Equal("ReplicaNotLocal", remote.ErrorId);
        }
    }

    /// <summary>Stands in for an operator pruning old history with SQL: the store has no cmdlet that deletes history.</summary>
    private void DeleteSourceHistory(string where)
    {
        if (_source.Locator.Kind == StoreKind.Postgres)
        {
            using var connection = PostgresServer.OpenAdmin(((PostgresEngineUnderTest)_engine).Locator);
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM namespace_history WHERE " + where;
            command.ExecuteNonQuery();
            return;
        }
        using var raw = T.Raw(_source.Path);
        T.Exec(raw, "DELETE FROM namespace_history WHERE " + where);
    }
}

/// <summary>What only a server source has: transactions that overlap, from other hosts.</summary>
public sealed class PostgresReplicaOrderTests : IDisposable
{
    private readonly PostgresEngineUnderTest _engine = new();
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _engine.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [SkippableFact]
    public void The_same_source_spelled_another_way_is_still_the_replicas_source()
    {
        using var source = _engine.OpenNew();
        using var replica = T.OpenNew(_dir.File("replica.db"));
        source.Create(T.Ns("first-ns"));
        replica.SyncFrom(source);

        // What a change of spelling looks like to the replica (as when credentials move from the URI to PGPASSWORD):
        // another scheme, the host in capitals, parameters added. The server and the database are the same.
        var uri = new Uri(_engine.Locator);
        var respelled = $"postgres://{uri.UserInfo}@{uri.Host.ToUpperInvariant()}:{uri.Port}{uri.AbsolutePath}?application_name=respelled";
        using (var same = ConfigStore.Open(_engine.Locator))
        {
            same.Create(T.Ns("second-ns"));
        }
        using var respelledSource = ConfigStore.Open(respelled);
        var pass = replica.SyncFrom(respelledSource);
        Assert.False(pass.Rebuilt);
        Assert.Equal(["first-ns", "second-ns"], replica.List().Select(n => n.Name));
    }

    [SkippableFact]
    public async Task A_revision_whose_transaction_commits_after_a_later_write_began_is_not_skipped()
    {
        using var source = _engine.OpenNew();
        using var replica = T.OpenNew(_dir.File("replica.db"));
        source.Create(T.Ns("held-ns"));
        replica.SyncFrom(source);

        // Transaction A takes revision 2 and stays open; B, another host's write, starts meanwhile. With a sequence
        // B could commit revision 3 first and a reader that saw 3 would skip 2 for ever; the counter row makes B wait.
        using var engine = EngineFactory.Open(StoreLocator.Parse(_engine.Locator), new StoreOptions { BusyTimeout = TimeSpan.FromSeconds(20) });
        var scopeA = engine.BeginWrite();
        var held = scopeA.ReadNamespace("held-ns")!;
        Assert.Equal(2, scopeA.Revision);
        scopeA.InsertHistory(new HistoryWrite(held.Id, "update", 1, "test", null, "{}", 2, "held open"));
        var writeB = Task.Run(() => source.Create(T.Ns("later-ns")));
        await Task.Delay(300);
        Assert.False(writeB.IsCompleted);

        var during = replica.SyncFrom(source);
        Assert.Equal(1, during.Revision);

        scopeA.Commit();
        scopeA.Dispose();
        await writeB;
        var after = replica.SyncFrom(source);
        Assert.False(after.Rebuilt);
        Assert.Equal(1, after.FromRevision);
        Assert.Equal(3, after.Revision);
        Assert.Equal([1L, 2L, 3L], replica.GetHistory(new HistoryQuery { IncludeRemoved = true }).Select(h => h.Revision).Order());
    }
}

public sealed class SqliteSourceReplicaSyncTests() : ReplicaSyncTests(new SqliteEngineUnderTest());

public sealed class PostgresSourceReplicaSyncTests() : ReplicaSyncTests(new PostgresEngineUnderTest());
