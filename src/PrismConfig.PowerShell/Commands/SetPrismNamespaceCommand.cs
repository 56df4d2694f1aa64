using System.Collections;
using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Changes the given fields of a namespace, recording one history entry; a change to nothing writes nothing.</summary>
/// <remarks>
/// Only -Name binds from the pipeline. A piped namespace must not feed its own Backend, Tags or Version back in as
/// changes or as an -ExpectedVersion the user never asked for.
/// </remarks>
[Cmdlet(VerbsCommon.Set, "PrismNamespace", SupportsShouldProcess = true)]
[OutputType(typeof(NamespaceConfig))]
public sealed class SetPrismNamespaceCommand : NamespaceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string Name { get; set; } = "";

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
    public string[]? Tag { get; set; }

    [Parameter]
    public string[]? AddTag { get; set; }

    [Parameter]
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
        var expected = BoundInt(nameof(ExpectedVersion), ExpectedVersion);
        var patch = BuildPatch();
        try
        {
            AddSlotModel(patch);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
            return;
        }
        PlanConfirmApply(
            () => OpenStore(create: false).PlanUpdate(Name, patch, expected),
            plan => Display.DescribeChanges(plan.Changes),
            result => $"Namespace '{result.Config.Name}' is now at version {result.Config.Version}: {Display.DescribeChanges(result.Changes)}.",
            Reason, expected, PassThru, StrictWrites(Strict));
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
            ConnectionString = bound.ContainsKey(nameof(ConnectionString)) ? ConnectionString ?? "" : null,
            Tags = bound.ContainsKey(nameof(Tag)) ? InputConversion.SplitList(Tag) ?? [] : null,
            AddTags = InputConversion.SplitList(AddTag),
            RemoveTags = InputConversion.SplitList(RemoveTag),
            Features = InputConversion.FeatureTable(Feature),
            RemoveFeatures = InputConversion.SplitList(RemoveFeature),
            Clear = Clear,
        };
    }

    private void AddSlotModel(NamespacePatch patch)
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
            throw new ValidationException(Name, "slots", null, ex.Message);
        }
    }
}
