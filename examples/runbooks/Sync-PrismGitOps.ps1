<#
.SYNOPSIS
    GitOps loop: export the live store, review the diff against the desired YAML, preview the import, then apply it.
.DESCRIPTION
    The desired state lives in Git as an import file. This runbook exports the live store in the same format, shows
    a line diff of live versus desired, runs Import-PrismYaml -WhatIf to show the plan (created, updated, unchanged,
    and with -Prune disabled), and then imports. With -WhatIf it stops after the plan; with -Confirm it asks before
    importing.
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

# Normalise the desired file through an empty scratch store, so the diff shows meaning, not formatting.
$scratch = Join-Path ([IO.Path]::GetTempPath()) "prism-gitops-$([guid]::NewGuid()).db"
try {
    Import-PrismYaml -Path $DesiredPath -Database $scratch -WhatIf:$false -Confirm:$false | Out-Null
    $desired = (Export-PrismYaml -Database $scratch) -split "`n"
}
finally {
    Remove-Item -Force -ErrorAction SilentlyContinue "$scratch", "$scratch-wal", "$scratch-shm"
}
$live = (Export-PrismYaml @common) -split "`n"

Write-Host '--- live' ; Write-Host "+++ desired ($DesiredPath)"
$diff = Compare-Object -ReferenceObject $live -DifferenceObject $desired
foreach ($line in $diff) {
    Write-Host ('{0} {1}' -f $(if ($line.SideIndicator -eq '=>') { '+' } else { '-' }), $line.InputObject)
}

$plan = Import-PrismYaml -Path $DesiredPath -Prune:$Prune -Reason $Reason -WhatIf @common
$plan | Group-Object Action | Select-Object Name, Count | Format-Table -AutoSize | Out-Host
if ($WhatIfPreference) { return }
if (-not ($plan | Where-Object Action -ne 'Unchanged')) { Write-Host 'Live already matches the desired state.'; return }
Import-PrismYaml -Path $DesiredPath -Prune:$Prune -Reason $Reason @common
