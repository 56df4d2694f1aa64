using System.Diagnostics;

namespace PrismConfig.Core.Tests;

// The write guarantees: one read and one guarded write, no question inside a transaction, writers that wait for the
// lock instead of failing, and names that find their namespace in any case.
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public void A_name_taken_between_the_plan_and_the_write_is_NamespaceExists_and_nothing_is_written()
    {
        _store.Create(T.Ns("old-name"));
        _store.Create(T.Ns("came-back"));
        _store.Apply(_store.PlanRemove("came-back"));
        var rename = _store.PlanRename("old-name", "new-name");
        var revive = _store.PlanRestore("came-back", 1);

        using (var other = _engine.OpenAnother())
        {
            other.Create(T.Ns("new-name", "kafka", "stream"));
            other.Create(T.Ns("came-back", "nats", "pubsub"));
        }

        Assert.Equal("new-name", Assert.Throws<NamespaceExistsException>(() => _store.Apply(rename)).Name);
        Assert.Equal("came-back", Assert.Throws<NamespaceExistsException>(() => _store.Apply(revive)).Name);
        Assert.Equal(1, _store.Get("old-name").Version);
        Assert.Equal("kafka", _store.Get("new-name").Backend);
        Assert.Equal("nats", _store.Get("came-back").Backend);
        Assert.Single(_store.GetHistory(new HistoryQuery { Names = ["old-name"] }));
    }

    [SkippableFact]
    public void A_plan_is_written_only_while_the_namespace_is_still_at_the_version_it_was_planned_against()
    {
        _store.Create(T.Ns("guarded"));
        var plan = _store.PlanUpdate("guarded", new NamespacePatch { RateLimitRps = 10 });
        Assert.True(plan.Changed);
        Assert.Equal(1, plan.Current.Version);
        Assert.Equal(2, plan.Proposed.Version);

        using (var other = _engine.OpenAnother())
        {
            other.Update("guarded", new NamespacePatch { CacheTtlSeconds = 5 });
        }

        var ex = Assert.Throws<VersionConflictException>(() => _store.Apply(plan));
        Assert.Equal("guarded", ex.Name);
        Assert.Equal(1, ex.ExpectedVersion);
        Assert.Equal(2, ex.ActualVersion);
        var now = _store.Get("guarded");
        Assert.Equal(2, now.Version);
        Assert.Null(now.RateLimitRps);
        Assert.Equal(5, now.CacheTtlSeconds);
        Assert.Equal(2, _store.GetHistory(new HistoryQuery { Names = ["guarded"] }).Count);

        // Planned afresh, the same change lands on top of the other writer's.
        var applied = _store.Apply(_store.PlanUpdate("guarded", new NamespacePatch { RateLimitRps = 10 }));
        Assert.Equal(3, applied.Config.Version);
        Assert.Equal(5, applied.Config.CacheTtlSeconds);
    }

    [SkippableFact]
    public void Remove_hides_the_namespace_frees_its_name_keeps_its_history_and_restore_brings_it_back()
    {
        _store.Create(T.Ns("gone"));
        _store.Apply(_store.PlanRemove("gone"), new WriteContext { Reason = "retired" });
        Assert.Null(_store.TryGet("gone"));
        Assert.Empty(_store.List());
        Assert.Equal(0, _store.CountNamespaces());
        Assert.Empty(_store.GetHistory());
        var kept = _store.GetHistory(new HistoryQuery { Names = ["gone"], IncludeRemoved = true });
        Assert.Equal(["create:1", "delete:2"], kept.Select(h => $"{h.Operation}:{h.Version}"));
        Assert.Equal("retired", kept[1].Reason);
        Assert.Equal("gone", kept[1].Name);

        var back = _store.Apply(_store.PlanRestore("gone", 1));
        Assert.Equal(3, back.Config.Version);
        Assert.Equal(NamespaceStatus.Active, _store.Get("gone").Status);

        _store.Apply(_store.PlanRemove("gone"));
        Assert.Equal(1, _store.Create(T.Ns("gone")).Version);
        Assert.Single(_store.GetHistory(new HistoryQuery { Names = ["gone"] }));
    }

    [SkippableFact]
    public void Clear_empties_the_optional_numbers_and_a_value_in_the_same_patch_wins()
    {
        var ns = T.Ns("clearable");
        ns.RateLimitRps = 5;
        ns.CacheTtlSeconds = 60;
        _store.Create(ns);
        var cleared = _store.Update("clearable", new NamespacePatch { Clear = ["RateLimitRps", "cachettlseconds"], CacheTtlSeconds = 7 });
        Assert.Null(cleared.Config.RateLimitRps);
        Assert.Equal(7, cleared.Config.CacheTtlSeconds);
        Assert.Throws<ValidationException>(() => _store.Update("clearable", new NamespacePatch { Clear = ["Backend"] }));
    }

    [SkippableFact]
    public void Rename_moves_the_history_and_refuses_a_taken_name()
    {
        _store.Create(T.Ns("old-name"));
        _store.Create(T.Ns("taken"));
        Assert.Throws<NamespaceExistsException>(() => _store.PlanRename("old-name", "taken"));
        var renamed = _store.Apply(_store.PlanRename("old-name", "New-Name"));
        Assert.Equal("new-name", renamed.Config.Name);
        Assert.Null(_store.TryGet("old-name"));
        Assert.Equal(["create", "rename"], _store.GetHistory(new HistoryQuery { Names = ["new-name"] }).Select(h => h.Operation));
    }

    [SkippableFact]
    public void A_plan_that_changes_nothing_writes_nothing_and_a_stale_expected_version_is_still_a_conflict()
    {
        _store.Create(T.Ns("steady"));
        var plan = _store.PlanStatus("steady", NamespaceStatus.Active);
        Assert.False(plan.Changed);
        Assert.False(_store.Apply(plan).Changed);
        Assert.Single(_store.GetHistory(new HistoryQuery { Names = ["steady"] }));
        Assert.Throws<VersionConflictException>(() => _store.PlanStatus("steady", NamespaceStatus.Active, expectedVersion: 7));
        Assert.Throws<VersionConflictException>(() => _store.Apply(plan, new WriteContext { ExpectedVersion = 7 }));
    }

    [SkippableFact]
    public void Names_find_their_namespace_in_any_case()
    {
        _store.Create(T.Ns("orders"));
        Assert.Equal("orders", _store.TryGet("ORDERS")?.Name);
        Assert.Equal("orders", _store.Get("Orders").Name);
        var result = _store.Update("ORDERS", new NamespacePatch { RateLimitRps = 3 });
        Assert.Equal("orders", result.Config.Name);
        Assert.Equal(3, _store.Get("orders").RateLimitRps);
        Assert.Equal(NamespaceStatus.Disabled, _store.SetStatus("OrDeRs", NamespaceStatus.Disabled).Config.Status);
        Assert.Equal(3, _store.Restore("ORDERS", 2).Config.RateLimitRps);
    }

    [SkippableFact]
    public void An_import_asks_with_no_transaction_open_and_applies_only_what_it_planned()
    {
        _store.Create(T.Ns("planned"));
        var changed = T.Ns("planned");
        changed.RateLimitRps = 9;
        var desired = new[] { changed, T.Ns("fresh") };

        // While the question is open, another writer is not blocked: it writes within its short timeout.
        var asked = 0;
        var results = _store.ImportStream(desired, new ImportOptions
        {
            Confirm = summary =>
            {
                asked++;
                Assert.Equal(1, summary.Created);
                Assert.Equal(1, summary.Updated);
                using var other = _engine.OpenAnother(TimeSpan.FromMilliseconds(500));
                other.Create(T.Ns("bystander"));
                return true;
            },
        });
        Assert.Equal(1, asked);
        Assert.Equal(["planned:Updated:2", "fresh:Created:1"], results.Select(r => $"{r.Name}:{r.Action}:{r.Version}"));
        Assert.Equal(3, _store.CountNamespaces());

        // A change to a planned namespace while the question is open: nothing is written, and the conflict names it.
        var again = T.Ns("planned");
        again.RateLimitRps = 11;
        var ex = Assert.Throws<VersionConflictException>(() => _store.ImportStream(new[] { again, T.Ns("another") }, new ImportOptions
        {
            Confirm = _ =>
            {
                using var other = _engine.OpenAnother();
                other.Update("planned", new NamespacePatch { CacheTtlSeconds = 1 });
                return true;
            },
        }));
        Assert.Equal("planned", ex.Name);
        Assert.Null(_store.TryGet("another"));
        Assert.Equal(9, _store.Get("planned").RateLimitRps);

        // Declined: the plan comes back and nothing is written.
        var declined = _store.ImportStream(new[] { again }, new ImportOptions { Confirm = _ => false });
        Assert.Equal(ImportAction.Updated, declined.Single().Action);
        Assert.Equal(9, _store.Get("planned").RateLimitRps);
    }

    [SkippableFact]
    public void A_plan_refuses_to_apply_an_input_that_changed_since_it_was_planned()
    {
        var first = T.Ns("shifting");
        var plan = _store.PlanImport([first]);
        var edited = T.Ns("shifting");
        edited.RateLimitRps = 4;
        var ex = Assert.Throws<PrismConfigException>(() => _store.ApplyImport([edited], new ImportOptions(), plan));
        Assert.Equal("ImportChanged", ex.ErrorId);
        Assert.Null(_store.TryGet("shifting"));
    }

    [SkippableFact]
    public async Task A_writer_waits_for_the_write_lock_and_says_it_is_waiting()
    {
        _store.Create(T.Ns("patient"));
        var hold = _engine.HoldWriteLock();
        var release = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            hold.Dispose();
        });
        var waits = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        using var patient = _engine.OpenAnother(TimeSpan.FromSeconds(30));
        var result = patient.Update("patient", new NamespacePatch { RateLimitRps = 8 },
            new WriteContext { LockWaitProgress = new Progress(waits) });
        await release;
        Assert.True(result.Changed);
        Assert.True(result.LockWait >= TimeSpan.FromSeconds(1), $"waited {result.LockWait}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25));
        Assert.NotEmpty(waits);
        Assert.Equal(8, _store.Get("patient").RateLimitRps);
    }

    [SkippableFact]
    public void A_writer_that_waits_past_its_timeout_fails_as_busy_and_writes_nothing()
    {
        _store.Create(T.Ns("impatient"));
        using (_engine.HoldWriteLock())
        {
            using var impatient = _engine.OpenAnother(TimeSpan.FromMilliseconds(600));
            var ex = Assert.Throws<StoreBusyException>(() => impatient.Update("impatient", new NamespacePatch { RateLimitRps = 8 }));
            Assert.Equal("StoreBusy", ex.ErrorId);
        }
        Assert.Null(_store.Get("impatient").RateLimitRps);
    }

    [SkippableFact]
    public void A_plan_is_not_applied_to_another_namespace_that_a_whole_store_restore_put_at_its_row()
    {
        _store.Create(T.Ns("alpha"));
        var plan = _store.PlanUpdate("alpha", new NamespacePatch { RateLimitRps = 10 });
        var backup = Path.Combine(Path.GetTempPath(), "prism-other-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            using (var other = ConfigStore.Open(backup + ".src", new StoreOptions { CreateIfMissing = true }))
            {
                other.Create(T.Ns("bravo"));
                other.BackupTo(backup);
            }
            _store.RestoreFrom(backup);
            Assert.Throws<NamespaceNotFoundException>(() => _store.Apply(plan));
            var bravo = _store.Get("bravo");
            Assert.Equal(1, bravo.Version);
            Assert.Null(bravo.RateLimitRps);
        }
        finally
        {
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(backup)!, Path.GetFileName(backup) + "*")) File.Delete(f);
        }
    }

    [SkippableFact]
    public void A_planned_prune_refuses_to_disable_a_namespace_the_plan_kept()
    {
        _store.Create(T.Ns("keep"));
        _store.Create(T.Ns("other"));
        var plan = _store.PlanImport([T.Ns("keep"), T.Ns("other")], new ImportOptions { Prune = true });
        Assert.All(plan.Results, r => Assert.Equal(ImportAction.Unchanged, r.Action));
        var ex = Assert.Throws<PrismConfigException>(() => _store.ApplyImport([T.Ns("keep")], new ImportOptions { Prune = true }, plan));
        Assert.Equal("ImportChanged", ex.ErrorId);
        Assert.Equal(NamespaceStatus.Active, _store.Get("other").Status);
    }

    /// <summary>Records reports synchronously (System.Progress would post them to the thread pool).</summary>
    private sealed class Progress(List<TimeSpan> seen) : IProgress<TimeSpan>
    {
        public void Report(TimeSpan value) => seen.Add(value);
    }
}
