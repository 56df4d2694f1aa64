using System.Management.Automation;
using PrismConfig.Core;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets a store's revision and, for a replica, its source and how fresh it is (LastSyncedAt, LastContactAt, Lag).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PrismConfigStatus")]
[OutputType(typeof(ConfigStatus))]
public sealed class GetPrismConfigStatusCommand : PrismCmdlet
{
    private protected override void Complete() => WriteObject(OpenStore(create: false).ReadStatus());
}
