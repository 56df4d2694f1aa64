<#
.SYNOPSIS
    Moves a namespace into the migrating state, or back to active, and shows its history.
.DESCRIPTION
    During a backend migration a namespace is marked migrating, so proxies and operators can see that its backend is
    moving. -Complete returns it to active. Either way, the namespace's recent history is shown afterwards.
.PARAMETER Name
    The namespace.
.PARAMETER Complete
    Return the namespace to active instead of marking it migrating.
.PARAMETER Reason
    Recorded in history.
.PARAMETER Database
    The PrismConfig database. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.
.EXAMPLE
    ./Switch-NamespaceMigration.ps1 -Name order-events -Reason 'moving to the new Kafka cluster'

    Marks order-events as migrating and shows its history.
.EXAMPLE
    ./Switch-NamespaceMigration.ps1 -Name order-events -Complete -Reason 'cut-over done'

    Returns it to active.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)][string] $Name,
    [switch] $Complete,
    [string] $Reason = 'backend migration',
    [string] $Database
)
$ErrorActionPreference = 'Stop'
$common = @{}
if ($Database) { $common.Database = $Database }

$current = Get-PrismNamespace -Name $Name @common
if ($Complete) {
    if ($current.Status -ne 'migrating') { Write-Warning "Namespace '$Name' is $($current.Status), not migrating." }
    Enable-PrismNamespace -Name $Name -Reason $Reason @common
}
else {
    Set-PrismNamespace -Name $Name -Status migrating -ExpectedVersion $current.Version -Reason $Reason @common
}
Get-PrismNamespaceHistory -Name $Name -Last 5 @common
