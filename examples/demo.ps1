<#
.SYNOPSIS
    The PrismConfig walkthrough that `./build.ps1 -Task Demo` runs: import, table, change, history, rollback, backup.
.DESCRIPTION
    Runs against a throwaway database in -WorkFolder (out/demo by default), never against a real store.
.PARAMETER ModulePath
    The built module to import (out/PrismConfig).
.PARAMETER WorkFolder
    Where the throwaway database and its backup go. It is created if missing.
.EXAMPLE
    ./examples/demo.ps1 -ModulePath ./out/PrismConfig -WorkFolder ./out/demo
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $WorkFolder
)
$ErrorActionPreference = 'Stop'
# Tables and lists written to a log file carry no colour codes, and are laid out for 120 columns: a log has no
# terminal width, and at the console's default 80 the namespace table has no room for its last columns.
$width = if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText'; 120 } else { $Host.UI.RawUI.BufferSize.Width }
function Out-Demo { $input | Out-String -Width $width | Write-Host -NoNewline }
Import-Module $ModulePath

$null = New-Item -ItemType Directory -Force -Path $WorkFolder
$db = Join-Path $WorkFolder 'config.db'
$PSDefaultParameterValues['*-Prism*:Database'] = $db
$yaml = Join-Path $PSScriptRoot 'namespaces.yaml'

function Show-Step([string] $Title, [string] $Command) {
    Write-Host ''
    Write-Host "## $Title" -ForegroundColor Cyan
    if ($Command) { Write-Host "PS> $Command" -ForegroundColor DarkGray }
}

$started = [Diagnostics.Stopwatch]::StartNew()

Show-Step '1. Import the example namespaces into a new embedded store' "Import-PrismYaml $yaml"
Import-PrismYaml -Path $yaml | Group-Object Action | Select-Object Name, Count | Format-Table -AutoSize | Out-Demo

Show-Step '2. What the store holds' 'Get-PrismNamespace | Format-Table'
Get-PrismNamespace | Format-Table | Out-Demo

Show-Step '3. Filter by tag and backend' 'Get-PrismNamespace -Backend redis -Tag production'
Get-PrismNamespace -Backend redis -Tag production | Out-Demo

Show-Step '4. Credentials are masked in every view; the object keeps the real value' 'Get-PrismNamespace invoice-archive, payment-jobs | Format-List'
Get-PrismNamespace invoice-archive, payment-jobs | Format-List | Out-Demo
Write-Host ("  (Get-PrismNamespace invoice-archive).BackendConfig.secret_key.Length = {0}" -f (Get-PrismNamespace invoice-archive).BackendConfig.secret_key.Length)

Show-Step '4b. A namespace in Prism''s slot form: one pattern, several backends' "Get-PrismNamespace -Slot state_store -Backend postgres | Format-List"
Get-PrismNamespace -Slot state_store -Backend postgres | Format-List | Out-Demo

Show-Step '5. One change, with a reason and optimistic concurrency' "Set-PrismNamespace user-sessions -CacheTtlSeconds 120 -AddTag cache-tuned -ExpectedVersion 1 -Reason 'INC-4711: cut login latency'"
Set-PrismNamespace user-sessions -CacheTtlSeconds 120 -AddTag cache-tuned -ExpectedVersion 1 -Reason 'INC-4711: cut login latency' -PassThru |
    Format-Table Name, CacheTtlSeconds, Tags, Version | Out-Demo

Show-Step '6. A stale writer is refused, and nothing changes' "Set-PrismNamespace user-sessions -RateLimitRps 1 -ExpectedVersion 1"
Set-PrismNamespace user-sessions -RateLimitRps 1 -ExpectedVersion 1 -ErrorAction SilentlyContinue -ErrorVariable conflict
Write-Host ("  refused: {0}" -f $conflict[0].FullyQualifiedErrorId)
Write-Host ("  {0}" -f $conflict[0].Exception.Message)

Show-Step '7. Its history' 'Get-PrismNamespaceHistory user-sessions'
Get-PrismNamespaceHistory user-sessions | Format-Table | Out-Demo
(Get-PrismNamespaceHistory user-sessions -Last 1).Changes | Format-Table | Out-Demo

Show-Step '8. Roll it back to version 1' "Restore-PrismNamespace user-sessions -Version 1 -Reason 'rollback after review' -PassThru"
Restore-PrismNamespace user-sessions -Version 1 -Reason 'rollback after review' -PassThru |
    Format-Table Name, CacheTtlSeconds, Tags, Version | Out-Demo

Show-Step '9. An online backup, integrity-checked' "Backup-PrismConfig -Destination $WorkFolder"
$backup = Backup-PrismConfig -Destination $WorkFolder
$backup | Format-Table Name, Length, LastWriteTimeUtc | Out-Demo
Test-PrismConfig -Database $backup.FullName | Format-List IsHealthy, SchemaVersion, Namespaces, HistoryEntries, Problems | Out-Demo

Write-Host ("Demo finished in {0:0.0} s. The store is {1}; delete out/demo to start again." -f $started.Elapsed.TotalSeconds, $db) -ForegroundColor Green
