using System.Collections;

namespace PrismConfig.Core.Tests;

/// <summary>
/// The store's contract, written once against the store and run against every engine: each engine's suite is a
/// subclass that supplies a fresh, real store (a SQLite file in a temporary folder; a real server for a server engine).
/// </summary>
public abstract partial class StoreContractTests : IDisposable
{
    private readonly EngineUnderTest _engine;
    private readonly ConfigStore _store;

    protected StoreContractTests(EngineUnderTest engine)
    {
        _engine = engine;
        _store = engine.OpenNew();
    }

    public void Dispose()
    {
        _store.Dispose();
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public void Create_returns_version_1_and_get_round_trips_every_field()
    {
        var created = _store.Create(T.Full("full-ns"), new WriteContext { ChangedBy = "alice", Reason = "first" });
        Assert.Equal(1, created.Version);
        Assert.Equal("alice", created.CreatedBy);
        Assert.Equal("alice", created.UpdatedBy);
        Assert.Equal(TimeSpan.Zero, created.CreatedAt.Offset);

        var got = _store.Get("full-ns");
        Assert.Equal("full namespace", got.Description);
        Assert.Equal("redis", got.Backend);
        Assert.Equal(ConsistencyLevel.Strong, got.Consistency);
        Assert.Equal(60, got.CacheTtlSeconds);
        Assert.Equal(1000, got.RateLimitRps);
        Assert.Equal(["high-traffic", "production"], got.Tags);
        Assert.Equal(true, got.Features["shadow_traffic"]);
        Assert.Equal(false, got.Features["compression"]);
        Assert.Equal(10, ((Hashtable)got.BackendConfig["pool"]!)["max"]);
        Assert.Equal(0.5, ((Hashtable)got.BackendConfig["pool"]!)["ratio"]);
        Assert.Equal(new object[] { "a", "b" }, (object[])got.BackendConfig["hosts"]!);
        Assert.Equal(created.CreatedAt, got.CreatedAt);

        var history = Assert.Single(_store.GetHistory());
        Assert.Equal("create", history.Operation);
        Assert.Equal(1, history.Version);
        Assert.Equal("alice", history.ChangedBy);
        Assert.Equal("first", history.Reason);
        Assert.Null(history.OldConfig);
        Assert.Equal("full-ns", history.NewConfig!.Name);
        Assert.Contains(history.Changes, c => c.Property == "Features.shadow_traffic" && Equals(c.NewValue, true));
    }

    [SkippableFact]
    public void Create_duplicate_throws_and_changed_by_defaults_to_the_os_user()
    {
        var ns = _store.Create(T.Ns("dup-ns"));
        Assert.Equal(Environment.UserName, ns.CreatedBy);
        var ex = Assert.Throws<NamespaceExistsException>(() => _store.Create(T.Ns("dup-ns")));
        Assert.Equal("dup-ns", ex.Name);
        Assert.Single(_store.GetHistory());
    }

    [SkippableFact]
    public void Get_unknown_throws_and_tryget_returns_null()
    {
        Assert.Null(_store.TryGet("nope-ns"));
        Assert.Throws<NamespaceNotFoundException>(() => _store.Get("nope-ns"));
        Assert.Throws<NamespaceNotFoundException>(() => _store.Update("nope-ns", new NamespacePatch { Description = "x" }));
    }

    [SkippableFact]
    public void Returned_objects_are_copies()
    {
        _store.Create(T.Full("copy-ns"));
        var a = _store.Get("copy-ns");
        a.Tags[0] = "mutated";
        a.BackendConfig["connection_string"] = "mutated";
        ((Hashtable)a.BackendConfig["pool"]!)["max"] = 99;
        var b = _store.Get("copy-ns");
        Assert.Equal("high-traffic", b.Tags[0]);
        Assert.Equal("postgres://db:5432/copy-ns", b.BackendConfig["connection_string"]);
        Assert.Equal(10, ((Hashtable)b.BackendConfig["pool"]!)["max"]);
    }

    [SkippableFact]
    public void List_filters_by_wildcards_backend_pattern_status_and_exact_tags()
    {
        _store.Create(T.Ns("user-profiles", "postgres", "keyvalue", "production", "high-traffic"));
        _store.Create(T.Ns("user-sessions", "redis", "keyvalue", "production"));
        _store.Create(T.Ns("orders", "postgres", "stream", "staging", "production-like"));
        _store.Create(T.Ns("events", "kafka", "pubsub"));
        _store.SetStatus("events", NamespaceStatus.Disabled);

        static string[] Names(IReadOnlyList<NamespaceConfig> l) => l.Select(n => n.Name).ToArray();
        Assert.Equal(["events", "orders", "user-profiles", "user-sessions"], Names(_store.List()));
        Assert.Equal(["user-profiles", "user-sessions"], Names(_store.List(new NamespaceQuery { Names = ["user-*"] })));
        Assert.Equal(["user-profiles", "user-sessions"], Names(_store.List(new NamespaceQuery { Names = ["USER-*"] })));
        Assert.Equal(["orders"], Names(_store.List(new NamespaceQuery { Names = ["or?ers"] })));
        Assert.Equal(["events", "orders"], Names(_store.List(new NamespaceQuery { Names = ["orders", "ev*"] })));
        Assert.Empty(_store.List(new NamespaceQuery { Names = ["[ou]*"] })); // brackets are literal, not a GLOB class
        Assert.Empty(_store.List(new NamespaceQuery { Names = ["user-profile"] }));
        Assert.Equal(["orders", "user-profiles"], Names(_store.List(new NamespaceQuery { Backends = ["postgres"] })));
        Assert.Equal(["events", "user-sessions"], Names(_store.List(new NamespaceQuery { Backends = ["redis", "kafka"] })));
        Assert.Equal(["orders"], Names(_store.List(new NamespaceQuery { Patterns = ["stream"] })));
        Assert.Equal(["events"], Names(_store.List(new NamespaceQuery { Statuses = ["disabled"] })));
        // Exact elements: "production" must not match "production-like" (a LIKE would).
        Assert.Equal(["user-profiles", "user-sessions"], Names(_store.List(new NamespaceQuery { Tags = ["production"] })));
        Assert.Equal(["user-profiles"], Names(_store.List(new NamespaceQuery { Tags = ["production", "high-traffic"] })));
        Assert.Equal(["user-profiles"], Names(_store.List(new NamespaceQuery { Backends = ["postgres"], Tags = ["production"] })));
        // Filters match in any case, as names do: every value they compare is stored in lower case.
        Assert.Equal(["user-profiles"], Names(_store.List(new NamespaceQuery { Backends = ["POSTGRES"], Tags = ["Production"] })));
        Assert.Equal(["events"], Names(_store.List(new NamespaceQuery { Statuses = ["DISABLED"], Patterns = ["PubSub"] })));
        Assert.Equal(4, _store.CountNamespaces());
    }

    [SkippableFact]
    public void Update_applies_a_partial_patch_as_one_new_version()
    {
        _store.Create(T.Full("patch-ns"));
        var result = _store.Update("patch-ns", new NamespacePatch
        {
            Description = "changed",
            RateLimitRps = 5,
            AddTags = ["new-tag", "production"],
            RemoveTags = ["high-traffic"],
            Features = new Hashtable { ["shadow_traffic"] = false, ["new.flag"] = true },
            RemoveFeatures = ["compression"],
            SetBackendConfig = new Dictionary<string, object> { ["timeout_ms"] = 250 },
            ConnectionString = "postgres://new",
        }, new WriteContext { ChangedBy = "bob", Reason = "tuning" });

        Assert.True(result.Changed);
        Assert.Equal(2, result.Config.Version);
        var got = _store.Get("patch-ns");
        Assert.Equal("changed", got.Description);
        Assert.Equal(5, got.RateLimitRps);
        Assert.Equal(60, got.CacheTtlSeconds); // untouched
        Assert.Equal(["new-tag", "production"], got.Tags);
        Assert.Equal(2, got.Features.Count);
        Assert.Equal(false, got.Features["shadow_traffic"]);
        Assert.Equal(true, got.Features["new.flag"]);
        Assert.Equal(250, got.BackendConfig["timeout_ms"]);
        Assert.Equal("postgres://new", got.BackendConfig["connection_string"]);
        Assert.Equal("bob", got.UpdatedBy);

        var props = result.Changes.Select(c => c.Property).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["BackendConfig.connection_string", "BackendConfig.timeout_ms", "Description", "Features.compression", "Features.new.flag", "Features.shadow_traffic", "RateLimitRps", "Tags"], props);
        var history = _store.GetHistory(new HistoryQuery { Names = ["patch-ns"] });
        Assert.Equal(2, history.Count);
        Assert.Equal("update", history[1].Operation);
        Assert.Equal("tuning", history[1].Reason);
        Assert.Equal(props, history[1].Changes.Select(c => c.Property).Order(StringComparer.Ordinal).ToArray());
        var desc = history[1].Changes.Single(c => c.Property == "Description");
        Assert.Equal("full namespace", desc.OldValue);
        Assert.Equal("changed", desc.NewValue);
    }

