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
    /// <summary>A replica that last reached its source longer ago than this is reported as a problem.</summary>
    [Parameter]
    public TimeSpan MaxStaleness { get; set; }

    private protected override void Complete()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(MaxStaleness)) && MaxStaleness <= TimeSpan.Zero)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(MaxStaleness), "-MaxStaleness must be more than zero."),
                "MaxStalenessInvalid", ErrorCategory.InvalidArgument, MaxStaleness));
        }
        var database = DatabasePath;
        HealthReport report;
        try
        {
            // A missing store is not an unhealthy one: it is no store at all, and a read never creates one.
            report = CachedStore(Locator, create: false).CheckHealth();
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
        if (MyInvocation.BoundParameters.ContainsKey(nameof(MaxStaleness)) && report.Lag is { } lag && lag > MaxStaleness)
        {
            report.Problems = [.. report.Problems, $"replica: it last reached its source '{report.Source}' {Display.Duration(lag)} ago, longer than -MaxStaleness {Display.Duration(MaxStaleness)}. " +
                "Check that Sync-PrismConfig -Continuous is running on this host and can reach the source (Get-PrismConfigStatus shows when it last did)."];
        }
        WriteObject(report);
    }
}
