using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Display;
using PrismConfig.Core.Yaml;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// Shows, field by field with old and new values (secrets masked), what differs between two versions of a namespace,
/// or between YAML files and the store: kubectl diff for PrismConfig. Reads only; never creates a database.
/// </summary>
[Cmdlet(VerbsData.Compare, "PrismNamespace", DefaultParameterSetName = VersionsSet)]
[OutputType(typeof(FieldChange))]
public sealed class ComparePrismNamespaceCommand : PrismCmdlet
{
    private const string VersionsSet = "Versions";
    private const string PathSet = "Path";

    /// <summary>The namespace whose versions to compare.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = VersionsSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>The version to compare from: its values are the OldValue.</summary>
    [Parameter(Mandatory = true, ParameterSetName = VersionsSet)]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public int ReferenceVersion { get; set; }

    /// <summary>The version to compare to (its values are the NewValue); the current version when omitted.</summary>
    [Parameter(ParameterSetName = VersionsSet)]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public int DifferenceVersion { get; set; }

    /// <summary>YAML files (wildcards allowed) to compare with the store: the store is OldValue, the files NewValue.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    private readonly List<string> files = [];

    private protected override void ProcessItem()
    {
        if (ParameterSetName == PathSet)
        {
            foreach (var path in Path) files.AddRange(ResolveYamlFiles(path, "Nothing was compared."));
            return;
        }
        var store = OpenStore(create: false);
        int? difference = MyInvocation.BoundParameters.ContainsKey(nameof(DifferenceVersion)) ? DifferenceVersion : null;
        IReadOnlyList<FieldChange> changes;
        try
        {
            changes = store.CompareVersions(Name, ReferenceVersion, difference);
        }
        catch (PrismConfigException ex)
        {
            WriteCoreError(ex);
            return;
        }
        WriteMasked(changes);
    }

    private protected override void Complete()
    {
        if (ParameterSetName != PathSet || files.Count == 0) return;
        var paths = files.Distinct(StringComparer.Ordinal).ToList();
        var desired = paths.SelectMany(f => NamespaceYaml.StreamFile(f)).Select(item => item.Config);
        // A store that does not exist is compared as an empty one, and is not created.
        var store = OpenExistingStore();
        IReadOnlyList<FieldChange> changes;
        try
        {
            changes = store is null ? ConfigStore.CompareDesiredWithNewStore(desired) : store.CompareDesired(desired, WriteCoreError);
        }
        catch (PrismConfigException ex)
        {
            // A name the files define twice is named at both places.
            ThrowCoreError(NamespaceYaml.InFiles(ex, paths));
            return;
        }
        WriteMasked(changes);
    }

    private void WriteMasked(IReadOnlyList<FieldChange> changes)
    {
        foreach (var c in changes)
        {
            WriteObject(new FieldChange
            {
                Name = c.Name,
                Path = c.Path,
                OldValue = SecretMasker.MaskAnyChange(c.Path, c.OldValue),
                NewValue = SecretMasker.MaskAnyChange(c.Path, c.NewValue),
            });
        }
    }
}