    [SkippableFact]
    public void Backend_config_replace_normalises_powershell_style_values()
    {
        _store.Create(T.Ns("replace-ns"));
        _store.Update("replace-ns", new NamespacePatch
        {
            BackendConfig = new Dictionary<string, object?> { ["list"] = new List<object> { 1, "two" }, ["nested"] = new SortedList { ["x"] = (short)3 }, ["d"] = 1.5m },
        });
        var got = _store.Get("replace-ns");
        Assert.False(got.BackendConfig.ContainsKey("connection_string"));
        Assert.Equal(new object[] { 1, "two" }, (object[])got.BackendConfig["list"]!);
        Assert.Equal(3, ((Hashtable)got.BackendConfig["nested"]!)["x"]);
        // Re-applying the same values is a no-op, even though they arrive as other .NET types.
        var again = _store.Update("replace-ns", new NamespacePatch
        {
            BackendConfig = new Dictionary<string, object?> { ["list"] = new object[] { 1L, "two" }, ["nested"] = new Hashtable { ["x"] = 3 }, ["d"] = 1.5 },
        });
        Assert.False(again.Changed);
    }

    [SkippableFact]
    public void Feature_values_must_be_booleans()
    {
        _store.Create(T.Ns("feat-ns"));
        var ex = Assert.Throws<ValidationException>(() => _store.Update("feat-ns", new NamespacePatch { Features = new Hashtable { ["x"] = "true" } }));
        Assert.Equal("features.x", ex.Field);
        Assert.Equal(1, _store.Get("feat-ns").Version);
    }

