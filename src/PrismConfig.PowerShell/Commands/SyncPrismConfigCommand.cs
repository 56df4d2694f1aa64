using System.Management.Automation;
using PrismConfig.Core;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Makes and keeps a local SQLite replica of a store (usually a shared PostgreSQL one) for a proxy to read.</para>
/// </summary>
/// <remarks>
/// Run plainly it makes one pass, for cron. With -Continuous it subscribes to the source's commits, then passes
/// after every notification and at least every -PollInterval, until Ctrl+C or -Until. Changes are always read by
/// revision, so a lost notification, a reconnect or an outage costs time, never an update. -WhatIf previews one pass
/// (with -Continuous too) from reads alone; -Confirm asks once, before the first pass.
/// </remarks>
[Cmdlet(VerbsData.Sync, "PrismConfig", DefaultParameterSetName = OnceSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SyncResult))]
public sealed class SyncPrismConfigCommand : PrismCmdlet, IDisposable
{
    private const string OnceSet = "Once";
    private const string ContinuousSet = "Continuous";

    /// <summary>The store to copy: postgresql://…, or a SQLite path or sqlite:///path.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Source { get; set; } = "";

    /// <summary>Keep the replica in step until Ctrl+C or -Until.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ContinuousSet)]
    public SwitchParameter Continuous { get; set; }

