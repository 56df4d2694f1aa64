using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// Streams history entries as they commit, from any process, until Ctrl+C or -Timeout: LISTEN on PostgreSQL, the
/// change token with a short poll on SQLite. Entries are read by revision, so -Since resumes with no gap and no
/// duplicate.
/// </summary>
[Cmdlet(VerbsCommon.Watch, "PrismNamespace")]
[OutputType(typeof(HistoryEntry))]
public sealed class WatchPrismNamespaceCommand : PrismCmdlet, IDisposable
{
    /// <summary>Names or wildcard patterns; every namespace when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Start after this revision (the Revision of the last entry seen); without it, only what commits from now on.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long Since { get; set; }

    /// <summary>Stop after this long; without it, watch until Ctrl+C.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; }

    private readonly CancellationTokenSource _stop = new();

    /// <summary>Without a notification, the store is read again this often anyway.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private protected override void ProcessItem()
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey(nameof(Timeout)) && Timeout <= TimeSpan.Zero)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(Timeout), "-Timeout must be more than zero."),
                "TimeoutInvalid", ErrorCategory.InvalidArgument, Timeout));
        }
        var store = OpenStore(create: false);
        var deadline = bound.ContainsKey(nameof(Timeout)) ? DateTime.UtcNow + Timeout : DateTime.MaxValue;
        var names = Name?.Where(n => !string.IsNullOrEmpty(n)).ToArray();

        // Subscribe before the first read: a commit between the two still rings the first wait.
        using var changes = store.SubscribeToChanges();
        var start = store.State;
        var epoch = start.Epoch;
        var last = bound.ContainsKey(nameof(Since)) ? Since : start.Revision;
        if (last > start.Revision)
        {
            // Silence until the store passes it would look like a quiet store, not a mistyped revision.
            WriteWarning($"-Since {last} is beyond {DatabasePath}'s revision {start.Revision}: nothing is shown until a commit passes it. "
                + "Give a revision from Get-PrismNamespaceHistory or Get-PrismConfigStatus.");
        }
        WriteVerbose($"Watching {DatabasePath} after revision {last}.");
        while (!_stop.IsCancellationRequested)
        {
            // Every commit up to the revision read first is visible to the history read that follows (revisions are
            // taken in commit order), so the watch can move past it even when none of its entries matched the names.
            var current = store.State;
            var state = current.Revision;
            if (current.Epoch != epoch)
            {
                // A whole-store restore: revisions now run on from the backup's, so the ones this watch has seen
                // name other changes. Waiting for them to pass `last` would hide every commit until then.
                epoch = current.Epoch;
                // Go on after the restore's own revision, not after the one read now: commits made between the
                // restore and this read come after it, and would otherwise be skipped.
                var restored = store.GetHistory(new HistoryQuery { Operations = ["restore"], Last = 1, IncludeRemoved = true });
                last = restored.Count == 1 && restored[0].Revision <= state ? restored[0].Revision : state;
                WriteWarning($"{DatabasePath} was replaced by a whole-store restore; its revisions now continue from the backup's. "
                    + $"The watch goes on after revision {last}; Get-PrismNamespaceHistory -Operation restore shows what the restore changed.");
            }
            var entries = store.GetHistory(new HistoryQuery { AfterRevision = last, Names = names is { Length: > 0 } ? names : null, IncludeRemoved = true });
            foreach (var entry in entries.OrderBy(e => e.Revision))
            {
                WriteObject(entry);
                if (entry.Revision > last) last = entry.Revision;
            }
            if (state > last) last = state;

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return;
            changes.Wait(left < Poll ? left : Poll, _stop.Token);
        }
    }

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();
}