    [SkippableFact]
    public void No_op_writes_change_nothing()
    {
        var created = _store.Create(T.Full("noop-ns"));
        var r = _store.Update("noop-ns", new NamespacePatch { Description = "full namespace", Tags = ["production", "high-traffic"], Features = new Hashtable { ["shadow_traffic"] = true } });
        Assert.False(r.Changed);
        Assert.Empty(r.Changes);
        Assert.Equal(1, r.Config.Version);
        var s = _store.SetStatus("noop-ns", NamespaceStatus.Active);
        Assert.False(s.Changed);
        var got = _store.Get("noop-ns");
        Assert.Equal(1, got.Version);
        Assert.Equal(created.UpdatedAt, got.UpdatedAt);
        Assert.Single(_store.GetHistory());
    }

    [SkippableFact]
    public void SetStatus_records_disable_enable_and_update()
    {
        _store.Create(T.Ns("status-ns"));
        Assert.True(_store.SetStatus("status-ns", NamespaceStatus.Disabled).Changed);
        Assert.True(_store.SetStatus("status-ns", NamespaceStatus.Migrating).Changed);
        Assert.True(_store.SetStatus("status-ns", NamespaceStatus.Active).Changed);
        Assert.Throws<ValidationException>(() => _store.SetStatus("status-ns", "paused"));
        var ops = _store.GetHistory().Select(h => h.Operation + h.Version).ToArray();
        Assert.Equal(["create1", "disable2", "update3", "enable4"], ops);
    }

