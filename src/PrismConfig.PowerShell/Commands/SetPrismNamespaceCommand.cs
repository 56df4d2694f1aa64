using System.Collections;
using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Changes the given fields of namespaces, recording one history entry each; a change to nothing writes nothing.</summary>
/// <remarks>
/// A piped namespace is a read-modify-write: the fields edited on the object since it was read are applied, with its
/// Version as the expected version, so a stale object is a VersionConflict rather than an overwrite of a newer
/// write. Fields the object did not change are not written, so Get | Set -CacheTtlSeconds 60 still changes only that.
/// </remarks>
[Cmdlet(VerbsCommon.Set, "PrismNamespace", SupportsShouldProcess = true)]
[OutputType(typeof(NamespaceConfig))]
public sealed class SetPrismNamespaceCommand : NamespaceCmdlet
{
    /// <summary>Names or wildcard patterns; with a piped namespace, its own name.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>A namespace from Get-PrismNamespace, edited in place; typed object so Core loads only through the module's context.</summary>
    [Parameter(ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    [Parameter]
    public string? Description { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(BackendCompleter))]
    public string? Backend { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(PatternCompleter))]
    public string? Pattern { get; set; }

    /// <summary>Replaces the whole backend config.</summary>
    [Parameter]
    [TableTransformation]
    public Hashtable? BackendConfig { get; set; }

    /// <summary>Sets these backend config keys, keeping the others.</summary>
    [Parameter]
    [TableTransformation]
    public Hashtable? BackendConfigUpdate { get; set; }

    /// <summary>Removes these backend config keys.</summary>
    [Parameter]
    public string[]? RemoveBackendConfigKey { get; set; }

