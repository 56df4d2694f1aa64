<#
.SYNOPSIS
    The long reliability suites: crash safety, concurrency with backups under load, and hostile YAML.
.DESCRIPTION
    `./build.ps1 -Task Soak -Iterations N` runs this against the built module. N sets the size of each suite:
      crash safety   N kills of a writing worker, each followed by a full verification
      concurrency    8 writers x max(250, N / 2) optimistic increments under load (two CPU burners, two 512 MiB
                     fsync loops), a reader, and max(3, N / 100) backups: 0 StoreBusy, 0 lost updates, and the
                     write-lock wait p50/p99/max
      hostile YAML   max(1000, 10 x N) mutated files
      replica crash  max(200, N / 2) SIGKILLs of Sync-PrismConfig -Continuous, each followed by a check that the
                     replica is intact and at a whole revision of the (PostgreSQL) source
    Each suite prints its figures and appends them to out/reliability/figures.md. Exits 1 if any suite found a problem.
.PARAMETER ModulePath
    The built module (out/PrismConfig).
.PARAMETER Iterations
    The size of the run; see the description.
.PARAMETER Suite
    Run only these suites.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Soak -Iterations 500
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [ValidateRange(1, 1000000)][int] $Iterations = 500,
    [ValidateSet('CrashSafety', 'Concurrency', 'HostileYaml', 'ReplicaCrash')][string[]] $Suite = @('CrashSafety', 'Concurrency', 'HostileYaml', 'ReplicaCrash'),
    [int] $Seed = (Get-Random -Maximum 1000000)
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ModulePath = (Resolve-Path $ModulePath).ProviderPath

# The engines start child pwsh processes the way the Test task does.
if (-not $env:PRISM_TEST_PWSH) {
    $process = [Environment]::ProcessPath
    $env:PRISM_TEST_PWSH = if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        $process + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'pwsh.dll')
    }
    else { $process }
}
$env:PRISM_TEST_MODULE = $ModulePath
Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
Import-Module $ModulePath

$work = Join-Path (Get-ReliabilityRepoRoot) 'out/reliability/soak'
if (Test-Path $work) { Remove-Item -Recurse -Force $work }
$null = New-Item -ItemType Directory -Force -Path $work
$mode = "Soak (-Iterations $Iterations)"
$failed = $false
$total = [Diagnostics.Stopwatch]::StartNew()
Write-Host "Soak: -Iterations $Iterations, seed $Seed"

function Write-Problems([string] $Name, [string[]] $Problems) {
    if (-not $Problems) { return }
    $script:failed = $true
    Write-Host "$Name FAILED:" -ForegroundColor Red
    $Problems | Select-Object -First 30 | ForEach-Object { Write-Host "  $_" -ForegroundColor Red }
}

if ('CrashSafety' -in $Suite) {
    Write-Host "==> crash safety: $Iterations kills" -ForegroundColor Cyan
    $r = Invoke-CrashSafety -Kills $Iterations -WorkFolder (Join-Path $work "crash") -Seed $Seed -CreationKills ([math]::Max(5, [int]($Iterations / 10)))
    Write-Problems 'crash-safety' $r.Problems
    Write-ReliabilityFigure -Mode $mode -Suite 'crash-safety' -Text ("{0} kills survived, {1} committed writes verified, {6} kills during store creation survived ({2} namespaces, {3} history rows, seed {4}, {5} s)" -f
        $r.KillsSurvived, $r.CommittedWritesVerified, $r.Namespaces, $r.HistoryRows, $r.Seed, $r.Seconds, $r.CreationKillsSurvived)
}

if ('Concurrency' -in $Suite) {
    $increments = [math]::Max(250, [int]($Iterations / 2))
    $backups = [math]::Max(3, [int]($Iterations / 100))
    Write-Host "==> concurrency: 8 writers x $increments increments under load, $backups backups" -ForegroundColor Cyan
    $r = Invoke-ConcurrencySuite -ModulePath $ModulePath -WorkFolder (Join-Path $work 'concurrency') -Writers 8 -Increments $increments `
        -Namespaces 3 -Backups $backups -Seed $Seed -TimeoutSeconds ([math]::Max(600, $increments * 4)) -UnderLoad
    $r | Format-List Writers, WritesMade, StoreBusy, LostUpdates, Conflicts, LockWaits, LockWaitP50Ms, LockWaitP99Ms, LockWaitMaxMs, FsyncRounds, WritersSeconds | Out-String | Write-Host
    Write-Problems 'concurrency' $r.Problems
    Write-ReliabilityFigure -Mode $mode -Suite 'concurrency' -Text (Format-ConcurrencyFigure $r)
    Write-ReliabilityFigure -Mode $mode -Suite 'backup-under-load' -Text ("{0} backups verified ({1} taken while writers ran): integrity ok, each one committed state" -f
        $r.BackupsVerified, $r.BackupsUnderLoad)
}

if ('HostileYaml' -in $Suite) {
    $cases = [math]::Max(1000, 10 * $Iterations)
    Write-Host "==> hostile YAML: $cases cases" -ForegroundColor Cyan
    $r = Invoke-YamlFuzzSuite -ModulePath $ModulePath -WorkFolder (Join-Path $work 'fuzz') -Cases $cases -Seed $Seed -TimeoutSeconds ([math]::Max(600, $cases))
    Write-Problems 'yaml-fuzz' $r.Problems
    Write-ReliabilityFigure -Mode $mode -Suite 'yaml-fuzz' -Text ("{0} fuzz cases run ({1} imported, {2} rejected with an error naming the file, store unchanged), slowest case {3} ms: {4}; seed {5}, {6} s" -f
        $r.Cases, $r.Imported, $r.Rejected, $r.MaxMs, $r.MaxCase, $r.Seed, $r.Seconds)
}

if ('ReplicaCrash' -in $Suite) {
    $kills = [math]::Max(200, [int]($Iterations / 2))
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $source = if (Test-PostgresAvailable) { New-TestPostgresDatabase } else { Join-Path $work 'replica-source.db' }
    New-PrismNamespace seed -Backend redis -Pattern keyvalue -Database $source -WarningAction SilentlyContinue | Out-Null
    Write-Host "==> replica crash: $kills kills of Sync-PrismConfig -Continuous from $source" -ForegroundColor Cyan
    $r = Invoke-ReplicaCrash -Kills $kills -WorkFolder (Join-Path $work 'replica-crash') -ModulePath $ModulePath -Source $source -Seed $Seed
    Write-Problems 'replica-crash' $r.Problems
    Write-ReliabilityFigure -Mode $mode -Suite 'replica-crash' -Text ("{0} of {1} kills of a continuous sync left the replica intact at a whole revision (source revision {2}, seed {3}, {4} s)" -f
        $r.KillsSurvived, $r.Kills, $r.Revision, $r.Seed, $r.Seconds)
}

Write-Host ("Soak finished in {0:0.0} min: {1}" -f $total.Elapsed.TotalMinutes, $(if ($failed) { 'FAILED' } else { 'all suites passed' }))
exit ([int]$failed)