    [SkippableFact]
    public void Expected_version_mismatch_conflicts_and_changes_nothing()
    {
        _store.Create(T.Ns("cas-ns"));
        _store.Update("cas-ns", new NamespacePatch { Description = "v2" }, new WriteContext { ExpectedVersion = 1 });
        var ex = Assert.Throws<VersionConflictException>(() => _store.Update("cas-ns", new NamespacePatch { Description = "v3" }, new WriteContext { ExpectedVersion = 1 }));
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        Assert.Contains("version 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not version 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", ex.Message, StringComparison.Ordinal);
        Assert.Equal("v2", _store.Get("cas-ns").Description);
        Assert.Throws<VersionConflictException>(() => _store.SetStatus("cas-ns", "disabled", new WriteContext { ExpectedVersion = 5 }));
        Assert.Throws<VersionConflictException>(() => _store.Restore("cas-ns", 1, new WriteContext { ExpectedVersion = 5 }));
        Assert.Equal(2, _store.GetHistory().Count);
    }

    [SkippableFact]
    public void Restore_reproduces_every_field_of_the_snapshot()
    {
        var v1 = _store.Create(T.Full("restore-ns"));
        _store.Update("restore-ns", new NamespacePatch
        {
            Description = "other", Backend = "postgres", Pattern = "stream", Consistency = "eventual", CacheTtlSeconds = 1, RateLimitRps = 2,
            BackendConfig = new Hashtable { ["a"] = 1 }, Tags = ["x"], Features = new Hashtable { ["shadow_traffic"] = false, ["zzz"] = true },
        });
        _store.SetStatus("restore-ns", NamespaceStatus.Disabled);

        var preview = _store.PreviewRestore("restore-ns", 1);
        Assert.True(preview.Changed);
        Assert.Equal(4, preview.Config.Version);
        Assert.Equal(3, _store.Get("restore-ns").Version); // preview wrote nothing

        var r = _store.Restore("restore-ns", 1, new WriteContext { ChangedBy = "carol" });
        Assert.True(r.Changed);
        var got = _store.Get("restore-ns");
        Assert.Equal(4, got.Version);
        Assert.Equal(Store.Snapshot.ContentKey(v1), Store.Snapshot.ContentKey(got));
        Assert.Equal(NamespaceStatus.Active, got.Status);
        Assert.Equal(["compression", "shadow_traffic"], got.Features.Keys.Cast<string>().Order(StringComparer.Ordinal));
        Assert.Equal(v1.CreatedAt, got.CreatedAt);
        Assert.Equal("carol", got.UpdatedBy);

        var last = _store.GetHistory(new HistoryQuery { Last = 1 }).Single();
        Assert.Equal("restore", last.Operation);
        Assert.Equal("restored from version 1", last.Reason);
        Assert.Equal(4, last.Version);

        var again = _store.Restore("restore-ns", 1);
        Assert.False(again.Changed);
        Assert.Equal(4, _store.Get("restore-ns").Version);

        var ex = Assert.Throws<VersionNotFoundException>(() => _store.Restore("restore-ns", 9));
        Assert.Equal(9, ex.Version);
        Assert.Throws<VersionNotFoundException>(() => _store.PreviewRestore("restore-ns", 0));
    }

    [SkippableFact]
    public void PreviewUpdate_computes_without_writing()
    {
        _store.Create(T.Ns("preview-ns"));
        var p = _store.PreviewUpdate("preview-ns", new NamespacePatch { RateLimitRps = 10 });
        Assert.True(p.Changed);
        Assert.Equal(2, p.Config.Version);
        Assert.Equal(10, p.Config.RateLimitRps);
        var change = Assert.Single(p.Changes);
        Assert.Equal("RateLimitRps", change.Property);
        Assert.Null(change.OldValue);
        Assert.Equal(10, change.NewValue);
        Assert.Null(_store.Get("preview-ns").RateLimitRps);
        Assert.Single(_store.GetHistory());
        Assert.Throws<ValidationException>(() => _store.PreviewUpdate("preview-ns", new NamespacePatch { RateLimitRps = 0 }));
    }

