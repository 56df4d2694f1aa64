using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.Core.Yaml;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">The ADR-036 start-up: creates and migrates the store, and seeds it from YAML only while it is empty.</para>
/// </summary>
[Cmdlet(VerbsData.Initialize, "PrismConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StoreStatus))]
public sealed class InitializePrismConfigCommand : PrismCmdlet
{
    /// <summary>A YAML file to import when the store holds no namespaces yet; ignored (and not read) otherwise.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? FromYaml { get; set; }

    private protected override void Complete()
    {
        var database = DatabasePath;
        try
        {
            var store = OpenExistingStore();
            var exists = store is not null;
            var count = store?.CountNamespaces() ?? 0;

            // The YAML is read (and must be valid) only when it would be imported, and before anything is created,
            // so a bad file leaves no half-initialised database behind.
            List<NamespaceConfig>? seed = null;
            string? yamlPath = null;
            if (FromYaml is not null && count == 0)
            {
                yamlPath = GetUnresolvedProviderPathFromPSPath(FromYaml);
                if (Directory.Exists(yamlPath))
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new ArgumentException($"'{yamlPath}' is a folder; -FromYaml takes one YAML file. Nothing was created or imported."),
                        "YamlPathIsFolder", ErrorCategory.InvalidArgument, yamlPath));
                }
                if (!File.Exists(yamlPath))
                {
                    // The same error Import-PrismYaml gives, so a script can handle both the same way.
                    ThrowTerminatingError(new ErrorRecord(
                        new FileNotFoundException($"The YAML file '{yamlPath}' does not exist. Nothing was created or imported.", yamlPath),
                        "YamlFileNotFound", ErrorCategory.ObjectNotFound, yamlPath));
                }
                seed = NamespaceYaml.ReadFile(yamlPath).Select(y => y.Config).ToList();
            }

            if (store is null)
            {
                var what = seed is null ? "Create configuration database" : $"Create configuration database and import {seed.Count} namespace(s) from '{yamlPath}'";
                if (!ShouldProcess(database, what)) return;
                store = OpenStore(create: true);
            }
            else if (seed is not null && !ShouldProcess(database, $"Import {seed.Count} namespace(s) from '{yamlPath}'"))
            {
                return;
            }

            var imported = false;
            if (seed is not null && store.CountNamespaces() == 0)
            {
                store.Import(seed, new ImportOptions { Reason = "imported from " + System.IO.Path.GetFileName(yamlPath) + " at initialisation" });
                imported = true;
            }
            else if (FromYaml is not null)
            {
                WriteVerbose($"'{database}' already holds {count} namespace(s); '{FromYaml}' was not imported.");
            }

            WriteObject(new StoreStatus
            {
                Path = database,
                SchemaVersion = store.SchemaVersion,
                Namespaces = store.CountNamespaces(),
                Imported = imported,
                Created = !exists,
            });
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
        }
    }
}
