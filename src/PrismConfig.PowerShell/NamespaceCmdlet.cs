using System.Globalization;
using System.Management.Automation;
using PrismConfig.Core;

namespace PrismConfig.PowerShell;

/// <summary>What the namespace cmdlets share beyond <see cref="PrismCmdlet"/>: write targets, version checks, not-found errors.</summary>
public abstract class NamespaceCmdlet : PrismCmdlet
{
    /// <summary>The ShouldProcess target: the namespace and the file it lives in.</summary>
    protected string TargetText(string name) => Display.Target(name, DatabasePath);

    private protected void WriteNotFound(string name) => WriteCoreError(new NamespaceNotFoundException(name));

    private protected static WriteContext NewContext(string? reason, int? expectedVersion, IProgress<TimeSpan>? lockWait, bool strict = false) =>
        new() { Reason = InputConversion.NullIfEmpty(reason), ExpectedVersion = expectedVersion, LockWaitProgress = lockWait, Strict = strict };

    /// <summary>
    /// The one shape of every change to an existing namespace: read it once and compute the change (the plan), say
    /// nothing and write nothing if it changes nothing, ask ShouldProcess with the changes, then write with the
    /// planned version as the condition, so a change made by anyone in between is a VersionConflict, never lost.
    /// </summary>
    private protected void PlanConfirmApply(Func<WritePlan> plan, Func<WritePlan, string> action, Func<WriteResult, string> done,
        string? reason, int? expectedVersion, bool passThru, bool strict = false)
    {
        var store = OpenStore(create: false);
        WritePlan planned;
        try
        {
            planned = plan();
        }
        catch (PrismConfigException ex) when (!IsSetupFailure(ex))
        {
            WriteCoreError(ex);
            return;
        }
        if (!planned.Changed)
        {
            WriteVerbose($"Namespace '{planned.Name}' already has these values; nothing was written and it stays at version {planned.Current.Version}.");
            if (passThru) WriteObject(planned.Current);
            return;
        }
        // The registry's verdict comes before the question, so -WhatIf shows it too.
        if (strict && planned.Warnings.Count > 0)
        {
            WriteCoreError(planned.Warnings[0].ToError());
            return;
        }
        WriteRegistryWarnings(planned.Warnings);
        if (!ShouldProcess(TargetText(planned.Name), action(planned)))
        {
            return;
        }
        try
        {
            var result = store.Apply(planned, NewContext(reason, expectedVersion, LockWaitProgress(), strict));
            // The wait ends the line so that a user (and the reliability suite) can see what the lock cost.
            var line = done(result);
            WriteVerbose((line.EndsWith('.') ? line[..^1] : line) + string.Format(CultureInfo.InvariantCulture,
                " (waited {0:0.#} ms for the write lock).", result.LockWait.TotalMilliseconds));
            if (passThru) WriteObject(result.Config);
        }
        catch (PrismConfigException ex) when (AboutTheStore(ex))
        {
            // Every other namespace in the pipeline would meet the same store: stop, as Get and Import do.
            ThrowCoreError(ex);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
        }
    }

    /// <summary>An error of the store as a whole (unwritable, unreachable, damaged, or its lock not had in time), not of one namespace.</summary>
    private static bool AboutTheStore(PrismConfigException ex) => IsSetupFailure(ex) || ex.Kind == PrismErrorKind.Busy;

    /// <summary>The namespace, or null after reporting it as not found or damaged, so that the other names go on.</summary>
    private protected NamespaceConfig? TryGetReporting(ConfigStore store, string name)
    {
        try
        {
            var ns = store.TryGet(name);
            if (ns is null) WriteNotFound(name);
            return ns;
        }
        catch (NamespaceDamagedException ex)
        {
            WriteCoreError(ex);
            return null;
        }
    }

    private protected int? BoundInt(string parameter, int value) =>
        MyInvocation.BoundParameters.ContainsKey(parameter) ? value : null;

    /// <summary>
    /// The namespaces a name list means: literal names as given (missing ones reported), wildcards expanded against
    /// the store (matching nothing is not an error). Sorted by name, each once.
    /// </summary>
    private protected List<NamespaceConfig> Resolve(ConfigStore store, IEnumerable<string> names)
    {
        var found = new SortedDictionary<string, NamespaceConfig>(StringComparer.Ordinal);
        List<string>? patterns = null;
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name)) continue;
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                (patterns ??= []).Add(name);
                continue;
            }
            var ns = TryGetReporting(store, name);
            if (ns is not null) found[ns.Name] = ns;
        }
        if (patterns is not null)
        {
            foreach (var ns in store.List(new NamespaceQuery { Names = patterns }, WriteCoreError))
            {
                found[ns.Name] = ns;
            }
        }
        return [.. found.Values];
    }
}

/// <summary>
/// The parameters every guarded change to existing namespaces takes: the version it expects, and the reason for
/// its history row.
/// </summary>
public abstract class GuardedWriteCmdlet : NamespaceCmdlet
{
    [Parameter]
    public int ExpectedVersion { get; set; }

    [Parameter]
    public string? Reason { get; set; }

    private protected int? Expected => BoundInt(nameof(ExpectedVersion), ExpectedVersion);
}