    [SkippableFact]
    public void History_filters_and_last_n_oldest_first()
    {
        _store.Create(T.Ns("hist-a"), new WriteContext { ChangedBy = "alice" });
        _store.Create(T.Ns("hist-b"), new WriteContext { ChangedBy = "bob" });
        for (var i = 1; i <= 4; i++)
        {
            _store.Update("hist-a", new NamespacePatch { RateLimitRps = i }, new WriteContext { ChangedBy = "bob" });
        }
        _store.SetStatus("hist-b", "disabled", new WriteContext { ChangedBy = "alice" });

        var a = _store.GetHistory(new HistoryQuery { Names = ["hist-a"] });
        Assert.Equal([1, 2, 3, 4, 5], a.Select(h => h.Version));
        var last = _store.GetHistory(new HistoryQuery { Names = ["hist-a"], Last = 2 });
        Assert.Equal([4, 5], last.Select(h => h.Version));
        Assert.Equal(7, _store.GetHistory(new HistoryQuery { Names = ["hist-*"] }).Count);
        Assert.Equal(["hist-b"], _store.GetHistory(new HistoryQuery { Operations = ["disable"] }).Select(h => h.Name));
        Assert.Equal(2, _store.GetHistory(new HistoryQuery { ChangedBy = "alice" }).Count);
        Assert.Equal(["hist-a", "hist-b"], _store.GetHistory(new HistoryQuery { Version = 1 }).Select(h => h.Name));
        Assert.Equal(7, _store.GetHistory(new HistoryQuery { Since = DateTimeOffset.UtcNow.AddMinutes(-1), Until = DateTimeOffset.UtcNow.AddMinutes(1) }).Count);
        Assert.Empty(_store.GetHistory(new HistoryQuery { Since = DateTimeOffset.UtcNow.AddMinutes(5) }));
        Assert.Empty(_store.GetHistory(new HistoryQuery { Until = DateTimeOffset.UtcNow.AddMinutes(-5) }));
        var third = a[2];
        Assert.Equal(1, third.OldConfig!.RateLimitRps);
        Assert.Equal(2, third.NewConfig!.RateLimitRps);
        Assert.Equal(TimeSpan.Zero, third.ChangedAt.Offset);
    }

    [SkippableFact]
    public void Import_creates_updates_leaves_and_prunes_in_one_go()
    {
        _store.Create(T.Ns("keep-ns"));
        _store.Create(T.Ns("change-ns"));
        _store.Create(T.Ns("gone-ns"));
        _store.Create(T.Ns("already-off"));
        _store.SetStatus("already-off", "disabled");

        var changed = T.Ns("change-ns");
        changed.RateLimitRps = 7;
        var fresh = T.Ns("fresh-ns");
        fresh.Status = NamespaceStatus.Migrating;
        var desired = new[] { T.Ns("keep-ns"), changed, fresh };
        var reports = new List<int>();
        var options = new ImportOptions { Prune = true, Reason = "sync", ChangedBy = "ci", Progress = new SyncProgress(reports) };

        var plan = _store.PlanImport(desired, options).Results;
        Assert.Equal(["keep-ns:Unchanged:1", "change-ns:Updated:2", "fresh-ns:Created:1", "gone-ns:Disabled:2"], plan.Select(r => $"{r.Name}:{r.Action}:{r.Version}"));
        Assert.Equal(4, _store.CountNamespaces()); // dry run wrote nothing
        Assert.Equal(5, _store.GetHistory().Count);

        var done = _store.Import(desired, options);
        Assert.Equal(3, reports.Last());
        Assert.Equal(plan.Select(r => $"{r.Name}:{r.Action}:{r.Version}"), done.Select(r => $"{r.Name}:{r.Action}:{r.Version}"));
        Assert.Equal(["RateLimitRps"], done[1].Changes.Select(c => c.Property));
        Assert.Equal(NamespaceStatus.Migrating, _store.Get("fresh-ns").Status);
        Assert.Equal(NamespaceStatus.Disabled, _store.Get("gone-ns").Status);
        Assert.Equal(2, _store.Get("already-off").Version);
        var added = _store.GetHistory().Skip(5).ToList();
        Assert.Equal(["change-ns:update", "fresh-ns:create", "gone-ns:disable"], added.Select(h => $"{h.Name}:{h.Operation}"));
        Assert.All(added, h => { Assert.Equal("sync", h.Reason); Assert.Equal("ci", h.ChangedBy); });

        // Idempotent: the same set again changes nothing.
        Assert.All(_store.Import(desired, new ImportOptions { Prune = true }), r => Assert.Equal(ImportAction.Unchanged, r.Action));
    }

