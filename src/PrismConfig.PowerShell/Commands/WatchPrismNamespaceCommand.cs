using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// Streams history entries as they commit, from any process, until Ctrl+C or -Timeout: LISTEN on PostgreSQL, the
/// change token with a short poll on SQLite. Entries are read by revision, so -Since resumes with no gap and no
/// duplicate, and so does the watch itself after the store could not be reached for a while.
/// </summary>
[Cmdlet(VerbsCommon.Watch, "PrismNamespace", DefaultParameterSetName = SinceSet)]
[OutputType(typeof(HistoryEntry))]
public sealed class WatchPrismNamespaceCommand : PrismCmdlet, IDisposable
{
    private const string SinceSet = "Since";
    private const string AfterSet = "After";

    /// <summary>Names or wildcard patterns; every namespace when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Start after this revision (the Revision of the last entry seen); without it, only what commits from now on.</summary>
    [Parameter(ParameterSetName = SinceSet)]
    [ValidateRange(0, long.MaxValue)]
    public long Since { get; set; }

    /// <summary>
    /// Start after this history entry (the last one processed), even in the middle of its revision: an object with
    /// Revision and Id, as Watch-PrismNamespace and Get-PrismNamespaceHistory write them.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = AfterSet)]
    public PSObject? After { get; set; }

    /// <summary>Stop after this long; without it, watch until Ctrl+C.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; }

    private readonly CancellationTokenSource _stop = new();

    /// <summary>Without a notification, the store is read again this often anyway.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between tries at a store that cannot be reached.</summary>
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    /// <summary>The revision after which the next read starts: the last one this watch has gone past.</summary>
    private long _last;

    /// <summary>The epoch <see cref="_last"/> belongs to.</summary>
    private string _epoch = "";

    /// <summary>When this watch last read the store and found <see cref="_epoch"/>: a restore that changed it committed later.</summary>
    private DateTimeOffset _epochSeenAt = DateTimeOffset.UtcNow;

    /// <summary>
    /// How much earlier than <see cref="_epochSeenAt"/> a restore's own entries may be dated: they are written inside
    /// its transaction, which may have begun before that read, and on another host's clock.
    /// </summary>
    private static readonly TimeSpan RestoreClockSlack = TimeSpan.FromMinutes(1);

    /// <summary>
    /// From -After until the first read that works: the entries of revision <see cref="_last"/> up to this history
    /// row id have been processed too. Every later read starts after a whole revision.
    /// </summary>
    private long? _afterId;

