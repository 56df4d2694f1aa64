<#
.SYNOPSIS
    GitOps loop: diff the desired YAML against the live store field by field, preview the import, then apply it.
.DESCRIPTION
    The desired state lives in Git as an import file. This runbook shows, with Compare-PrismNamespace, each field the
    file would change in the live store (old and new value, secrets masked), runs Import-PrismYaml -WhatIf to show
    the plan (created, updated, unchanged, and with -Prune disabled), and then imports. With -WhatIf it stops after
    the plan; with -Confirm it asks before importing.

    It never copies a store: the diff is read straight from the file and the live database, so nothing holding
    credentials is left in a temporary folder, whether it finishes, fails or runs under -WhatIf.
.PARAMETER DesiredPath
    The desired-state YAML file from the repository.
.PARAMETER Prune
    Disable namespaces that are live but absent from the desired file.
.PARAMETER Reason
    Recorded in history for every change. Defaults to "gitops sync of <file>".
.PARAMETER Database
    The PrismConfig database. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.
.EXAMPLE
    ./Sync-PrismGitOps.ps1 -DesiredPath ./config/namespaces.yaml -WhatIf

    Shows the diff and the plan, and changes nothing.
.EXAMPLE
    ./Sync-PrismGitOps.ps1 -DesiredPath ./config/namespaces.yaml -Prune -Reason "deploy $(git rev-parse --short HEAD)"

    Applies the desired state, disabling what it no longer lists.
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
param(
    [Parameter(Mandatory)][string] $DesiredPath,
    [switch] $Prune,
    [string] $Reason,
    [string] $Database
)
$ErrorActionPreference = 'Stop'
$common = @{}
if ($Database) { $common.Database = $Database }
if (-not $Reason) { $Reason = "gitops sync of $(Split-Path -Leaf $DesiredPath)" }

Write-Host "Changes from live to desired ($DesiredPath):"
$changes = @(Compare-PrismNamespace -Path $DesiredPath @common)
if ($changes.Count -eq 0) { Write-Host '  (none)' } else { $changes | Format-Table | Out-String -Width 200 | Write-Host }

$plan = Import-PrismYaml -Path $DesiredPath -Prune:$Prune -Reason $Reason -WhatIf @common
$plan | Group-Object Action | Select-Object Name, Count | Format-Table -AutoSize | Out-Host
if ($WhatIfPreference) { return }
if (-not ($plan | Where-Object Action -ne 'Unchanged')) { Write-Host 'Live already matches the desired state.'; return }
Import-PrismYaml -Path $DesiredPath -Prune:$Prune -Reason $Reason @common
