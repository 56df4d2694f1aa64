using System.Collections;
using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Validation;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Creates a namespace at version 1.</summary>
/// <remarks>
/// Every parameter binds by property name, so rows of Import-Csv (or namespaces from another store) pipe straight
/// in; a blank CSV cell means "not given".
/// </remarks>
[Cmdlet(VerbsCommon.New, "PrismNamespace", SupportsShouldProcess = true)]
[OutputType(typeof(NamespaceConfig))]
public sealed class NewPrismNamespaceCommand : NamespaceCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>
    /// Required for a single-backend namespace; a namespace with slots takes its first slot's. Not mandatory to the
    /// binder: a piped namespace carries both Backend and Slots, which parameter sets could not tell apart.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(BackendCompleter))]
    public string Backend { get; set; } = "";

    /// <summary>Slot name to @{ backend; interfaces; config }; use [ordered]@{} to set the slot order.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public object? Slots { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PatternVersion { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TableTransformation]
    public Hashtable? Behavior { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PatternCompleter))]
    public string Pattern { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TableTransformation]
    public Hashtable? BackendConfig { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ConnectionString { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConsistencyCompleter))]
    public string? Consistency { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull]
    public int? CacheTtlSeconds { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull]
    public int? RateLimitRps { get; set; }

    /// <summary>Tags; each element may itself be a "a;b" or "a,b" list, as a CSV cell gives it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Tags")]
    [ArgumentCompleter(typeof(TagCompleter))]
    public string[]? Tag { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Features")]
    [TableTransformation]
    public Hashtable? Feature { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(StatusCompleter))]
    public string? Status { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Reason { get; set; }

    /// <summary>Refuse a backend, pattern or parameter the store's registry does not define, instead of warning.</summary>
    [Parameter]
    public SwitchParameter Strict { get; set; }

    private protected override void ProcessItem()
    {
        var config = new NamespaceConfig
        {
            Name = Name,
            Description = InputConversion.NullIfEmpty(Description),
            Backend = Backend,
            Pattern = Pattern,
            Status = InputConversion.NullIfEmpty(Status) ?? NamespaceStatus.Active,
            Consistency = InputConversion.NullIfEmpty(Consistency) ?? ConsistencyLevel.Eventual,
            CacheTtlSeconds = CacheTtlSeconds,
            RateLimitRps = RateLimitRps,
            BackendConfig = PrismCmdlet.UnwrapTable(BackendConfig) ?? NamespaceConfig.NewTable(),
            Tags = InputConversion.SplitList(Tag) ?? [],
            Features = InputConversion.FeatureTable(Feature) ?? NamespaceConfig.NewTable(),
        };
        if (InputConversion.NullIfEmpty(ConnectionString) is { } connection)
        {
            config.BackendConfig["connection_string"] = connection;
        }

        try
        {
            AddSlotModel(config);
            // Invalid input fails the same way with or without -WhatIf, before anything is asked or opened.
            NamespaceValidator.Validate(config);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
            return;
        }

        var existing = OpenExistingStore();
        // Thrown, not written: the whole store refuses, so every further item would meet it.
        existing?.ThrowIfReplica();
        if (existing?.TryGet(config.Name) is not null)
        {
            WriteCoreError(new NamespaceExistsException(config.Name));
            return;
        }

        var strict = StrictWrites(Strict);
        try
        {
            // The registry's verdict comes before the question, so -WhatIf shows it too.
            if (existing is not null) WriteRegistryWarnings(existing.CheckRegistry(config, strict));
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
            return;
        }

        if (!ShouldProcess(TargetText(config.Name), Display.DescribeNew(config)))
        {
            return;
        }

        try
        {
            var created = OpenStore(create: true).Create(config, NewContext(Reason, null, LockWaitProgress(), strict));
            WriteVerbose($"Created namespace '{created.Name}' at version {created.Version} in {DatabasePath}.");
            WriteObject(created);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
        }
    }

    private void AddSlotModel(NamespaceConfig config)
    {
        config.PatternVersion = InputConversion.NullIfEmpty(PatternVersion);
        config.Behavior = PrismCmdlet.UnwrapTable(Behavior) ?? NamespaceConfig.NewTable();
        SlotTable? slots;
        try
        {
            slots = SlotConversion.ToSlots(Slots);
        }
        catch (ArgumentException ex)
        {
            throw new ValidationException(Name, "slots", null, ex.Message);
        }
        if (slots is not { Count: > 0 })
        {
            if (string.IsNullOrEmpty(config.Backend))
            {
                throw new ValidationException(Name, "backend", null, "give -Backend, or -Slots for a namespace in Prism's slot form.");
            }
            return;
        }
        config.Slots = slots;
        // The ADR's columns follow the first slot; given explicitly (piped from Get-PrismNamespace) they must agree.
        var (_, first) = slots.Entries().First();
        if (string.IsNullOrEmpty(config.Backend)) config.Backend = first.Backend;
        if (config.BackendConfig.Count == 0) config.BackendConfig = (Hashtable)PrismCmdlet.Unwrap(first.Config)!;
    }
}
