<#
.SYNOPSIS
    Finds the last change to a namespace, shows its diff, and rolls it back.
.DESCRIPTION
    When something broke after a configuration change: look at the namespace's most recent change (or the last one
    made since -Since), see exactly which fields it changed, and restore the version before it. The rollback is
    itself a new, audited version, so it can be undone the same way.
.PARAMETER Name
    The namespace.
.PARAMETER Since
    Only consider changes made after this time; the most recent of them is undone.
.PARAMETER Reason
    Recorded in history. Defaults to "rollback of version N".
.PARAMETER Database
    The PrismConfig database. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.
.EXAMPLE
    ./Undo-PrismChange.ps1 -Name user-sessions -WhatIf

    Shows the last change and what restoring the previous version would do.
.EXAMPLE
    ./Undo-PrismChange.ps1 -Name user-sessions -Since (Get-Date).AddHours(-1) -Reason 'INC-4712: latency regression'

    Rolls back the most recent change of the last hour.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)][string] $Name,
    [datetime] $Since,
    [string] $Reason,
    [string] $Database
)
$ErrorActionPreference = 'Stop'
$common = @{}
if ($Database) { $common.Database = $Database }
$filter = @{}
if ($PSBoundParameters.ContainsKey('Since')) { $filter.Since = $Since }

$last = Get-PrismNamespaceHistory -Name $Name -Last 1 @filter @common
if (-not $last) { Write-Warning "No change to '$Name' matches."; return }
if ($last.Version -le 1) { Write-Warning "Version 1 of '$Name' is its creation; there is nothing before it to restore."; return }

Write-Host "Last change: version $($last.Version), $($last.Operation) by $($last.ChangedBy) at $($last.ChangedAt): $($last.Reason)"
$last.Changes | Format-Table Property, OldValue, NewValue -AutoSize | Out-Host

$previous = $last.Version - 1
if (-not $Reason) { $Reason = "rollback of version $($last.Version)" }
Restore-PrismNamespace -Name $Name -Version $previous -ExpectedVersion $last.Version -Reason $Reason -PassThru @common
