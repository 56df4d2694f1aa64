using System.Management.Automation;
using PrismConfig.Core;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Checks a store's health: SQLite integrity, foreign keys, schema version, every row, and versions against history.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "PrismConfig")]
[OutputType(typeof(HealthReport))]
public sealed class TestPrismConfigCommand : PrismCmdlet
{
    private protected override void Complete()
    {
        var database = DatabasePath;
        HealthReport report;
        try
        {
            // A missing store is not an unhealthy one: it is no store at all, and a read never creates one.
            report = StoreCache.Get(Locator, create: false).CheckHealth();
        }
        catch (PrismConfigException ex) when (ex is StoreCorruptException or SchemaTooNewException)
        {
            // The question was "is it healthy?", and this is the answer: no. Drop the cached store so a repaired or
            // restored file is opened afresh next time.
            StoreCache.Evict(Locator);
            report = new HealthReport
            {
                SchemaVersion = ex is SchemaTooNewException tooNew ? tooNew.FoundVersion : 0,
                Problems = [ex.Message],
            };
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
            return;
        }
        report.Path = database;
        WriteObject(report);
    }
}