    /// <summary>With -Continuous, pass at least this often even when no notification comes; also the longest wait between retries.</summary>
    [Parameter(ParameterSetName = ContinuousSet)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With -Continuous, stop at this time.</summary>
    [Parameter(ParameterSetName = ContinuousSet)]
    public DateTime Until { get; set; }

    private readonly CancellationTokenSource _stop = new();

    private protected override void Complete()
    {
        if (PollInterval <= TimeSpan.Zero)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(PollInterval), "-PollInterval must be more than zero."),
                "PollIntervalInvalid", ErrorCategory.InvalidArgument, PollInterval));
        }
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Until)) && Until.ToUniversalTime() <= DateTime.UtcNow)
        {
            // The loop would end before its first pass, with no output and no word of why.
            var given = Until.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(Until),
                $"-Until {given} is already past, so the sync would stop before its first pass. Give a later time, such as (Get-Date).AddHours(8), or leave -Until out to sync until Ctrl+C."),
                "UntilInPast", ErrorCategory.InvalidArgument, Until));
        }
        var source = ResolveSource();
        if (!Approved(source)) return;
        if (!Continuous)
        {
            // The source first: a pass that cannot reach it must not leave a new, empty replica behind.
            var from = CachedStore(source, create: false);
            var replica = CachedStore(Locator, create: true, out var created);
            try
            {
                Emit(replica.SyncFrom(from, LockWaitProgress()));
            }
            catch (PrismConfigException)
            {
                if (created) StoreCache.Discard(replica);
                throw;
            }
            return;
        }
        RunContinuously(source);
    }

    /// <summary>
    /// Asks once, before the first pass: with -Continuous not once a pass, and -WhatIf previews one pass and stops.
    /// The question carries a read-only preview, so nothing is asked inside a write transaction, and a replica that
    /// does not exist yet is not created to be previewed.
    /// </summary>
    private bool Approved(StoreLocator sourceLocator)
    {
        var action = $"Sync from '{sourceLocator.Display}'";
        if (!WhatIfRequested() && !ConfirmationWillBeAsked(ConfirmImpact.Medium))
        {
            return ShouldProcess(DatabasePath, action);
        }
        var from = CachedStore(sourceLocator, create: false);
        var replica = OpenExistingStore();
        var plan = replica is null ? ConfigStore.PlanSyncIntoNewReplica(Locator, from) : replica.PlanSyncFrom(from);
        action += ": " + Describe(plan);
        return ShouldProcess(DatabasePath, action);
    }

    private static string Describe(SyncResult plan)
    {
        var registry = plan.RegistryChanged ? ", and the changed registry" : "";
        if (plan.Rebuilt)
        {
            return $"a full copy at revision {plan.Revision} ({Count(plan.Namespaces, "namespace")}, {Count(plan.Changes, "history entry", "history entries")}{registry}); reason: {plan.Reason}";
        }
        if (plan.Changes == 0 && !plan.RegistryChanged)
        {
            return $"nothing to copy, the replica is at the source's revision {plan.Revision}";
        }
        return $"revision {plan.FromRevision} → {plan.Revision}, {Count(plan.Changes, "change")} to {Count(plan.Namespaces, "namespace")}{registry}";
    }

    private static string Count(long n, string one, string? many = null) =>
        n.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");

    private StoreLocator ResolveSource()
    {
        try
        {
            return ResolveLocator(Source, this);
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
            throw; // unreachable
        }
    }

    private void RunContinuously(StoreLocator sourceLocator)
    {
        var deadline = MyInvocation.BoundParameters.ContainsKey(nameof(Until)) ? Until.ToUniversalTime() : DateTime.MaxValue;
        var backoff = new Backoff(PollInterval);
        string? failing = null;
        var failingSince = DateTime.UtcNow;
        using var source = new FollowedStore(() => CachedStore(sourceLocator, create: false));
        // The first look is the command's setup: a source that is missing when the sync starts is an error (a typo),
        // while one that goes away later (a file being replaced) is waited for, as an unreachable server is.
        source.Look();
        while (!_stop.IsCancellationRequested && DateTime.UtcNow < deadline)
        {
            try
            {
                // Both stores are looked up every pass: a file replaced or deleted under a long sync is reopened
                // (the replica made again), never read or written through a connection to the old file.
                var from = source.Look();
                var replica = CachedStore(Locator, create: true);
                Emit(replica.SyncFrom(from, LockWaitProgress()));
                if (failing is not null)
                {
                    WriteWarning($"Sync-PrismConfig reached {sourceLocator.Display} again after {Display.Duration(DateTime.UtcNow - failingSince)} and caught up.");
                    failing = null;
                }
                backoff.Reset();
                source.Wait(Backoff.Capped(deadline, PollInterval), _stop.Token);
            }
            catch (ObjectDisposedException)
            {
                // A store this pass held was replaced and closed meanwhile (by this loop or another runspace's
                // lookup): the next pass opens what is there now.
                source.Drop();
            }
            catch (PrismConfigException ex) when (Backoff.IsTransient(ex) || ex.ErrorId == "DatabaseNotFound")
            {
                source.Drop();
                // Once per distinct failure, not once per try: a service's log must not fill with one outage.
                if (failing != ex.Message)
                {
                    if (failing is null) failingSince = DateTime.UtcNow;
                    failing = ex.Message;
                    var why = ex.ErrorId == "DatabaseNotFound" ? $"{sourceLocator.Display} holds no PrismConfig store now (it was moved or deleted)." : ex.Message;
                    WriteWarning($"{why} The replica {DatabasePath} keeps serving its last good state; Sync-PrismConfig retries until the source is back.");
                }
                _stop.Token.WaitHandle.WaitOne(Backoff.Capped(deadline, backoff.Next()));
            }
        }
    }

    private void Emit(SyncResult result)
    {
        if (result.Rebuilt && result.FromRevision > 0)
        {
            WriteWarning($"Rebuilt the replica {result.Database} from a snapshot of {result.Source}: {result.Reason}. It is at revision {result.Revision}.");
        }
        WriteVerbose($"{result.Database}: revision {result.FromRevision} → {result.Revision}, {result.Changes} changes, {result.Namespaces} namespaces, in {Display.Duration(result.Duration)}.");
        // A continuous sync reports the passes that changed something; the plain pass always reports.
        if (!Continuous || result.Rebuilt || result.Revision != result.FromRevision || result.RegistryChanged)
        {
            WriteObject(result);
        }
    }

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();
}