    [Parameter]
    public string? ConnectionString { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(ConsistencyCompleter))]
    public string? Consistency { get; set; }

    [Parameter]
    public int CacheTtlSeconds { get; set; }

    [Parameter]
    public int RateLimitRps { get; set; }

    /// <summary>Replaces every tag.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? Tag { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? AddTag { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? RemoveTag { get; set; }

    /// <summary>Sets these feature flags, leaving the others alone.</summary>
    [Parameter]
    [TableTransformation]
    public Hashtable? Feature { get; set; }

    [Parameter]
    public string[]? RemoveFeature { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(StatusCompleter))]
    public string? Status { get; set; }

    [Parameter]
    public int ExpectedVersion { get; set; }

    [Parameter]
    public string? Reason { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    public string? PatternVersion { get; set; }

    /// <summary>Adds or replaces these slots by name; others keep their place.</summary>
    [Parameter]
    public object? Slots { get; set; }

    [Parameter]
    public string[]? RemoveSlot { get; set; }

    /// <summary>Replaces the whole behaviour mapping.</summary>
    [Parameter]
    [TableTransformation]
    public Hashtable? Behavior { get; set; }

    /// <summary>Optional fields to empty; a number cannot say "none", so this does.</summary>
    [Parameter]
    [ValidateSet("RateLimitRps", "CacheTtlSeconds")]
    public string[]? Clear { get; set; }

    /// <summary>Refuse a backend, pattern or parameter the store's registry does not define, instead of warning.</summary>
    [Parameter]
    public SwitchParameter Strict { get; set; }

    private protected override void ProcessItem()
    {
        var edited = EditedNamespace();
        var names = edited is not null ? [edited.Name] : Name?.Where(n => !string.IsNullOrEmpty(n)).ToArray() ?? [];
        if (names.Length == 0)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Name, or pipe a namespace from Get-PrismNamespace."),
                "NameRequired", ErrorCategory.InvalidArgument, null));
        }
        var expected = BoundInt(nameof(ExpectedVersion), ExpectedVersion) ?? edited?.Version;
        var patch = BuildPatch();
        patch.Edited = edited;
        try
        {
            AddSlotModel(patch, names[0]);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
            return;
        }
        var store = OpenStore(create: false);
        var targets = edited is not null || names.All(n => !WildcardPattern.ContainsWildcardCharacters(n))
            ? names
            : Resolve(store, names).Select(ns => ns.Name).ToArray();
        foreach (var name in targets)
        {
            PlanConfirmApply(
                () => store.PlanUpdate(name, patch, expected),
                plan => Display.DescribeChanges(plan.Changes),
                result => $"Namespace '{result.Config.Name}' is now at version {result.Config.Version}: {Display.DescribeChanges(result.Changes)}.",
                Reason, expected, PassThru, StrictWrites(Strict));
        }
    }

    /// <summary>The piped namespace, its tables unwrapped so that values a user put in them reach Core as plain data.</summary>
    private NamespaceConfig? EditedNamespace()
    {
        if ((InputObject is PSObject pso ? pso.BaseObject : InputObject) is not NamespaceConfig ns) return null;
        var copy = ns.Clone();
        copy.BackendConfig = PrismCmdlet.UnwrapTable(copy.BackendConfig) ?? NamespaceConfig.NewTable();
        copy.Features = InputConversion.FeatureTable(copy.Features) ?? NamespaceConfig.NewTable();
        copy.Behavior = PrismCmdlet.UnwrapTable(copy.Behavior) ?? NamespaceConfig.NewTable();
        foreach (var (_, slot) in copy.Slots.Entries())
        {
            slot.Config = PrismCmdlet.UnwrapTable(slot.Config) ?? NamespaceConfig.NewTable();
        }
        return copy;
    }

    private NamespacePatch BuildPatch()
    {
        var bound = MyInvocation.BoundParameters;
        return new NamespacePatch
        {
            Description = bound.ContainsKey(nameof(Description)) ? Description ?? "" : null,
            Backend = bound.ContainsKey(nameof(Backend)) ? Backend ?? "" : null,
            Pattern = bound.ContainsKey(nameof(Pattern)) ? Pattern ?? "" : null,
            Consistency = bound.ContainsKey(nameof(Consistency)) ? Consistency ?? "" : null,
            Status = bound.ContainsKey(nameof(Status)) ? Status ?? "" : null,
            CacheTtlSeconds = BoundInt(nameof(CacheTtlSeconds), CacheTtlSeconds),
            RateLimitRps = BoundInt(nameof(RateLimitRps), RateLimitRps),
            BackendConfig = bound.ContainsKey(nameof(BackendConfig)) ? PrismCmdlet.UnwrapTable(BackendConfig) ?? NamespaceConfig.NewTable() : null,
            SetBackendConfig = PrismCmdlet.UnwrapTable(BackendConfigUpdate),
            RemoveBackendConfigKeys = InputConversion.SplitList(RemoveBackendConfigKey),
            ConnectionString = bound.ContainsKey(nameof(ConnectionString)) ? ConnectionString ?? "" : null,
            Tags = bound.ContainsKey(nameof(Tag)) ? InputConversion.SplitList(Tag) ?? [] : null,
            AddTags = InputConversion.SplitList(AddTag),
            RemoveTags = InputConversion.SplitList(RemoveTag),
            Features = InputConversion.FeatureTable(Feature),
            RemoveFeatures = InputConversion.SplitList(RemoveFeature),
            Clear = Clear,
        };
    }

    private void AddSlotModel(NamespacePatch patch, string name)
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey(nameof(PatternVersion))) patch.PatternVersion = PatternVersion ?? "";
        if (bound.ContainsKey(nameof(Behavior))) patch.Behavior = PrismCmdlet.UnwrapTable(Behavior) ?? NamespaceConfig.NewTable();
        patch.RemoveSlot = InputConversion.SplitList(RemoveSlot);
        try
        {
            patch.Slots = SlotConversion.ToSlots(Slots);
        }
        catch (ArgumentException ex)
        {
            throw new ValidationException(name, "slots", null, ex.Message);
        }
    }
}
