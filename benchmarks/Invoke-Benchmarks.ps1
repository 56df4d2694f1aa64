<#
.SYNOPSIS
    Runs every PrismConfig benchmark and writes out/bench/report.md.

.DESCRIPTION
    Called by `./build.ps1 -Task Bench` in a fresh pwsh, after the module is built. Every figure is a ratio of
    two things measured in this same run, so the shared, noisy machine slows both sides alike:

      1 Core lookup vs raw SQLite          BenchmarkDotNet (LookupBenchmarks)
      2 Cmdlet lookup vs cmdlet floor      pwsh loops here, interleaved rounds
      3 Bulk import vs parsing alone       pwsh here (Import-PrismYaml) and BenchmarkDotNet (ImportBenchmarks); 3c: rounds in the helper
      4 Cold start, 10,000 vs 100          a fresh process per run (PrismConfig.Bench.ColdStart), alternating
      5 Write vs raw write                 interleaved rounds in the helper (WriteBenchmarks' sides; 5b: WarmReads off)
      6 Size per namespace                 file size and dbstat of the 10,000-namespace store
      7 Import memory                      child pwsh processes: idle working sets, then peak working set after import
      8 Filters                            EXPLAIN QUERY PLAN (also an xUnit test) and tag filter timings (BDN)
      9 Bulk read vs raw SELECT in script    pwsh here: Get-PrismNamespace -Backend redis vs a prepared SELECT read into PSCustomObjects
     10 PostgreSQL lookup and import       pwsh here, against the Bench task's throwaway cluster (10c: COPY batches waited for)

    Nothing here is a test: a missed target is reported, never an error. The script fails only when a
    benchmark cannot run.

.PARAMETER ModulePath
    The laid-out module (out/PrismConfig).

.PARAMETER OutputFolder
    Where report.md, report.json, the raw results and the scratch stores go (out/bench).

.PARAMETER Configuration
    The build configuration for the benchmark projects.

.PARAMETER LookupIterations
    Calls per side for the cmdlet lookup figure.

.PARAMETER ColdStartRuns
    Processes per store size for the cold start figure.

.PARAMETER ImportRuns
    Timed Import-PrismYaml runs (and parse runs) after two warm-ups of each.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputFolder,
    [ValidateSet('Release', 'Debug')] [string] $Configuration = 'Release',
    [ValidateRange(1000, 10000000)] [int] $LookupIterations = 20000,
    [ValidateRange(3, 1000)] [int] $ColdStartRuns = 15,
    [ValidateRange(1, 100)] [int] $ImportRuns = 5
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$total = [Diagnostics.Stopwatch]::StartNew()
$bench = $PSScriptRoot
$OutputFolder = [IO.Path]::GetFullPath($OutputFolder)
$ModulePath = [IO.Path]::GetFullPath($ModulePath)
$work = Join-Path $OutputFolder 'work'
$inv = [Globalization.CultureInfo]::InvariantCulture
$loadAtStart = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -as [string]

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Invoke-Native {
    $filePath, $arguments = $args
    & $filePath @arguments
    if ($LASTEXITCODE -ne 0) { throw "'$filePath $($arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $n = $sorted.Length
    if ($n % 2) { return $sorted[($n - 1) / 2] }
    return ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2
}

function Get-PwshCommand {
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { return @($process, (Join-Path $PSHOME 'pwsh.dll')) }
    return @($process)
}

function Remove-Database([string] $Path) {
    foreach ($suffix in '', '-wal', '-shm', '-journal') { Remove-Item -Force -ErrorAction SilentlyContinue "$Path$suffix" }
}

foreach ($folder in $work, (Join-Path $OutputFolder 'bdn')) {
    if (Test-Path $folder) { Remove-Item -Recurse -Force $folder }
}
New-Item -ItemType Directory -Force -Path $work | Out-Null

# ---- Build ------------------------------------------------------------------------------------------------
Write-Step "Building the benchmark projects ($Configuration)"
$projects = [ordered]@{
    Benchmarks = 'PrismConfig.Benchmarks'
    ColdStart  = 'PrismConfig.Bench.ColdStart'
    Baseline   = 'PrismConfig.Bench.Baseline'
}
foreach ($p in $projects.Values) {
    Invoke-Native dotnet build (Join-Path $bench "$p/$p.csproj") -c $Configuration --nologo -v quiet '-clp:NoSummary;ErrorsOnly'
}
$benchDll = Join-Path $bench "PrismConfig.Benchmarks/bin/$Configuration/net10.0/PrismConfig.Benchmarks.dll"
$coldDll = Join-Path $bench "PrismConfig.Bench.ColdStart/bin/$Configuration/net10.0/PrismConfig.Bench.ColdStart.dll"
$baselineDll = Join-Path $bench "PrismConfig.Bench.Baseline/bin/$Configuration/net8.0/PrismConfig.Bench.Baseline.dll"

# ---- Data -------------------------------------------------------------------------------------------------
Write-Step 'Generating 10,000 ADR-shaped namespaces (YAML) and the 10,000- and 100-namespace stores'
Invoke-Native dotnet $benchDll prepare --work $work
$yaml = Join-Path $work 'namespaces-10k.yaml'
$store10k = Join-Path $work 'store-10k.db'
$store100 = Join-Path $work 'store-100.db'
$yamlBytes = (Get-Item $yaml).Length
$yaml100k = @((Join-Path $work 'namespaces-100k-a.yaml'), (Join-Path $work 'namespaces-100k-b.yaml'))
$storeBulk = Join-Path $work 'store-bulk.db'

# ---- BenchmarkDotNet: figures 1, 3 (Core), 5, 8 (tags) ------------------------------------------------------
Write-Step 'BenchmarkDotNet: lookup, write, tag filters, Core import (in-process, short runs)'
$bdnJson = Join-Path $OutputFolder 'bdn-results.json'
Invoke-Native dotnet $benchDll bdn --work $work --artifacts (Join-Path $OutputFolder 'bdn') --results $bdnJson
$bdn = Get-Content -Raw $bdnJson | ConvertFrom-Json
function Get-Bdn([string] $Class, [string] $Method) {
    $row = $bdn | Where-Object { $_.Class -eq $Class -and $_.Method -eq $Method }
    if (-not $row) { throw "BenchmarkDotNet produced no result for $Class.$Method." }
    return $row
}

# ---- Figure 6 and 8a: size and query plans ------------------------------------------------------------------
Write-Step 'Size of the 10,000-namespace store; query plans of the filters'
$size = (& dotnet $benchDll size --db $store10k --work $work) -join "`n" | ConvertFrom-Json
if ($LASTEXITCODE -ne 0) { throw 'The size measurement failed.' }
$plans = (& dotnet $benchDll plans --db $store10k --work $work) -join "`n" | ConvertFrom-Json
if ($LASTEXITCODE -ne 0) { throw 'The query plan check failed.' }

Write-Step 'Where Core import time goes (YAML read vs store write), for the notes'
$split = (& dotnet $benchDll import-split --work $work) -join "`n" | ConvertFrom-Json
if ($LASTEXITCODE -ne 0) { throw 'The import split measurement failed.' }
Write-Step 'Figure 3c: Core imports with read-ahead and without, interleaved rounds'
$readAhead = (& dotnet $benchDll import-readahead --work $work) -join "`n" | ConvertFrom-Json
if ($LASTEXITCODE -ne 0) { throw 'The read-ahead rounds failed.' }
Write-Step 'Figures 5 and 5b: interleaved update rounds'
$writes = (& dotnet $benchDll write --work $work) -join "`n" | ConvertFrom-Json
if ($LASTEXITCODE -ne 0) { throw 'The update rounds failed.' }

# ---- Figure 4: cold start -----------------------------------------------------------------------------------
Write-Step "Cold start: $ColdStartRuns fresh processes per store, alternating 10,000 and 100 namespaces"
$cold = @{ Big = [Collections.Generic.List[double]]::new(); Small = [Collections.Generic.List[double]]::new() }
$coldOpen = @{ Big = [Collections.Generic.List[double]]::new(); Small = [Collections.Generic.List[double]]::new() }
function Invoke-ColdStart([string] $Db) {
    $line = & dotnet $coldDll $Db 'ns-00050'
    if ($LASTEXITCODE -ne 0) { throw "The cold start probe failed on $Db." }
    $parts = "$line".Trim() -split ' '
    return @([double]::Parse($parts[0], $inv), [double]::Parse($parts[1], $inv))
}
$null = Invoke-ColdStart $store10k; $null = Invoke-ColdStart $store100   # warm the OS file cache and the runtime's files
for ($i = 0; $i -lt $ColdStartRuns; $i++) {
    # ABBA order, so a drift in machine load falls on both sides alike.
    $order = if ($i % 2) { @('Small', 'Big') } else { @('Big', 'Small') }
    foreach ($which in $order) {
        $r = Invoke-ColdStart $(if ($which -eq 'Big') { $store10k } else { $store100 })
        $cold[$which].Add($r[0]); $coldOpen[$which].Add($r[1])
    }
}

# ---- Figures 2 and 3 (cmdlet): in this pwsh ------------------------------------------------------------------
Write-Step 'Importing the module and the baseline cmdlet'
Import-Module (Join-Path $ModulePath 'PrismConfig.psd1')
Import-Module $baselineDll

Write-Step "Cmdlet lookup: $LookupIterations calls per side, interleaved rounds"
$lookupDb = Join-Path $work 'cmdlet-lookup.db'
Copy-Item $store10k $lookupDb
$name = 'ns-00050'
$check = Get-PrismNamespace -Name $name -Database $lookupDb
if (-not $check -or $check.Name -ne $name -or $check.Features.Count -ne 2) { throw "Get-PrismNamespace did not return $name complete." }
# Both loops have exactly the same shape: same parameters, same argument values, output discarded the same way.
$ours = { param($n, $nm, $db) for ($i = 0; $i -lt $n; $i++) { $null = Get-PrismNamespace -Name $nm -Database $db } }
$floor = { param($n, $nm, $db) for ($i = 0; $i -lt $n; $i++) { $null = Get-BenchConstant -Name $nm -Database $db } }
$rounds = 10
$perRound = [int][Math]::Ceiling($LookupIterations / $rounds)
$null = & $ours 500 $name $lookupDb; $null = & $floor 500 $name $lookupDb   # warm-up: JIT, caches, the open store
$lookupUs = @{ Ours = [Collections.Generic.List[double]]::new(); Floor = [Collections.Generic.List[double]]::new() }
$sw = [Diagnostics.Stopwatch]::new()
for ($r = 0; $r -lt $rounds; $r++) {
    $order = if ($r % 2) { @('Floor', 'Ours') } else { @('Ours', 'Floor') }
    foreach ($which in $order) {
        $block = if ($which -eq 'Ours') { $ours } else { $floor }
        $sw.Restart()
        & $block $perRound $name $lookupDb
        $sw.Stop()
        $lookupUs[$which].Add($sw.Elapsed.TotalMicroseconds / $perRound)
    }
}

Write-Step "Import-PrismYaml of 10,000 namespaces into an empty store vs YamlDotNet parsing alone ($ImportRuns runs each after 2 warm-ups)"
$events = [PrismConfig.Bench.Baseline.YamlParse]::CountEvents($yaml)
$importS = [Collections.Generic.List[double]]::new()
$parseS = [Collections.Generic.List[double]]::new()
# Two warm-ups: the import runs a few hundred methods through tiered compilation on two threads, and its
# steady state, like the parse baseline's, is reached only on the third run in a process.
$importWarmUps = 2
for ($r = 1 - $importWarmUps; $r -le $ImportRuns; $r++) {
    $target = Join-Path $work "cmdlet-import-$r.db"
    Remove-Database $target
    [GC]::Collect()
    $sw.Restart()
    # Assigned to $null, the cheapest discard: piping 10,000 results to Out-Null costs the pipeline, not the import.
    $null = Import-PrismYaml -Path $yaml -Database $target -Confirm:$false
    $sw.Stop()
    $imported = $sw.Elapsed.TotalSeconds
    [GC]::Collect()
    $sw.Restart()
    $n = [PrismConfig.Bench.Baseline.YamlParse]::CountEvents($yaml)
    $sw.Stop()
    if ($n -ne $events) { throw 'The YAML parse baseline saw a different number of events.' }
    if ($r -gt 0) { $importS.Add($imported); $parseS.Add($sw.Elapsed.TotalSeconds) }
    if ($r -eq 1 - $importWarmUps) {
        $count = @(Get-PrismNamespace -Database $target).Count
        if ($count -ne 10000) { throw "Import-PrismYaml imported $count namespaces, not 10,000." }
    }
    Remove-Database $target
}

Write-Step 'Bulk read: Get-PrismNamespace -Backend redis (2,000 of 10,000) vs a prepared SELECT read into PSCustomObjects in script'
# The raw side is what PSSQLite's Invoke-SqliteQuery hands a user, written in script: the module's own
# Microsoft.Data.Sqlite (already loaded by the module, so the same DLL and native SQLite), one prepared command,
# and one PSCustomObject per row with every column, DBNull as $null.
$sqliteAssembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | Select-Object -First 1
if (-not $sqliteAssembly) { throw 'The module did not load Microsoft.Data.Sqlite.' }
$bulkConnection = $sqliteAssembly.GetType('Microsoft.Data.Sqlite.SqliteConnection', $true)::new("Data Source=$storeBulk;Mode=ReadOnly")
$bulkConnection.Open()
$bulkCommand = $bulkConnection.CreateCommand()
$bulkCommand.CommandText = 'SELECT * FROM namespaces WHERE backend = @b'
$null = $bulkCommand.Parameters.AddWithValue('@b', 'redis')
$bulkCommand.Prepare()
$rawBulk = {
    param($cmd)
    $r = $cmd.ExecuteReader()
    try {
        $n = $r.FieldCount
        $names = [string[]]::new($n)
        for ($i = 0; $i -lt $n; $i++) { $names[$i] = $r.GetName($i) }
        while ($r.Read()) {
            $row = [ordered]@{}
            for ($i = 0; $i -lt $n; $i++) { $row[$names[$i]] = if ($r.IsDBNull($i)) { $null } else { $r.GetValue($i) } }
            [pscustomobject]$row
        }
    }
    finally { $r.Dispose() }
}
$oursBulk = { param($db) Get-PrismNamespace -Backend redis -Database $db }
$bulkOurs = @(& $oursBulk $storeBulk); $bulkRaw = @(& $rawBulk $bulkCommand)
if ($bulkOurs.Count -ne 2000 -or $bulkRaw.Count -ne 2000) { throw "The bulk read returned $($bulkOurs.Count) namespaces and the raw SELECT $($bulkRaw.Count) rows, not 2,000." }
$bulkColumns = @($bulkRaw[0].PSObject.Properties).Count
$bulkOurs = $null; $bulkRaw = $null
for ($w = 0; $w -lt 3; $w++) { $null = & $oursBulk $storeBulk; $null = & $rawBulk $bulkCommand }
$bulkMs = @{ Ours = [Collections.Generic.List[double]]::new(); Raw = [Collections.Generic.List[double]]::new() }
$bulkRounds = 15
for ($r = 0; $r -lt $bulkRounds; $r++) {
    $order = if ($r % 2) { @('Raw', 'Ours') } else { @('Ours', 'Raw') }
    foreach ($which in $order) {
        $sw.Restart()
        if ($which -eq 'Ours') { $null = & $oursBulk $storeBulk } else { $null = & $rawBulk $bulkCommand }
        $sw.Stop()
        $bulkMs[$which].Add($sw.Elapsed.TotalMilliseconds)
    }
}
$bulkCommand.Dispose(); $bulkConnection.Dispose()

# ---- Figure 7: memory, in a child pwsh ----------------------------------------------------------------------
Write-Step 'Import memory: idle and peak working set of fresh pwsh processes importing 10,000 and 2,500 namespaces'
$memScript = @'
param($ModulePath, [string] $Yaml, $Db, [switch] $WarmUp)
$ErrorActionPreference = 'Stop'
# One import of several files, passed as one path list: pwsh -File binds no arrays, and splits commas itself.
$files = $Yaml.Split([IO.Path]::PathSeparator)
function Get-IdleWorkingSet {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $p = [Diagnostics.Process]::GetCurrentProcess()
    return $p.WorkingSet64
}
Import-Module (Join-Path $ModulePath 'PrismConfig.psd1')
$afterImportModule = Get-IdleWorkingSet
$idle = $afterImportModule
if ($WarmUp) {
    # The module's first use loads SQLite, YamlDotNet and Core and compiles their code once per process; an
    # idle process that has used the module once holds that, and the import's own growth is what comes on top.
    $warmYaml = "$Db.warm-up.yaml"
    Set-Content -Path $warmYaml -Value "namespaces:`n- name: warm-up`n  backend: redis`n  pattern: keyvalue`n  backend_config: {host: warm-up}"
    $null = Import-PrismYaml -Path $warmYaml -Database "$Db.warm-up.db" -Confirm:$false
    $null = Get-PrismNamespace -Name warm-up -Database "$Db.warm-up.db"
    $idle = Get-IdleWorkingSet
}
# | Out-Null, not $null = : an assignment collects the whole output into an array before it discards it, which
# would measure PowerShell holding 100,000 results, not the import streaming them.
Import-PrismYaml -Path $files -Database $Db -Confirm:$false | Out-Null
$p = [Diagnostics.Process]::GetCurrentProcess()
$p.Refresh()
[pscustomobject]@{ AfterImportModule = $afterImportModule; Idle = $idle; Peak = $p.PeakWorkingSet64; After = $p.WorkingSet64 } | ConvertTo-Json -Compress
'@
$memFile = Join-Path $work 'memory.ps1'
Set-Content -Path $memFile -Value $memScript -Encoding utf8
$pwshExe, $pwshArgs = @(Get-PwshCommand); $pwshArgs = @($pwshArgs)   # one remaining element would splat as characters
# One process's growth swings by a few MiB from run to run (when the GC happens to run against the peak), so
# figures 7a and 7c take the process with the median growth of three, the sizes alternating.
function Measure-ImportMemory([string[]] $YamlPath, [switch] $WarmUp) {
    $db = Join-Path $work 'memory-import.db'
    Remove-Database $db; Remove-Database "$db.warm-up.db"
    $out = & $pwshExe @pwshArgs -NoProfile -NonInteractive -File $memFile -ModulePath $ModulePath -Yaml ($YamlPath -join [IO.Path]::PathSeparator) -Db $db -WarmUp:$WarmUp
    if ($LASTEXITCODE -ne 0) { throw "The memory measurement of $YamlPath failed." }
    Remove-Database $db; Remove-Database "$db.warm-up.db"
    return ($out | Select-Object -Last 1) | ConvertFrom-Json
}
function Get-MedianGrowth($Runs) { @($Runs | Sort-Object { $_.Peak - $_.Idle })[[int][Math]::Floor(@($Runs).Count / 2)] }
$runs10k = [Collections.Generic.List[object]]::new(); $runs100k = [Collections.Generic.List[object]]::new()
for ($i = 0; $i -lt 3; $i++) {
    $runs10k.Add((Measure-ImportMemory $yaml -WarmUp))
    $runs100k.Add((Measure-ImportMemory $yaml100k -WarmUp))
}
$mem = Get-MedianGrowth $runs10k
$mem100k = Get-MedianGrowth $runs100k
$memCold = Measure-ImportMemory $yaml
$yaml2500 = Join-Path $work 'namespaces-2500.yaml'
$mem2500 = Measure-ImportMemory $yaml2500 -WarmUp

# ---- Report -------------------------------------------------------------------------------------------------
Write-Step 'Writing the report'
$figures = [Collections.Generic.List[object]]::new()
function Add-Figure([string] $Figure, [string] $Ours, [string] $Baseline, [double] $Ratio, [double] $Target, [string] $Note, [string] $Comparison = 'le') {
    $met = if ($Comparison -eq 'lt') { $Ratio -lt $Target } else { $Ratio -le $Target }
    $figures.Add([pscustomobject]@{
            Figure = $Figure; Ours = $Ours; Baseline = $Baseline; Ratio = $Ratio
            Target = $(if ($Comparison -eq 'lt') { '< ' } else { '≤ ' }) + $Target.ToString('0.###', $inv) + '×'
            Met = $met; Note = $Note
        })
}
function Us([double] $ns) { '{0:N1} µs' -f ($ns / 1000) }
function F {
    # F 'format' a b c  or  F 'format' a, b, c: invariant-culture formatting of any number of values.
    $format, $rest = $args
    [string]::Format($inv, $format, [object[]]@(foreach ($a in $rest) { $a }))
}

$l1 = Get-Bdn LookupBenchmarks CoreTryGet; $l0 = Get-Bdn LookupBenchmarks RawSqlite
Add-Figure '1. Core lookup (warm TryGet, complete NamespaceConfig) vs raw prepared SQLite SELECT by name' `
    (Us $l1.MedianNs) (Us $l0.MedianNs) ($l1.MedianNs / $l0.MedianNs) 1.0 'BenchmarkDotNet median (medians throughout: load spikes from other builds skew means); 10,000-namespace store; 256 names cycled'

$o = Get-Median $lookupUs.Ours; $f = Get-Median $lookupUs.Floor
Add-Figure '2. Get-PrismNamespace -Name x -Database $db vs trivial binary cmdlet (same parameters), pwsh loop' `
    (F '{0:N1} µs/call' $o) (F '{0:N1} µs/call' $f) ($o / $f) 1.6 (F 'median of {0} interleaved rounds of {1} calls per side; for scale, Core''s own TryGet is {2:N1} µs (figure 1)' $rounds $perRound ($l1.MedianNs / 1000))

$i1 = Get-Median $importS; $p1 = Get-Median $parseS
Add-Figure '3a. Import-PrismYaml, 10,000 namespaces into an empty store vs YamlDotNet parse of the same file' `
    (F '{0:N2} s' $i1) (F '{0:N2} s' $p1) ($i1 / $p1) 2.5 "median of $ImportRuns runs after $importWarmUps warm-ups, each import (its results discarded with ```$null =``) followed by a parse; parse = read text + walk all $events parser events"
$c1 = Get-Bdn ImportBenchmarks CoreImport; $c0 = Get-Bdn ImportBenchmarks YamlParseOnly
Add-Figure '3b. Core: ConfigStore.ImportStream(NamespaceYaml.StreamFile), read-ahead (10,000, empty store) vs the same YamlDotNet parse' `
    (F '{0:N2} s' ($c1.MedianNs / 1e9)) (F '{0:N2} s' ($c0.MedianNs / 1e9)) ($c1.MedianNs / $c0.MedianNs) 2.5 (F 'BenchmarkDotNet, 3 iterations after 1 warm-up. Sequential split (Stopwatch, median of 3): parse alone {0:N2} s, NamespaceYaml.ReadFile {1:N2} s ({3:N1}× parse), ConfigStore.Import of the read list without read-ahead {2:N2} s ({4:N1}× parse); read-ahead runs the first two on one thread and the write on the other' $split.parse $split.read $split.import ($split.read / $split.parse) ($split.import / $split.parse))

$saved = $readAhead.savedS
Add-Figure '3c. Import-PrismYaml (10,000) with read-ahead vs the same without it: what read-ahead buys a user' `
    (F '{0:N2} s' $i1) (F '{0:N2} s' ($i1 + $saved)) ($i1 / ($i1 + $saved)) 0.8 (F 'without = figure 3a plus what read-ahead saves Core in this run (the median of {2} interleaved rounds'' differences after {3} warm-up pairs: {0:N2} s with, {1:N2} s without); read-ahead earns its thread only if it buys 20% (ratio 0.8) or more' $readAhead.onS $readAhead.offS $readAhead.rounds $readAhead.warmPairs)

$cb = Get-Median $cold.Big; $cs = Get-Median $cold.Small
Add-Figure '4. Cold start: new process, ConfigStore.Open + first TryGet, 10,000 vs 100 namespaces' `
    (F '{0:N0} µs' $cb) (F '{0:N0} µs' $cs) ($cb / $cs) 1.2 (F 'median of {0} processes each, alternating; Open alone: {1:N0} vs {2:N0} µs' $ColdStartRuns (Get-Median $coldOpen.Big) (Get-Median $coldOpen.Small))

Add-Figure '5. Core Update of one field (+ history row), synchronous=FULL vs raw UPDATE + INSERT in one BEGIN IMMEDIATE tx' `
    (F '{0:N0} µs' $writes.coreUs) (F '{0:N0} µs' $writes.rawUs) $writes.coreVsRaw 1.5 (F 'median of the ratios of {0} interleaved rounds of {1} updates per side (order rotating), since fsync latency drifts within seconds; WAL, synchronous=FULL, foreign_keys=ON, temp_store=MEMORY on both; each side writes its own copy of a 1,000-namespace store' $writes.rounds $writes.perRound)

Add-Figure '5b. The same Core Update with its plan read from the write connection (WarmReads, the default) vs from the read connection' `
    (F '{0:N0} µs' $writes.coreUs) (F '{0:N0} µs' $writes.coldUs) $writes.coreVsCold 0.95 'same rounds as figure 5, a third copy of the store; the write connection''s page cache survives its own commit and the read connection''s does not; the device stays while it buys 5% or more'

$noHistory = $size.fileBytesWithoutHistory / $size.namespaces
$withHistory = $size.fileBytes / $size.namespaces
Add-Figure '6. File size per namespace, not counting history (10,000 typical namespaces)' `
    (F '{0:N0} B' $noHistory) '1,024 B (1 KiB budget)' ($noHistory / 1024) 1.0 (F 'copy with history deleted + VACUUM; with history (1 create row each): {0:N0} B/namespace; ADR estimated 10 KB' $withHistory)

$growth = $mem.Peak - $mem.Idle
$growth2500 = $mem2500.Peak - $mem2500.Idle
$yaml2500Bytes = (Get-Item $yaml2500).Length
Add-Figure '7a. Peak working set growth importing 10,000 namespaces vs YAML file size; idle = the process after the module''s first use' `
    (F '{0:N1} MiB (peak {1:N1} − idle {2:N1})' ($growth / 1MB) ($mem.Peak / 1MB) ($mem.Idle / 1MB)) (F '{0:N1} MiB YAML' ($yamlBytes / 1MB)) ($growth / $yamlBytes) 3.0 `
    (F 'target: peak < idle + 3 × YAML = {0:N1} MiB. The same import of 2,500 namespaces ({1:N1} MiB of YAML) grows {2:N1} MiB ({3:N2}×): most of the growth is fixed, not proportional to the file. The first use itself (a one-namespace import and a lookup) took the idle process from {4:N1} to {5:N1} MiB' (($mem.Idle + 3 * $yamlBytes) / 1MB) ($yaml2500Bytes / 1MB) ($growth2500 / 1MB) ($growth2500 / $yaml2500Bytes) ($mem.AfterImportModule / 1MB) ($mem.Idle / 1MB)) 'lt'
$growthCold = $memCold.Peak - $memCold.Idle
Add-Figure '7b. The same in a process where this import is the module''s first use; idle = right after Import-Module' `
    (F '{0:N1} MiB (peak {1:N1} − idle {2:N1})' ($growthCold / 1MB) ($memCold.Peak / 1MB) ($memCold.Idle / 1MB)) (F '{0:N1} MiB YAML' ($yamlBytes / 1MB)) ($growthCold / $yamlBytes) 3.0 `
    (F 'target: peak < idle + 3 × YAML = {0:N1} MiB; this growth also holds loading SQLite, YamlDotNet and Core and compiling them' (($memCold.Idle + 3 * $yamlBytes) / 1MB)) 'lt'

$growth100k = $mem100k.Peak - $mem100k.Idle
Add-Figure '7c. Peak working set growth importing 100,000 namespaces vs importing 10,000 (both as 7a)' `
    (F '{0:N1} MiB (peak {1:N1} − idle {2:N1})' ($growth100k / 1MB) ($mem100k.Peak / 1MB) ($mem100k.Idle / 1MB)) (F '{0:N1} MiB (7a)' ($growth / 1MB)) ($growth100k / $growth) 1.3 `
    (F 'a streaming import stays flat: ten times the namespaces ({0:N1} MiB of YAML in two files, one transaction) may grow at most 1.3 times as much; growth of the three 100,000 runs: {1} MiB; of the three 10,000 runs: {2} MiB' ((($yaml100k | ForEach-Object { (Get-Item $_).Length }) | Measure-Object -Sum).Sum / 1MB) (($runs100k | ForEach-Object { '{0:N1}' -f (($_.Peak - $_.Idle) / 1MB) }) -join ', ') (($runs10k | ForEach-Object { '{0:N1}' -f (($_.Peak - $_.Idle) / 1MB) }) -join ', '))

$t1 = Get-Bdn TagFilterBenchmarks Rare; $t0 = Get-Bdn TagFilterBenchmarks Common; $tAll = Get-Bdn TagFilterBenchmarks All
Add-Figure '8b. List -Tag matching 10 vs -Tag matching 5,000, 10,000-namespace store' `
    (Us $t1.MedianNs) (Us $t0.MedianNs) ($t1.MedianNs / $t0.MedianNs) 0.05 (F 'proportional to matches would be 0.002×; list all 10,000: {0}. Target is ours: the issue sets none' (Us $tAll.MedianNs))

$bo = Get-Median $bulkMs.Ours; $br = Get-Median $bulkMs.Raw
Add-Figure '9. Get-PrismNamespace -Backend redis (2,000 of 10,000) vs a prepared SELECT of the same rows read into PSCustomObjects in script' `
    (F '{0:N1} ms' $bo) (F '{0:N1} ms' $br) ($bo / $br) 0.6 (F 'median of {0} interleaved runs per side after 3 warm-ups, output discarded with `$null =` on both; raw = the module''s Microsoft.Data.Sqlite, ``SELECT * FROM namespaces WHERE backend = @b`` prepared once, one [pscustomobject] of all {1} columns per row, as Invoke-SqliteQuery returns' $bulkRounds $bulkColumns)

# ---- Figure 10: PostgreSQL on loopback (only when the Bench task started a server) ---------------------------
if ($env:PRISM_TEST_POSTGRES) {
    Write-Step 'PostgreSQL: cmdlet lookup vs a raw Npgsql prepared SELECT, and the 10,000 import vs SQLite'
    # The module's own Npgsql (loaded in its load context): the raw side runs the same client library.
    $npgsql = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Npgsql' } | Select-Object -First 1
    if (-not $npgsql) {
        # Any call on a PostgreSQL locator loads it; the admin database holds no store, so the call itself fails.
        try { $null = Get-PrismNamespace -Database "$($env:PRISM_TEST_POSTGRES)" } catch { $null = $_ }
        $npgsql = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Npgsql' } | Select-Object -First 1
    }
    $connectionType = $npgsql.GetType('Npgsql.NpgsqlConnection', $true)
    $admin = [Uri]$env:PRISM_TEST_POSTGRES
    $adminCs = "Host=$($admin.Host);Port=$($admin.Port);Username=$($admin.UserInfo.Split(':')[0]);Database=postgres"
    function New-BenchPgDatabase([string] $Name) {
        $c = $connectionType::new($adminCs); $c.Open()
        try {
            foreach ($sql in "DROP DATABASE IF EXISTS $Name", "CREATE DATABASE $Name") { $cmd = $c.CreateCommand(); $cmd.CommandText = $sql; $null = $cmd.ExecuteNonQuery(); $cmd.Dispose() }
        }
        finally { $c.Dispose() }
        "postgresql://$($admin.UserInfo)@$($admin.Host):$($admin.Port)/$Name"
    }

    $pgLookup = New-BenchPgDatabase 'bench_lookup'
    $null = Import-PrismYaml -Path $yaml -Database $pgLookup -Confirm:$false
    $check = Get-PrismNamespace -Name $name -Database $pgLookup
    if (-not $check -or $check.Features.Count -ne 2) { throw "Get-PrismNamespace did not return $name complete from PostgreSQL." }
    $raw = $connectionType::new("Host=$($admin.Host);Port=$($admin.Port);Username=$($admin.UserInfo.Split(':')[0]);Database=bench_lookup")
    $raw.Open()
    $rawCommand = $raw.CreateCommand()
    # The same row a lookup returns, features folded in, as one prepared statement.
    $rawCommand.CommandText = 'SELECT n.*, (SELECT json_object_agg(f.feature_name, f.enabled)::text FROM namespace_features f WHERE f.namespace_id = n.id) FROM namespaces n WHERE n.name = $1'
    $p = $rawCommand.CreateParameter(); $p.Value = $name; $rawCommand.Parameters.Add($p) | Out-Null
    $rawCommand.Prepare()
    $rawLookup = {
        param($n, $nm, $cmd)
        for ($i = 0; $i -lt $n; $i++) {
            $cmd.Parameters[0].Value = $nm
            $r = $cmd.ExecuteReader()
            try { if ($r.Read()) { $values = [object[]]::new($r.FieldCount); $null = $r.GetValues($values) } } finally { $r.Dispose() }
        }
    }
    # Core's own lookup on a store opened here, called from the same kind of loop: it splits the gap between the
    # cmdlet and the raw read into what Core and the engine cost and what the cmdlet adds.
    $coreAssembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'PrismConfig.Core' } | Select-Object -First 1
    $coreStore = $coreAssembly.GetType('PrismConfig.Core.ConfigStore', $true)::Open($pgLookup)
    $coreLookup = { param($n, $nm, $s) for ($i = 0; $i -lt $n; $i++) { $null = $s.TryGet($nm) } }
    # Core's lookup followed by the floor cmdlet: what a cmdlet invocation costs beside a PostgreSQL round trip, which
    # on two cores is more than figure 2's floor costs alone.
    $coreFloor = { param($n, $nm, $s, $db) for ($i = 0; $i -lt $n; $i++) { $null = $s.TryGet($nm); $null = Get-BenchConstant -Name $nm -Database $db } }
    $pgPerRound = [int][Math]::Ceiling($perRound / 4)
    function Invoke-PgSide([string] $Which, [int] $Count) {
        switch ($Which) {
            'Ours' { & $ours $Count $name $pgLookup }
            'Core' { & $coreLookup $Count $name $coreStore }
            'CoreFloor' { & $coreFloor $Count $name $coreStore $pgLookup }
            default { & $rawLookup $Count $name $rawCommand }
        }
    }
    # Warm up until the JIT is quiet. Beside the server and the socket's thread-pool wake-ups, the cmdlet path's
    # tier-up takes seconds on two cores; rounds timed inside it measure the JIT, not the lookup. The first warm-up
    # round's ratio goes in the note, so that what a fresh session sees is not hidden.
    $pgSides = @('Ours', 'Core', 'CoreFloor', 'Raw')
    $pgSidesReversed = @($pgSides); [array]::Reverse($pgSidesReversed)
    $warmClock = [Diagnostics.Stopwatch]::StartNew()
    $quietRounds = 0; $warmRounds = 0; $firstRatio = $null
    while (($quietRounds -lt 3 -or $warmClock.Elapsed.TotalSeconds -lt 10) -and $warmClock.Elapsed.TotalSeconds -lt 60) {
        $jitBefore = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
        $warmUs = @{}
        foreach ($which in $pgSides) {
            $sw.Restart(); Invoke-PgSide $which $pgPerRound; $sw.Stop()
            $warmUs[$which] = $sw.Elapsed.TotalMicroseconds
        }
        if ($null -eq $firstRatio) { $firstRatio = $warmUs.Ours / $warmUs.Raw }
        $quietRounds = if ([System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jitBefore -lt 10) { $quietRounds + 1 } else { 0 }
        $warmRounds++
    }
    $pgWarmSeconds = $warmClock.Elapsed.TotalSeconds
    $pgUs = @{}; foreach ($which in $pgSides) { $pgUs[$which] = [Collections.Generic.List[double]]::new() }
    for ($r = 0; $r -lt $rounds; $r++) {
        $order = if ($r % 2) { $pgSidesReversed } else { $pgSides }
        foreach ($which in $order) {
            $sw.Restart()
            Invoke-PgSide $which $pgPerRound
            $sw.Stop()
            $pgUs[$which].Add($sw.Elapsed.TotalMicroseconds / $pgPerRound)
        }
    }
    $coreStore.Dispose(); $rawCommand.Dispose(); $raw.Dispose()

    # Figure 10c's "off" side: the cmdlet's own cached store for a new database, its write's COPY batches each
    # waited for before the next is prepared. Internal, so reached by reflection; Bench is its only user.
    $moduleAssembly = (Get-Module PrismConfig).ImplementingAssembly
    $locatorType = $coreAssembly.GetType('PrismConfig.Core.StoreLocator', $true)
    $storeCache = $moduleAssembly.GetType('PrismConfig.PowerShell.StoreCache', $true)
    $cacheGet = $storeCache.GetMethod('Get', [Reflection.BindingFlags]'Public,Static', [type[]]@($locatorType, [bool]))
    function Set-BenchCopyOverlap([string] $Locator, [bool] $On) {
        $store = $cacheGet.Invoke($null, @($locatorType::Parse($Locator, $null), $true))
        $engine = $store.GetType().GetField('_engine', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($store)
        $options = $engine.GetType().GetProperty('Options', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($engine)
        $options.GetType().GetProperty('OverlapCopies', [Reflection.BindingFlags]'NonPublic,Instance').SetValue($options, $On)
    }
    $importN = 0
    $dropLater = [Collections.Generic.List[string]]::new()
    function Measure-BenchImport([string] $Side) {
        $script:importN++
        if ($Side -eq 'Lite') {
            $target = Join-Path $work "pg-compare-$script:importN.db"
            Remove-Database $target
        }
        else {
            $target = New-BenchPgDatabase "bench_import_$script:importN"
            $dropLater.Add("bench_import_$script:importN")
            # 10c's two sides open their store before the clock starts; 10b's PostgreSQL side creates it inside, as SQLite does.
            if ($Side -ne 'Pg') { Set-BenchCopyOverlap $target ($Side -eq 'PgOverlap') }
        }
        [GC]::Collect()
        $sw.Restart()
        $null = Import-PrismYaml -Path $yaml -Database $target -Confirm:$false
        $sw.Stop()
        if ($Side -eq 'Lite') { Remove-Database $target }
        elseif ($script:importN -eq 1) {
            $count = @(Get-PrismNamespace -Database $target).Count
            if ($count -ne 10000) { throw "Import-PrismYaml imported $count namespaces into PostgreSQL, not 10,000." }
        }
        $sw.Elapsed.TotalSeconds
    }
    # Each import compiles hundreds of methods until the JIT's tiering settles (about five imports a side): warm up
    # until a round compiles fewer than 150, as figure 10a does, and report the first round's ratio.
    $importSides = @('Pg', 'Lite', 'PgOverlap', 'PgWaited')
    $importSidesReversed = @($importSides); [array]::Reverse($importSidesReversed)
    $importWarmRounds = 0; $importFirstRatio = $null
    do {
        $jitBefore = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
        $warmS = @{}; foreach ($side in $importSides) { $warmS[$side] = Measure-BenchImport $side }
        if ($null -eq $importFirstRatio) { $importFirstRatio = $warmS.Pg / $warmS.Lite }
        $importWarmRounds++
    } while ([System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jitBefore -ge 150 -and $importWarmRounds -lt 8)
    $importS = @{}; foreach ($side in $importSides) { $importS[$side] = [Collections.Generic.List[double]]::new() }
    for ($r = 0; $r -lt 5; $r++) {
        foreach ($side in $(if ($r % 2) { $importSidesReversed } else { $importSides })) { $importS[$side].Add((Measure-BenchImport $side)) }
    }
    $c = $connectionType::new($adminCs); $c.Open()
    try {
        foreach ($db in $dropLater) { $cmd = $c.CreateCommand(); $cmd.CommandText = "DROP DATABASE IF EXISTS $db WITH (FORCE)"; $null = $cmd.ExecuteNonQuery(); $cmd.Dispose() }
    }
    finally { $c.Dispose() }
    $po = Get-Median $pgUs.Ours; $pr = Get-Median $pgUs.Raw
    Add-Figure '10a. PostgreSQL (loopback): Get-PrismNamespace -Name x vs a raw Npgsql prepared SELECT by name, same pwsh loop' `
        (F '{0:N1} µs/call' $po) (F '{0:N1} µs/call' $pr) ($po / $pr) 1.3 (F 'median of {0} interleaved rounds of {1} calls per side, after {4} warm-up rounds ({5:N0} s) that ended when the JIT was quiet (the first ran at {6:N2}× raw); both read the whole row with its features; a lookup is one round trip (the store does not cache PostgreSQL rows: asking whether they changed would cost the same round trip); for scale, in the same rounds Core''s own TryGet called from the same pwsh loop is {2:N1} µs ({3:N2}× raw), and TryGet followed by the floor cmdlet of figure 2 is {7:N1} µs ({8:N2}× raw)' $rounds $pgPerRound (Get-Median $pgUs.Core) ((Get-Median $pgUs.Core) / $pr) $warmRounds $pgWarmSeconds $firstRatio (Get-Median $pgUs.CoreFloor) ((Get-Median $pgUs.CoreFloor) / $pr))
    $pi = Get-Median $importS.Pg; $li = Get-Median $importS.Lite
    Add-Figure '10b. PostgreSQL (loopback): Import-PrismYaml of 10,000 namespaces into an empty database vs the same into a new SQLite file' `
        (F '{0:N2} s' $pi) (F '{0:N2} s' $li) ($pi / $li) 2.0 (F 'median of {0} interleaved runs per side, after {1} warm-up rounds that ended when a round compiled fewer than 150 methods (the first ran at {2:N2}×); one transaction; new rows, their features and history rows go out by binary COPY in batches of 512, with row ids reserved from the sequence; the throwaway cluster runs with fsync off, the SQLite file with synchronous=FULL' $importS.Pg.Count $importWarmRounds $importFirstRatio)
    $oi = Get-Median $importS.PgOverlap; $wi = Get-Median $importS.PgWaited
    Add-Figure '10c. PostgreSQL: the same Import-PrismYaml with each COPY batch overlapping the next batch''s preparation (the default) vs waited for first' `
        (F '{0:N2} s' $oi) (F '{0:N2} s' $wi) ($oi / $wi) 0.8 'same rounds as figure 10b, both into a store opened before the clock starts; the device stays while it buys 20% or more'
}

# ---- Figure 11: Watch-PrismNamespace latency, commit to entry ----------------------------------------------
# A watcher in a second runspace stamps each entry as it arrives; this runspace commits one change at a time and
# stamps when each Set returns. Latency = arrival - commit, per revision.
function Measure-WatchLatency([string] $Db, [int] $Commits) {
    $null = New-PrismNamespace watch-bench -Backend redis -Pattern keyvalue -Database $Db -WarningAction SilentlyContinue
    $watcher = [powershell]::Create()
    $null = $watcher.AddScript({
        param($ModuleManifest, $Db, $Count)
        Import-Module $ModuleManifest
        Watch-PrismNamespace -Name watch-bench -Timeout 00:05:00 -Database $Db |
            Select-Object -First $Count |
            ForEach-Object { [pscustomobject]@{ Revision = $_.Revision; At = [Diagnostics.Stopwatch]::GetTimestamp() } }
    }).AddArgument((Join-Path $ModulePath 'PrismConfig.psd1')).AddArgument($Db).AddArgument($Commits)
    $async = $watcher.BeginInvoke()
    Start-Sleep -Milliseconds 1500   # the watcher subscribes before the first commit
    $committed = @{}
    for ($i = 1; $i -le $Commits; $i++) {
        $null = Set-PrismNamespace watch-bench -CacheTtlSeconds $i -Database $Db
        $committed[(Get-PrismNamespaceHistory watch-bench -Last 1 -Database $Db).Revision] = [Diagnostics.Stopwatch]::GetTimestamp()
        Start-Sleep -Milliseconds (Get-Random -Minimum 20 -Maximum 120)
    }
    $seen = $watcher.EndInvoke($async)
    $watcher.Dispose()
    if ($seen.Count -ne $Commits) { throw "Watch-PrismNamespace saw $($seen.Count) of $Commits commits on $Db." }
    [double[]]($seen | ForEach-Object { [Math]::Max(0.0, ($_.At - $committed[$_.Revision]) * 1000.0 / [Diagnostics.Stopwatch]::Frequency) })
}
function Get-Percentile([double[]] $Values, [double] $P) {
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[Math]::Min($sorted.Length - 1, [int][Math]::Ceiling($P * $sorted.Length) - 1)]
}
Write-Step 'Watch-PrismNamespace: commit-to-entry latency'
$watchTargets = [ordered]@{ SQLite = (Join-Path $work 'watch.db') }
if ($env:PRISM_TEST_POSTGRES) { $watchTargets['PostgreSQL'] = New-BenchPgDatabase 'bench_watch' }
$letter = 'a'
foreach ($engine in $watchTargets.Keys) {
    $ms = Measure-WatchLatency $watchTargets[$engine] 200
    $p99 = Get-Percentile $ms 0.99
    Add-Figure "11$letter. Watch-PrismNamespace on $engine`: p99 latency from a commit returning to its entry arriving in another runspace (200 commits) vs 1 s" `
        (F '{0:N1} ms (p50 {1:N1} ms, max {2:N1} ms)' $p99 (Get-Percentile $ms 0.5) ($ms | Measure-Object -Maximum).Maximum) '1,000 ms' ($p99 / 1000) 1.0 `
        $(if ($engine -eq 'SQLite') { 'the change token is polled every 50 ms' } else { 'LISTEN prism_config on a connection of its own; each commit NOTIFYs' })
    $letter = [char]([int][char]$letter + 1)
}

# ---- Figure 12: replica convergence, commit on the source to visible in the replica ---------------------------
# Sync-PrismConfig -Continuous runs in a second runspace; this one commits one change at a time to the source and
# polls the replica's revision until the change is there.
function Measure-Convergence([string] $Source, [string] $Replica, [int] $Commits) {
    $null = New-PrismNamespace sync-bench -Backend redis -Pattern keyvalue -Database $Source -WarningAction SilentlyContinue
    $sync = [powershell]::Create()
    $null = $sync.AddScript({
        param($ModuleManifest, $Source, $Replica)
        Import-Module $ModuleManifest
        Sync-PrismConfig -Source $Source -Database $Replica -Continuous
    }).AddArgument((Join-Path $ModulePath 'PrismConfig.psd1')).AddArgument($Source).AddArgument($Replica)
    $async = $sync.BeginInvoke()
    try {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Test-Path $Replica) -or (Get-PrismConfigStatus -Database $Replica).Revision -lt 1) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Sync-PrismConfig made no replica of $Source in 30 s." }
            Start-Sleep -Milliseconds 20
        }
        $ms = [Collections.Generic.List[double]]::new()
        for ($i = 1; $i -le $Commits; $i++) {
            $null = Set-PrismNamespace sync-bench -CacheTtlSeconds $i -Database $Source
            $committed = [Diagnostics.Stopwatch]::GetTimestamp()
            $revision = (Get-PrismConfigStatus -Database $Source).Revision
            while ((Get-PrismConfigStatus -Database $Replica).Revision -lt $revision) {
                if (([Diagnostics.Stopwatch]::GetTimestamp() - $committed) / [Diagnostics.Stopwatch]::Frequency -gt 60) { throw "Revision $revision did not reach the replica in 60 s." }
                Start-Sleep -Milliseconds 1
            }
            $ms.Add(([Diagnostics.Stopwatch]::GetTimestamp() - $committed) * 1000.0 / [Diagnostics.Stopwatch]::Frequency)
            Start-Sleep -Milliseconds (Get-Random -Minimum 20 -Maximum 120)
        }
        [double[]]$ms
    }
    finally {
        $sync.Stop()
        $sync.Dispose()
    }
}
Write-Step 'Sync-PrismConfig -Continuous: commit-to-replica convergence'
$syncSource = if ($env:PRISM_TEST_POSTGRES) { New-BenchPgDatabase 'bench_sync' } else { Join-Path $work 'sync-source.db' }
$syncEngine = if ($env:PRISM_TEST_POSTGRES) { 'PostgreSQL' } else { 'SQLite' }
$ms = Measure-Convergence $syncSource (Join-Path $work 'sync-replica.db') 200
$p99 = Get-Percentile $ms 0.99
Add-Figure "12. Sync-PrismConfig -Continuous from $syncEngine`: p99 time from a commit on the source to its revision in the local replica (200 commits) vs 1 s" `
    (F '{0:N1} ms (p50 {1:N1} ms, max {2:N1} ms)' $p99 (Get-Percentile $ms 0.5) ($ms | Measure-Object -Maximum).Maximum) '1,000 ms' ($p99 / 1000) 1.0 `
    'each commit NOTIFYs; the sync reads by revision and applies it in one SQLite transaction; the default 30 s poll never came into it'

$planRows = foreach ($pl in $plans) {
    "| $($pl.Filter) | ``$($pl.Plan -join '; ')`` | $($pl.ExpectedIndex) | $(if ($pl.UsesIndex) { 'yes' } else { '**no**' }) |"
}

$cpu = (Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.*)$' | Select-Object -First 1).Matches[0].Groups[1].Value
$os = if (Test-Path /etc/os-release) { ((Get-Content /etc/os-release | Where-Object { $_ -like 'PRETTY_NAME=*' }) -replace '^PRETTY_NAME="?|"$', '') } else { [Runtime.InteropServices.RuntimeInformation]::OSDescription }
$elapsed = $total.Elapsed
$loadAtEnd = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -as [string]

$md = [Text.StringBuilder]::new()
$null = $md.AppendLine('# PrismConfig benchmarks').AppendLine()
$null = $md.AppendLine("Command: ``dotnet tool restore && dotnet pwsh ./build.ps1 -Task Bench`` ($Configuration). Generated $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm', $inv)) UTC; the benchmarks took $([int]$elapsed.TotalMinutes) min $($elapsed.Seconds) s.").AppendLine()
$null = $md.AppendLine('Each figure is a ratio of two things measured in the same run, so machine load slows both sides; absolute times are for scale only.').AppendLine()
$null = $md.AppendLine('| Figure | Ours | Baseline | Ratio | Target | Met? |')
$null = $md.AppendLine('|---|---:|---:|---:|---:|:---:|')
foreach ($fig in $figures) {
    $null = $md.AppendLine((F '| {0} | {1} | {2} | {3:0.000}× | {4} | {5} |' $fig.Figure, $fig.Ours, $fig.Baseline, $fig.Ratio, $fig.Target, $(if ($fig.Met) { 'yes' } else { '**no**' })))
}
$allPlans = @($plans | Where-Object { -not $_.UsesIndex }).Count -eq 0
$null = $md.AppendLine((F '| 8a. Get-PrismNamespace -Backend / -Status use the indexes (EXPLAIN QUERY PLAN of Core''s SQL) | {0} | — | — | uses index | {1} |' $(if ($allPlans) { 'all use their index' } else { 'see below' }), $(if ($allPlans) { 'yes' } else { '**no**' })))
$null = $md.AppendLine().AppendLine('## Notes').AppendLine()
foreach ($fig in $figures) { $null = $md.AppendLine("- **$($fig.Figure.Split(' ')[0])** $($fig.Note).") }
$null = $md.AppendLine('- **8a.** Also asserted by tests/PrismConfig.Core.Tests/QueryPlanTests.cs (the Test task); plans from this run:').AppendLine()
$null = $md.AppendLine('| Filter | Plan | Expected index | Uses it? |').AppendLine('|---|---|---|:---:|')
foreach ($row in $planRows) { $null = $md.AppendLine($row) }
$null = $md.AppendLine().AppendLine('### Method').AppendLine()
$null = $md.AppendLine("- Data: $($size.namespaces) generated ADR-shaped namespaces (about 280 bytes of backend_config JSON, 3 tags, 2 features), $('{0:N0}' -f $yamlBytes) bytes of YAML.")
$null = $md.AppendLine('- Core figures: BenchmarkDotNet 0.15.8, in-process toolchain, few iterations (see bdn/ for the full tables). Raw SQLite baselines use Microsoft.Data.Sqlite with prepared, reused commands.')
$dbstat = if ($size.dbstat) { 'dbstat by table and index (bytes): ' + ((@($size.dbstat) | ForEach-Object { "$($_.Name) $('{0:N0}' -f $_.Bytes)" }) -join ', ') } else { 'dbstat is not compiled into the bundled SQLite (e_sqlite3), so there is no per-table breakdown' }
$null = $md.AppendLine("- Size: PRAGMA wal_checkpoint(TRUNCATE), then the file length; without history = a copy with every history row deleted and VACUUMed (measured, not estimated). $('{0:N0}' -f $size.pageCount) pages of $($size.pageSize) bytes, $($size.freelistCount) free; $dbstat.")
$null = $md.AppendLine('- Memory: a fresh pwsh per measurement; idle = `Process.WorkingSet64` after a full GC, taken after `Import-Module` (7b) or after a one-namespace import and a lookup into a scratch store (7a); then `PeakWorkingSet64` after `Import-PrismYaml ... | Out-Null` (an assignment to `$null` would collect the whole output first). 7a and 7c: the process with the median growth of three per size, the sizes alternating.')
$null = $md.AppendLine('- Nothing here is a test assertion; the only benchmark-related test is the query plan test (8a).')
$null = $md.AppendLine().AppendLine('### Machine').AppendLine()
$null = $md.AppendLine("- CPU: $cpu; nproc: $([Environment]::ProcessorCount)")
$null = $md.AppendLine("- OS: $os")
$null = $md.AppendLine("- .NET: $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription) (SDK $((& dotnet --version) -join '')); PowerShell $($PSVersionTable.PSVersion)")
$null = $md.AppendLine("- Load average (1/5/15 min) at start: $(($loadAtStart -split ' ')[0..2] -join ' '); at end: $(($loadAtEnd -split ' ')[0..2] -join ' ') — the machine is shared with other builds.")

$report = Join-Path $OutputFolder 'report.md'
Set-Content -Path $report -Value $md.ToString() -Encoding utf8
[pscustomobject]@{ Figures = $figures; Plans = $plans; Size = $size; Memory = $mem; MemoryCold = $memCold; Memory2500 = $mem2500; Memory100k = $mem100k; BulkReadMs = $bulkMs; ColdStart = $cold; CmdletLookupUs = $lookupUs; ImportSeconds = $importS; ParseSeconds = $parseS; Seconds = $elapsed.TotalSeconds } |
    ConvertTo-Json -Depth 6 | Set-Content -Path (Join-Path $OutputFolder 'report.json') -Encoding utf8
Get-Content $report | Write-Host
Write-Host "Report: $report ($([int]$elapsed.TotalSeconds) s)"
