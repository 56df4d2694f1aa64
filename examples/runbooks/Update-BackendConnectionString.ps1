<#
.SYNOPSIS
    Rotates a connection string across every namespace that uses it.
.DESCRIPTION
    Finds the namespaces whose backend_config.connection_string equals -OldConnectionString (optionally only on one
    backend), and sets the new one with a reason recorded in history. Run it with -WhatIf first: it lists every
    namespace it would change and writes nothing. Each namespace is changed with -ExpectedVersion, so a namespace
    someone else changed in the meantime is reported, not overwritten.
.PARAMETER OldConnectionString
    The connection string being retired, matched exactly.
.PARAMETER NewConnectionString
    Its replacement.
.PARAMETER Backend
    Only rotate namespaces on this backend (for example postgres).
.PARAMETER Reason
    Recorded in each namespace's history; say why (a ticket number, a credential rotation).
.PARAMETER Database
    The PrismConfig database. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.
.EXAMPLE
    ./Update-BackendConnectionString.ps1 -Backend postgres -OldConnectionString postgres://db-old:5432/app -NewConnectionString postgres://db-new:5432/app -Reason 'CHG-1024 move to db-new' -WhatIf

    Shows which namespaces would change, and changes nothing.
.EXAMPLE
    ./Update-BackendConnectionString.ps1 -OldConnectionString $old -NewConnectionString $new -Reason 'quarterly rotation' -Confirm:$false

    Rotates them all, recording the reason.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)][string] $OldConnectionString,
    [Parameter(Mandatory)][string] $NewConnectionString,
    [string] $Backend,
    [Parameter(Mandatory)][string] $Reason,
    [string] $Database
)
$ErrorActionPreference = 'Stop'
$common = @{}
if ($Database) { $common.Database = $Database }
$filter = @{}
if ($Backend) { $filter.Backend = $Backend }

$targets = @(Get-PrismNamespace @common @filter | Where-Object { $_.BackendConfig['connection_string'] -ceq $OldConnectionString })
if (-not $targets) {
    Write-Warning 'No namespace uses that connection string; nothing to rotate.'
    return
}
foreach ($ns in $targets) {
    # Set-PrismNamespace asks ShouldProcess itself and inherits -WhatIf/-Confirm from this script.
    Set-PrismNamespace -Name $ns.Name -ConnectionString $NewConnectionString -ExpectedVersion $ns.Version -Reason $Reason -PassThru @common -ErrorAction Continue
}