    [SkippableFact]
    public void Prune_refuses_an_empty_set_and_disabling_more_than_half_unless_forced()
    {
        foreach (var n in new[] { "p-a", "p-b", "p-c", "p-d" }) _store.Create(T.Ns(n));
        var prune = new ImportOptions { Prune = true };
        Assert.Equal("PruneEmptyDesiredSet", Assert.Throws<PruneRefusedException>(() => _store.PlanImport([], prune)).ErrorId);
        Assert.Equal("PruneEmptyDesiredSet", Assert.Throws<PruneRefusedException>(() => _store.Import([], prune)).ErrorId);
        var tooBroad = Assert.Throws<PruneRefusedException>(() => _store.Import([T.Ns("p-a")], prune));
        Assert.Equal("PruneTooBroad", tooBroad.ErrorId);
        Assert.Contains("3 of the 4", tooBroad.Message, StringComparison.Ordinal);
        Assert.All(_store.List(), ns => Assert.Equal(NamespaceStatus.Active, ns.Status));
        Assert.Equal(2, _store.Import([T.Ns("p-a"), T.Ns("p-b")], prune).Count(r => r.Action == ImportAction.Disabled));
        Assert.Equal(2, _store.Import([], new ImportOptions { Prune = true, Force = true }).Count(r => r.Action == ImportAction.Disabled));
    }

    [SkippableFact]
    public void Import_rejects_duplicates_and_invalid_entries_writing_nothing()
    {
        var ex = Assert.Throws<ValidationException>(() => _store.Import([T.Ns("twice-ns"), T.Ns("twice-ns")]));
        Assert.Equal("name", ex.Field);
        var bad = T.Ns("bad-ns");
        bad.RateLimitRps = 0;
        Assert.Throws<ValidationException>(() => _store.Import([T.Ns("good-ns"), bad]));
        Assert.Equal(0, _store.CountNamespaces());
    }

    [SkippableFact]
    public void Import_of_10000_namespaces_then_one_change_writes_one_history_row()
    {
        var desired = Enumerable.Range(0, 10_000).Select(i =>
        {
            var ns = T.Ns($"bulk-{i:D5}", i % 2 == 0 ? "postgres" : "redis", "keyvalue", "bulk");
            ns.Features["flag"] = i % 3 == 0;
            return ns;
        }).ToList();
        // Speed is measured by the Bench task, never asserted here: shared machines make timings flaky.
        var result = _store.Import(desired);
        Assert.All(result, r => Assert.Equal(ImportAction.Created, r.Action));
        Assert.Equal(10_000, _store.CountNamespaces());

        desired[42].RateLimitRps = 3;
        var second = _store.Import(desired);
        Assert.Equal(1, second.Count(r => r.Action == ImportAction.Updated));
        Assert.Equal(10_001, _store.GetHistory(new HistoryQuery { Names = ["bulk-*"] }).Count);
    }

    private sealed class SyncProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value) => reports.Add(value);
    }
}
