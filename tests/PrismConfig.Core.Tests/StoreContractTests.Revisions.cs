namespace PrismConfig.Core.Tests;

// The store-wide revision: every commit takes the next one, in commit order, and readers can resume after any.
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public void Every_commit_takes_the_next_revision_and_a_no_op_takes_none()
    {
        Assert.Equal(0, _store.State.Revision);
        _store.Create(T.Ns("rev-a"));
        _store.Create(T.Ns("rev-b"));
        _store.Update("rev-a", new NamespacePatch { RateLimitRps = 5 });
        _store.Update("rev-a", new NamespacePatch { RateLimitRps = 5 }); // no change: nothing committed
        _store.SetStatus("rev-b", NamespaceStatus.Disabled);

        Assert.Equal(4, _store.State.Revision);
        Assert.Equal([1L, 2L, 3L, 4L], _store.GetHistory().Select(h => h.Revision));
        Assert.False(string.IsNullOrEmpty(_store.State.Epoch));
    }

    [SkippableFact]
    public void An_import_is_one_commit_so_all_its_entries_share_one_revision()
    {
        _store.Create(T.Ns("before-import"));
        _store.ImportStream([T.Ns("imp-1"), T.Ns("imp-2"), T.Ns("imp-3")]);
        var entries = _store.GetHistory(new HistoryQuery { AfterRevision = 1 });
        Assert.Equal(3, entries.Count);
        Assert.All(entries, e => Assert.Equal(2, e.Revision));
        Assert.Equal(2, _store.State.Revision);
    }

    [SkippableFact]
    public void A_reader_that_stopped_inside_a_revision_resumes_after_its_last_entry()
    {
        _store.ImportStream([T.Ns("mid-1"), T.Ns("mid-2"), T.Ns("mid-3")]);
        var all = _store.GetHistory(new HistoryQuery { AfterRevision = 0 });
        Assert.Equal(3, all.Count);
        var rest = _store.GetHistory(new HistoryQuery { AfterRevision = all[0].Revision, AfterId = all[0].Id });
        Assert.Equal(all.Skip(1).Select(e => e.Name), rest.Select(e => e.Name));
        _store.Create(T.Ns("mid-after"));
        var last = _store.GetHistory(new HistoryQuery { AfterRevision = all[2].Revision, AfterId = all[2].Id });
        Assert.Equal("mid-after", Assert.Single(last).Name);
    }

    [SkippableFact]
    public void Readers_resume_after_a_revision_with_no_gap_and_no_duplicate()
    {
        for (var i = 0; i < 5; i++) _store.Create(T.Ns("resume-" + i));
        var seen = _store.GetHistory(new HistoryQuery { AfterRevision = 2 }).Select(h => h.Revision).ToList();
        Assert.Equal([3L, 4L, 5L], seen);
        using (var other = _engine.OpenAnother())
        {
            other.Update("resume-0", new NamespacePatch { Description = "from another writer" });
        }
        var next = Assert.Single(_store.GetHistory(new HistoryQuery { AfterRevision = seen[^1] }));
        Assert.Equal(6, next.Revision);
        Assert.Equal("resume-0", next.Name);
    }

    [SkippableFact]
    public async Task Writers_in_two_handles_take_contiguous_revisions_and_the_health_check_agrees()
    {
        using var other = _engine.OpenAnother();
        var tasks = new[] { _store, other }.Select((store, n) => Task.Run(() =>
        {
            for (var i = 0; i < 10; i++) store.Create(T.Ns($"writer{n}-{i}"));
        })).ToArray();
        await Task.WhenAll(tasks);
        var revisions = _store.GetHistory().Select(h => h.Revision).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), revisions);
        Assert.Equal(20, _store.State.Revision);
        var health = _store.CheckHealth();
        Assert.True(health.IsHealthy, string.Join("; ", health.Problems));
    }

    [SkippableFact]
    public void A_whole_store_restore_keeps_later_history_changes_the_epoch_and_leaves_revisions_contiguous()
    {
        using var dir = new TempDir();
        _store.Create(T.Ns("restored"));
        var backup = _store.BackupTo(dir.File("before-update.db"));
        _store.Update("restored", new NamespacePatch { RateLimitRps = 9 });
        var epoch = _store.State.Epoch;

        var audit = _store.RestoreFrom(backup.FullName);

        Assert.True(audit.HistoryMerged);
        Assert.NotEqual(epoch, _store.State.Epoch);
        Assert.Null(_store.Get("restored").RateLimitRps);
        var history = _store.GetHistory(new HistoryQuery { Names = ["restored"] });
        Assert.Equal(["create", "update", "restore"], history.Select(h => h.Operation));
        Assert.Equal(history[^1].Revision, _store.State.Revision);
        var health = _store.CheckHealth();
        Assert.True(health.IsHealthy, string.Join("; ", health.Problems));
    }
}
