using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Registry;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Lists the pattern and backend definitions the store checks namespaces against.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PrismRegistry")]
[OutputType(typeof(RegistryDefinition))]
public sealed class GetPrismRegistryCommand : PrismCmdlet
{
    /// <summary>Definition names or wildcard patterns. A literal name that is not defined is an error.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Only patterns, or only backends.</summary>
    [Parameter]
    [ValidateSet("Pattern", "Backend")]
    public string? Kind { get; set; }

    private protected override void ProcessItem()
    {
        var store = OpenStore(create: false);
        var kind = Kind?.ToLowerInvariant();
        var names = Name?.Where(n => !string.IsNullOrEmpty(n)).ToList();
        var found = store.GetRegistry(kind, names is { Count: > 0 } ? names : null);
        foreach (var literal in names?.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)) ?? [])
        {
            if (!found.Any(d => string.Equals(d.Name, literal, StringComparison.OrdinalIgnoreCase)))
            {
                WriteCoreError(new PrismConfigException(PrismErrorKind.NotFound, "RegistryDefinitionNotFound",
                    $"The registry defines no {(kind ?? "pattern or backend")} '{literal}'. Run Get-PrismRegistry to list the definitions, or add it with Import-PrismRegistry.", literal));
            }
        }
        WriteObject(found, enumerateCollection: true);
    }
}