    private protected override void ProcessItem()
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey(nameof(Timeout)) && Timeout <= TimeSpan.Zero)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(Timeout), "-Timeout must be more than zero: give how long to watch, such as 00:05:00, or leave -Timeout out to watch until Ctrl+C."),
                "TimeoutInvalid", ErrorCategory.InvalidArgument, Timeout));
        }
        var resume = After is null ? ((long Revision, long Id)?)null : ResumePoint(After);
        var deadline = bound.ContainsKey(nameof(Timeout)) ? DateTime.UtcNow + Timeout : DateTime.MaxValue;
        var names = Name?.Where(n => !string.IsNullOrEmpty(n)).ToArray();

        using var followed = new FollowedStore(() => CachedStore(Locator, create: false));
        // The first look is the command's setup: a store that is missing or unreachable when the watch starts is an
        // error. Once it is watching, losing the store is an outage to wait out.
        var store = followed.Look();
        var start = store.State;
        _epoch = start.Epoch;
        _last = resume?.Revision ?? (bound.ContainsKey(nameof(Since)) ? Since : start.Revision);
        _afterId = resume?.Id;
        if (_last > start.Revision)
        {
            // Silence until the store passes it would look like a quiet store, not a mistyped revision.
            WriteWarning($"{(resume is null ? "-Since" : "-After's revision")} {_last} is beyond {DatabasePath}'s revision {start.Revision}: nothing is shown until a commit passes it. "
                + "Give a revision from Get-PrismNamespaceHistory or Get-PrismConfigStatus.");
        }
        WriteVerbose($"Watching {DatabasePath} after revision {_last}.");
        Follow(followed, store, deadline, names is { Length: > 0 } ? names : null);
    }

    /// <summary>
    /// Reads and waits until Ctrl+C or the deadline. A pass that cannot reach the store is tried again, and the
    /// next one that can goes on after <see cref="_last"/>. <paramref name="read"/> is the store the watch has
    /// read so far: another one at the path is another file.
    /// </summary>
    private void Follow(FollowedStore followed, ConfigStore read, DateTime deadline, string[]? names)
    {
        var backoff = new Backoff(LongestRetry);
        DateTime? lostAt = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var store = followed.Look();
                var readAt = DateTimeOffset.UtcNow;
                var current = store.State;
                if (lostAt is { } since)
                {
                    WriteWarning($"Watch-PrismNamespace reached {DatabasePath} again after {Display.Duration(DateTime.UtcNow - since)}; "
                        + $"it goes on after revision {_last}, so nothing committed meanwhile is missed.");
                    lostAt = null;
                    backoff.Reset();
                }
                if (!ReferenceEquals(store, read))
                {
                    // The path names another file now. A copy of the same store (same epoch, at least the revision
                    // seen) names the same changes by its revisions up to the point it was copied, so the watch goes
                    // on after the last one it showed; but the copy may have taken other commits since (an edited
                    // backup), under revisions already shown, and nothing in the file says so: always warn.
                    if (current.Epoch != _epoch || current.Revision < _last)
                    {
                        Renumbered(store, current, otherFile: true);
                    }
                    else
                    {
                        WriteWarning($"{DatabasePath} is now another store file than the one this watch was reading, a copy of the same store. "
                            + $"The watch goes on after revision {_last}; if the copy took other commits at or before that revision, they are not shown here, "
                            + "and Get-PrismNamespaceHistory shows them.");
                    }
                    read = store;
                }
                else if (current.Epoch != _epoch)
                {
                    Renumbered(store, current, otherFile: false);
                }
                Stream(store, current.Revision, names);
                _epochSeenAt = readAt;

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return;
                followed.Wait(left < Poll ? left : Poll, _stop.Token);
            }
            catch (ObjectDisposedException)
            {
                // The store this pass read was replaced and closed meanwhile, by this lookup or another runspace's:
                // the next pass opens what is at the path now.
                followed.Drop();
            }
            catch (PrismConfigException ex) when (Backoff.IsTransient(ex) || ex.ErrorId == "DatabaseNotFound")
            {
                followed.Drop();
                // Once per outage, not once per try: a service's log must not fill with one outage.
                if (lostAt is null)
                {
                    lostAt = DateTime.UtcNow;
                    var why = ex.ErrorId == "DatabaseNotFound" ? $"{DatabasePath} holds no PrismConfig store now (it was moved, deleted or dropped)." : ex.Message;
                    WriteWarning($"{why} Watch-PrismNamespace keeps trying, and goes on after revision {_last} once the store is back.");
                }
                if (DateTime.UtcNow >= deadline) return;
                _stop.Token.WaitHandle.WaitOne(Backoff.Capped(deadline, backoff.Next()));
            }
        }
    }

    /// <summary>Writes the entries after <see cref="_last"/> and moves past <paramref name="state"/>.</summary>
    private void Stream(ConfigStore store, long state, string[]? names)
    {
        var entries = store.GetHistory(new HistoryQuery { AfterRevision = _last, AfterId = _afterId, Names = names, IncludeRemoved = true });
        _afterId = null;
        foreach (var entry in entries.OrderBy(e => e.Revision))
        {
            WriteObject(entry);
            if (entry.Revision > _last) _last = entry.Revision;
        }
        // Every commit up to the revision read first is visible to the history read that followed (revisions are
        // taken in commit order), so the watch can move past it even when none of its entries matched the names.
        if (state > _last) _last = state;
    }

    /// <summary>
    /// The store's revisions no longer name the changes this watch has seen: a whole-store restore (a new epoch) made
    /// them continue from the backup's, or the path now names <paramref name="otherFile"/>, a store with revisions of
    /// its own. Waiting for them to pass <see cref="_last"/> would hide every commit until then.
    /// </summary>
    private void Renumbered(ConfigStore store, StoreState current, bool otherFile)
    {
        _epoch = current.Epoch;
        _afterId = null;
        if (otherFile)
        {
            // Nothing in the new file says which of its commits came after it took the path: go on from now.
            _last = current.Revision;
            WriteWarning($"{DatabasePath} is now another store file than the one this watch was reading, with revisions of its own. "
                + $"The watch goes on after its revision {_last}; Get-PrismNamespaceHistory shows what the file already holds.");
            return;
        }
        // Go on after the restore's own revision, not after the one read now: commits made between the restore and
        // this read come after it, and would otherwise be skipped. A restore that changed nothing writes no entry,
        // and the newest one is then an old one from the backup's history: going on after it would show again
        // every entry the backup holds after it. Only an entry dated after the last read of the old epoch is ours.
        var restored = store.GetHistory(new HistoryQuery { Operations = ["restore"], Last = 1, IncludeRemoved = true });
        _last = restored.Count == 1 && restored[0].Revision <= current.Revision && restored[0].ChangedAt >= _epochSeenAt - RestoreClockSlack
            ? restored[0].Revision
            : current.Revision;
        WriteWarning($"{DatabasePath} was replaced by a whole-store restore; its revisions now continue from the backup's. "
            + $"The watch goes on after revision {_last}; Get-PrismNamespaceHistory -Operation restore shows what the restore changed.");
    }

    /// <summary>
    /// -After's revision and history row id. Read by property name, so an entry saved with Export-Clixml or
    /// ConvertTo-Json serves as well as a live one.
    /// </summary>
    private (long Revision, long Id) ResumePoint(PSObject entry)
    {
        var revision = entry.Properties["Revision"]?.Value;
        var id = entry.Properties["Id"]?.Value;
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (revision is not null && id is not null && LanguagePrimitives.TryConvertTo<long>(revision, culture, out var r)
            && LanguagePrimitives.TryConvertTo<long>(id, culture, out var i) && r >= 0)
        {
            return (r, i);
        }
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(
            "-After takes a history entry, as Watch-PrismNamespace and Get-PrismNamespaceHistory write them (or one saved with Export-Clixml or ConvertTo-Json): "
            + $"an object with a Revision and an Id, which '{entry}' lacks. Give the last entry you processed, or -Since and its Revision."),
            "AfterInvalid", ErrorCategory.InvalidArgument, entry));
        return default; // unreachable: ThrowTerminatingError always throws
    }

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();
}
