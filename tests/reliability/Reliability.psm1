# The reliability suites' engines. The Pester files in this folder run them with small counts (the bounded versions
# that the Test task runs); Invoke-Soak.ps1 runs them with large ones. Each engine returns its figures as an object
# and lists every violation it saw, so the caller decides what fails.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
$script:WorkerProject = Join-Path $PSScriptRoot 'PrismConfig.CrashWorker/PrismConfig.CrashWorker.csproj'

function Get-ReliabilityRepoRoot { $script:RepoRoot }

function ConvertTo-PlainText {
    # Problems end up in JUnit XML, which cannot hold ANSI colour codes or other control characters.
    param([Parameter(ValueFromPipeline)][AllowEmptyString()][string] $Text)
    process { ($Text -replace '\x1b\[[0-9;?]*[A-Za-z]', '') -replace '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]', '?' }
}

function Get-DotnetHost {
    # The dotnet that runs this pwsh (under `dotnet pwsh`), else the one on PATH.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { return $process }
    return 'dotnet'
}

function Get-CrashWorkerPath {
    <#
    .SYNOPSIS
        The built crash worker: the newest of the Release and Debug builds (the Test task builds the solution, which
        includes it); built in Release here when neither exists.
    #>
    $bin = Join-Path $PSScriptRoot 'PrismConfig.CrashWorker/bin'
    $candidates = foreach ($configuration in 'Release', 'Debug') {
        $dll = Join-Path $bin "$configuration/net10.0/PrismConfig.CrashWorker.dll"
        if (Test-Path $dll) { Get-Item $dll }
    }
    $newest = $candidates | Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
    if ($newest) { return $newest.FullName }
    & (Get-DotnetHost) build $script:WorkerProject -c Release --nologo -v quiet | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Building the crash worker failed (exit code $LASTEXITCODE)." }
    return (Join-Path $bin 'Release/net10.0/PrismConfig.CrashWorker.dll')
}

function Start-CrashWorker {
    # Starts the worker with redirected output; the caller reads lines and kills it.
    param([Parameter(Mandatory)][string[]] $Arguments)
    $info = [Diagnostics.ProcessStartInfo]::new((Get-DotnetHost))
    $info.ArgumentList.Add((Get-CrashWorkerPath))
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $info.Environment['DOTNET_CLI_TELEMETRY_OPTOUT'] = '1'
    [Diagnostics.Process]::Start($info)
}

function Invoke-CrashWorker {
    # Runs the worker to completion and returns its output lines and exit code.
    param([Parameter(Mandatory)][string[]] $Arguments, [int] $TimeoutSeconds = 120)
    $p = Start-CrashWorker -Arguments $Arguments
    $stdout = $p.StandardOutput.ReadToEndAsync()
    $stderr = $p.StandardError.ReadToEndAsync()
    if (-not $p.WaitForExit($TimeoutSeconds * 1000)) {
        $p.Kill($true)
        throw "The crash worker ($($Arguments -join ' ')) did not finish within $TimeoutSeconds s."
    }
    $p.WaitForExit()
    [pscustomobject]@{
        Output   = @(($stdout.Result + $stderr.Result) -split "`r?`n" | Where-Object { $_ })
        ExitCode = $p.ExitCode
    }
}

function Write-ReliabilityFigure {
    <#
    .SYNOPSIS
        Prints a suite's figures ("crash-safety: 30 kills survived, ...") and appends them to out/reliability/figures.md.
    #>
    param([Parameter(Mandatory)][string] $Suite, [Parameter(Mandatory)][string] $Text, [string] $Mode = 'Test (bounded)')
    Write-Host "${Suite}: $Text"
    $folder = Join-Path $script:RepoRoot 'out/reliability'
    $null = New-Item -ItemType Directory -Force -Path $folder
    $file = Join-Path $folder 'figures.md'
    if (-not (Test-Path $file)) {
        Set-Content -Path $file -Encoding utf8 -Value @(
            '# PrismConfig reliability figures', '',
            'Appended by each reliability suite (tests/reliability) after it runs.', '',
            '| when (UTC) | run | suite | figures |', '| --- | --- | --- | --- |')
    }
    $line = '| {0:yyyy-MM-dd HH:mm} | {1} | {2} | {3} |' -f [DateTime]::UtcNow, $Mode, $Suite, ($Text -replace '\|', '\|')
    Add-Content -Path $file -Encoding utf8 -Value $line
}

function Invoke-CrashSafety {
    <#
    .SYNOPSIS
        Kills a writing worker -Kills times at random moments and verifies the store after each kill.
    .OUTPUTS
        Kills, KillsSurvived, CreationKillsSurvived, CommittedWritesVerified, Namespaces, HistoryRows, Seed, Seconds, Problems.
    #>
    param(
        [Parameter(Mandatory)][int] $Kills,
        [Parameter(Mandatory)][string] $WorkFolder,
        [int] $Seed = (Get-Random -Maximum 1000000),
        [int] $MaxRunMilliseconds = 400,
        # Kills while a worker creates a brand-new store: afterwards there is no file, or a store that verifies.
        [int] $CreationKills = 5
    )
    $null = New-Item -ItemType Directory -Force -Path $WorkFolder
    $db = Join-Path $WorkFolder 'crash.db'
    $log = Join-Path $WorkFolder 'crash-sidelog.txt'
    $random = [Random]::new($Seed)
    $problems = [Collections.Generic.List[string]]::new()
    $survived = 0
    $killed = 0
    $clock = [Diagnostics.Stopwatch]::StartNew()

    $creationSurvived = 0
    for ($c = 0; $c -lt $CreationKills; $c++) {
        $fresh = Join-Path $WorkFolder "create-$c"
        $null = New-Item -ItemType Directory -Force -Path $fresh
        $p = Start-CrashWorker -Arguments @('cycle', (Join-Path $fresh 'new.db'), (Join-Path $fresh 'log.txt'), [string]$random.Next())
        Start-Sleep -Milliseconds $random.Next(30, 300)
        $p.Kill(); $p.WaitForExit()
        if (-not (Test-Path (Join-Path $fresh 'new.db'))) { $creationSurvived++; continue }
        $check = Invoke-CrashWorker -Arguments @('verify', (Join-Path $fresh 'new.db'), (Join-Path $fresh 'log.txt'))
        if ($check.ExitCode -eq 0) { $creationSurvived++ }
        else { $problems.AddRange([string[]]@($check.Output | ForEach-Object { "kill during creation ${c}: $_" })) }
    }

    for ($cycle = 0; $cycle -lt $Kills; $cycle++) {
        $p = Start-CrashWorker -Arguments @('cycle', $db, $log, [string]$random.Next())
        $stderr = $p.StandardError.ReadToEndAsync()
        $lines = [Collections.Generic.List[string]]::new()
        # Usually kill while it writes; one cycle in ten, at any moment from its start (opening, recovering, verifying).
        $early = $cycle -gt 0 -and $random.Next(10) -eq 0
        $ready = $false
        if (-not $early) {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $deadline) {
                $read = $p.StandardOutput.ReadLineAsync()
                if (-not $read.Wait(60000)) { break }
                if ($null -eq $read.Result) { break }
                $lines.Add($read.Result)
                if ($read.Result -eq 'READY') { $ready = $true; break }
            }
            if (-not $ready) {
                $p.WaitForExit(10000) | Out-Null
                if (-not $p.HasExited) { $p.Kill($true); $p.WaitForExit() }
                $problems.Add("cycle ${cycle}: the worker never became ready (exit $($p.ExitCode)): $(($lines + $stderr.Result) -join ' / ')")
                break
            }
        }
        Start-Sleep -Milliseconds $random.Next(5, $MaxRunMilliseconds)
        if ($p.HasExited) {
            $problems.Add("cycle ${cycle}: the worker stopped by itself (exit $($p.ExitCode)): $($stderr.Result)")
            break
        }
        $p.Kill()   # SIGKILL on Unix: no finally blocks, no flush, no checkpoint
        $p.WaitForExit()
        $rest = $p.StandardOutput.ReadToEnd()
        foreach ($l in ($rest -split "`r?`n")) { if ($l) { $lines.Add($l) } }
        $failures = @($lines | Where-Object { $_ -like 'VERIFY FAIL*' })
        if ($failures) {
            $problems.AddRange([string[]]@($failures | ForEach-Object { "cycle ${cycle}: $_" }))
            break
        }
        # A cycle that reached READY verified every kill before it; an early kill may have cut that short, and the
        # next full verification covers it.
        if ($ready) { $survived = $cycle }
        $killed = $cycle + 1
    }

    # The last kill is verified here, by a worker that only verifies.
    $final = Invoke-CrashWorker -Arguments @('verify', $db, $log)
    $ok = $final.Output | Where-Object { $_ -like 'VERIFY OK*' } | Select-Object -First 1
    if ($final.ExitCode -ne 0 -or -not $ok) {
        $problems.AddRange([string[]]@($final.Output | ForEach-Object { "final verify: $_" }))
    }
    elseif ($problems.Count -eq 0) {
        $survived = $killed
    }
    $figures = @{}
    if ($ok -match 'namespaces=(\d+) history=(\d+) logged=(\d+)') {
        $figures = @{ Namespaces = [int]$Matches[1]; History = [int]$Matches[2]; Logged = [int]$Matches[3] }
    }
    [pscustomobject]@{
        Kills                   = $killed
        CreationKillsSurvived   = $creationSurvived
        KillsSurvived           = $survived
        CommittedWritesVerified = $figures.Logged
        Namespaces              = $figures.Namespaces
        HistoryRows             = $figures.History
        Seed                    = $Seed
        Seconds                 = [math]::Round($clock.Elapsed.TotalSeconds, 1)
        Problems                = @($problems | ConvertTo-PlainText)
    }
}

function Start-ReliabilityPwsh {
    # A child pwsh that runs -Script (a param() script's text) with -Arguments; output goes to -Log.
    param([Parameter(Mandatory)][string] $Script, [Parameter(Mandatory)][hashtable] $Arguments, [Parameter(Mandatory)][string] $Log)
    $pwsh = $env:PRISM_TEST_PWSH -split [IO.Path]::PathSeparator
    $exe, $rest = $pwsh
    $file = [IO.Path]::ChangeExtension($Log, '.ps1')
    Set-Content -Path $file -Value $Script -Encoding utf8
    $argumentList = @($rest) + @('-NoProfile', '-NonInteractive', '-File', $file) | Where-Object { $_ }
    foreach ($k in $Arguments.Keys) { $argumentList += "-$k"; $argumentList += [string]$Arguments[$k] }
    $info = [Diagnostics.ProcessStartInfo]::new($exe)
    foreach ($a in $argumentList) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($info)
    [pscustomobject]@{ Process = $p; Stdout = $p.StandardOutput.ReadToEndAsync(); Stderr = $p.StandardError.ReadToEndAsync(); Log = $Log }
}

function Start-ReliabilityLoad {
    <#
    .SYNOPSIS
        Loads the machine the way the concurrency issue describes: -CpuBurners busy shell loops and -FsyncLoops loops
        of `dd if=/dev/zero of=FILE bs=1M count=-FsyncMiB conv=fsync`, each writing its own file in -WorkFolder. Every
        process runs under `timeout`, so the load ends after -Seconds even if the caller dies; Stop-ReliabilityLoad
        ends it sooner and deletes the files. At most -FsyncLoops x -FsyncMiB MiB are on disk at once.
    #>
    param(
        [Parameter(Mandatory)][string] $WorkFolder,
        [Parameter(Mandatory)][int] $Seconds,
        [int] $CpuBurners = 2,
        [int] $FsyncLoops = 2,
        [int] $FsyncMiB = 512
    )
    $null = New-Item -ItemType Directory -Force -Path $WorkFolder
    $needMiB = $FsyncLoops * $FsyncMiB + 1024
    $availMiB = [long](@(& df --output=avail -B1M $WorkFolder)[-1].Trim())
    if ($availMiB -lt $needMiB) { throw "The load needs $needMiB MiB free in $WorkFolder; there are $availMiB MiB." }
    $load = [pscustomobject]@{ Processes = [Collections.Generic.List[Diagnostics.Process]]::new(); Files = [Collections.Generic.List[string]]::new(); Rounds = @() }
    $start = {
        param([string[]] $Arguments)
        # timeout leads its own process group and passes a TERM on to all of it; -k KILLs what ignores that.
        $info = [Diagnostics.ProcessStartInfo]::new('timeout')
        foreach ($a in @('-k', '5', [string]$Seconds) + $Arguments) { $info.ArgumentList.Add($a) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $p = [Diagnostics.Process]::Start($info)
        $null = $p.StandardOutput.ReadToEndAsync(); $null = $p.StandardError.ReadToEndAsync()
        $load.Processes.Add($p)
    }
    try {
        for ($i = 1; $i -le $CpuBurners; $i++) { & $start -Arguments @('sh', '-c', 'while :; do :; done') }
        for ($i = 1; $i -le $FsyncLoops; $i++) {
            $file = Join-Path $WorkFolder "load-fsync-$i.bin"
            $load.Files.Add($file); $load.Files.Add("$file.rounds")
            # One line in FILE.rounds per completed round; a failing dd (a full disk) pauses rather than spins.
            & $start -Arguments @('sh', '-c', 'while :; do dd if=/dev/zero of="$1" bs=1M count="$2" conv=fsync status=none && echo x >> "$1.rounds" || sleep 1; done', 'sh', $file, [string]$FsyncMiB)
        }
    }
    catch {
        Stop-ReliabilityLoad $load
        throw
    }
    return $load
}

function Stop-ReliabilityLoad {
    <#
    .SYNOPSIS
        Ends a Start-ReliabilityLoad's processes (each whole process group, then any tree left), deletes its files,
        and returns how many fsync rounds completed.
    #>
    param([Parameter(Mandatory)] $Load)
    foreach ($p in $Load.Processes) {
        if (-not $p.HasExited) { & kill -TERM -- "-$($p.Id)" 2>$null }
    }
    foreach ($p in $Load.Processes) {
        if (-not $p.WaitForExit(10000)) { try { $p.Kill($true) } catch { } ; $null = $p.WaitForExit(5000) }
    }
    $rounds = 0
    foreach ($file in $Load.Files) {
        if ($file -like '*.rounds' -and (Test-Path $file)) { $rounds += @(Get-Content $file).Count }
        Remove-Item -Force -ErrorAction SilentlyContinue -LiteralPath $file
    }
    return $rounds
}

function Get-Percentile {
    # Nearest rank: the smallest value that at least -Fraction of the values do not exceed.
    param([double[]] $Values, [Parameter(Mandatory)][double] $Fraction)
    if (-not $Values) { return $null }
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[math]::Max(0, [int][math]::Ceiling($Fraction * $sorted.Count) - 1)]
}

$script:WriterScript = @'
param([string] $ModulePath, [string] $Database, [string] $Names, [int] $Increments, [int] $Seed)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$nameList = @($Names -split ",")
$random = [Random]::new($Seed)
$made = 0; $conflicts = 0; $busy = 0; $other = 0; $leaks = 0
# Each write's wait for SQLite's write lock, in ms, from the verbose line that ends "(waited N ms for the write lock)."
$waits = [Collections.Generic.List[string]]::new()
for ($i = 0; $i -lt $Increments -and $other + $busy -lt 20; $i++) {
    $name = $nameList[$random.Next($nameList.Count)]
    while ($other + $busy -lt 20) {
        try {
            $ns = Get-PrismNamespace -Name $name -Database $Database
            $verbose = Set-PrismNamespace -Name $name -RateLimitRps ($ns.RateLimitRps + 1) -ExpectedVersion $ns.Version -Database $Database -Verbose 4>&1
            foreach ($line in $verbose) { if ("$line" -match 'waited ([\d.]+) ms for the write lock') { $waits.Add($Matches[1]) } }
            $made++
            break
        }
        catch {
            $text = "$_ | $($_.Exception.GetType().FullName) | $($_.Exception.InnerException)"
            # The raw SQLite text must never reach the user, busy or not.
            if ($text -match 'database is locked|SQLite Error|SQLITE_|Npgsql|PostgresException') { $leaks++; "LEAK $($_.FullyQualifiedErrorId) $text" }
            # A lost race is retried; a writer that gave up waiting for the lock (StoreBusy) has failed.
            if ($_.FullyQualifiedErrorId -like 'VersionConflict*') { $conflicts++ }
            elseif ($_.FullyQualifiedErrorId -like 'StoreBusy*') { $busy++; "BUSY $text"; break }
            else { $other++; "ERROR $($_.FullyQualifiedErrorId) $text" }
        }
    }
}
"WAITS $($waits -join ',')"
"RESULT made=$made conflicts=$conflicts busy=$busy other=$other leaks=$leaks"
'@

$script:ReaderScript = @'
param([string] $ModulePath, [string] $Database, [string] $Names, [string] $StopFile)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$nameList = @($Names -split ",")
$byVersion = (Get-Command Get-PrismNamespaceHistory).Parameters.ContainsKey('Version')
$reads = 0; $bad = 0; $errors = 0
$seen = @{}
while (-not (Test-Path $StopFile)) {
    foreach ($name in $nameList) {
        try {
            $ns = Get-PrismNamespace -Name $name -Database $Database
            if ($byVersion) {
                $h = @(Get-PrismNamespaceHistory -Name $name -Version $ns.Version -Database $Database)
                $ok = $h.Count -eq 1 -and $h[0].Version -eq $ns.Version -and $h[0].NewConfig.RateLimitRps -eq $ns.RateLimitRps
            }
            else {
                $h = @(Get-PrismNamespaceHistory -Name $name -Last 1 -Database $Database)
                $ok = $h.Count -eq 1 -and $h[0].Version -ge $ns.Version
            }
            if (-not $ok) { $bad++; "BAD $name saw version $($ns.Version) (rps $($ns.RateLimitRps)) without its history row" }
            if ($seen[$name] -gt $ns.Version) { $bad++; "BAD $name went back from version $($seen[$name]) to $($ns.Version)" }
            $seen[$name] = $ns.Version
            $reads++
        }
        catch {
            $errors++
            "ERROR $($_.FullyQualifiedErrorId) $_"
            if ($errors -gt 20) { break }
        }
    }
    if ($errors -gt 20) { break }
}
"RESULT reads=$reads bad=$bad errors=$errors"
'@

function Invoke-ConcurrencySuite {
    <#
    .SYNOPSIS
        -Writers pwsh processes each make -Increments optimistic increments (Get, then Set -ExpectedVersion, retry on
        VersionConflict only: StoreBusy is a failure) of rate_limit_rps on a few shared namespaces, while a reader
        checks that every version it sees has its history row and -Backups online backups are taken and verified.
        With -UnderLoad, Start-ReliabilityLoad (two CPU burners, two 512 MiB fsync loops) runs for as long as the
        writers do. Every write's wait for the write lock is collected: LockWaitP50/P99/MaxMs.
    #>
    param(
        [Parameter(Mandatory)][string] $ModulePath,
        [Parameter(Mandatory)][string] $WorkFolder,
        [int] $Writers = 4,
        [int] $Increments = 200,
        [int] $Namespaces = 3,
        [int] $Backups = 3,
        [int] $TimeoutSeconds = 240,
        [int] $Seed = (Get-Random -Maximum 1000000),
        [switch] $UnderLoad,
        # A store locator to use instead of a new SQLite file in -WorkFolder: a postgresql:// URI of an empty database.
        [string] $Database
    )
    $null = New-Item -ItemType Directory -Force -Path $WorkFolder
    $db = if ($Database) { $Database } else { Join-Path $WorkFolder 'concurrency.db' }
    $isFile = -not $Database -or $Database -notmatch '^[a-z]+://'
    $problems = [Collections.Generic.List[string]]::new()
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $names = 1..$Namespaces | ForEach-Object { 'counter-{0}' -f $_ }
    # Version k of each namespace holds the counter value k: every write is exactly one increment.
    foreach ($name in $names) {
        New-PrismNamespace -Name $name -Backend redis -Pattern keyvalue -RateLimitRps 1 -Database $db -ErrorAction Stop | Out-Null
    }
    $stop = Join-Path $WorkFolder 'stop-readers'
    $load = $null
    $fsyncRounds = 0
    $children = @(); $reader = $null
    if ($UnderLoad) { $load = Start-ReliabilityLoad -WorkFolder (Join-Path $WorkFolder 'load') -Seconds ($TimeoutSeconds + 120) }
    try {
        $common = @{ ModulePath = $ModulePath; Database = $db; Names = ($names -join ',') }
        $children = @(
            foreach ($w in 1..$Writers) {
                Start-ReliabilityPwsh -Script $script:WriterScript -Log (Join-Path $WorkFolder "writer-$w.log") -Arguments ($common + @{ Increments = $Increments; Seed = $Seed + $w })
            }
        )
        $reader = Start-ReliabilityPwsh -Script $script:ReaderScript -Log (Join-Path $WorkFolder 'reader.log') -Arguments ($common + @{ StopFile = $stop })

        # Backups while the writers write: each must pass Test-PrismConfig and be one committed state.
        $backupsVerified = 0
        $backupsUnderLoad = 0
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        for ($b = 1; $b -le $Backups; $b++) {
            # Wait until the writers have started writing, then spread the backups over their run.
            while ([DateTime]::UtcNow -lt $deadline -and ((Get-PrismNamespace -Database $db | Measure-Object Version -Sum).Sum -lt $Namespaces + 2 + ($b - 1) * 40)) {
                if (@($children | Where-Object { -not $_.Process.HasExited }).Count -eq 0) { break }
                Start-Sleep -Milliseconds 200
            }
            $running = @($children | Where-Object { -not $_.Process.HasExited }).Count
            $folder = Join-Path $WorkFolder "backup-$b"
            $null = New-Item -ItemType Directory -Force -Path $folder
            try {
                $file = Backup-PrismConfig -Database $db -Destination $folder -ErrorAction Stop
                if ($running -gt 0 -and @($children | Where-Object { -not $_.Process.HasExited }).Count -gt 0) { $backupsUnderLoad++ }
                $path = @($file)[0].FullName
                $health = Test-PrismConfig -Database $path -ErrorAction Stop
                if (-not $health.IsHealthy) { $problems.Add("backup ${b}: Test-PrismConfig reports $($health.Problems -join '; ')") }
                $check = Invoke-CrashWorker -Arguments @('verify', $path, '-')
                if ($check.ExitCode -ne 0) { $problems.AddRange([string[]]@($check.Output | ForEach-Object { "backup ${b}: $_" })) }
                foreach ($ns in Get-PrismNamespace -Database $path) {
                    if ($ns.RateLimitRps -ne $ns.Version) { $problems.Add("backup ${b}: $($ns.Name) has counter $($ns.RateLimitRps) at version $($ns.Version): not a committed state") }
                }
                if ($health.IsHealthy -and $check.ExitCode -eq 0) { $backupsVerified++ }
            }
            catch {
                $problems.Add("backup ${b}: $($_.FullyQualifiedErrorId) $_")
            }
        }

        foreach ($c in $children) {
            $left = [int][math]::Max(1000, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
            if (-not $c.Process.WaitForExit($left)) { $c.Process.Kill($true); $problems.Add("a writer did not finish within $TimeoutSeconds s") }
        }
        $writersSeconds = $clock.Elapsed.TotalSeconds
        Set-Content -Path $stop -Value 'stop'
        if (-not $reader.Process.WaitForExit(60000)) { $reader.Process.Kill($true); $problems.Add('the reader did not stop') }
    }
    finally {
        foreach ($c in @($children) + @($reader) | Where-Object { $_ -and -not $_.Process.HasExited }) { $c.Process.Kill($true) }
        if ($load) { $fsyncRounds = Stop-ReliabilityLoad $load }
    }

    $made = 0; $conflicts = 0; $busy = 0; $leaks = 0; $reads = 0
    $waits = [Collections.Generic.List[double]]::new()
    foreach ($c in $children + $reader) {
        $c.Process.WaitForExit()
        $text = $c.Stdout.Result + $c.Stderr.Result
        Set-Content -Path $c.Log -Value $text
        $lines = $text -split "`r?`n"
        $result = $lines | Where-Object { $_ -like 'RESULT *' } | Select-Object -Last 1
        if (-not $result) { $problems.Add("$(Split-Path -Leaf $c.Log): no result (exit $($c.Process.ExitCode)): $($text.Trim())"); continue }
        $values = @{}
        foreach ($pair in ($result -replace '^RESULT ', '') -split ' ') { $k, $v = $pair -split '='; $values[$k] = [int]$v }
        $problems.AddRange([string[]]@($lines | Where-Object { $_ -match '^(LEAK|ERROR|BAD|BUSY) ' } | Select-Object -First 10 | ForEach-Object { "$(Split-Path -Leaf $c.Log): $_" }))
        if ($values.ContainsKey('made')) {
            $own = @(($lines | Where-Object { $_ -like 'WAITS*' } | Select-Object -Last 1) -replace '^WAITS ?', '' -split ',' | Where-Object { $_ } |
                ForEach-Object { [double]::Parse($_, [Globalization.CultureInfo]::InvariantCulture) })
            if ($own.Count -ne $values.made) { $problems.Add("$(Split-Path -Leaf $c.Log): $($own.Count) lock waits reported for $($values.made) writes") }
            $waits.AddRange([double[]]$own)
            $made += $values.made; $conflicts += $values.conflicts; $busy += $values.busy; $leaks += $values.leaks
            if ($values.made -ne $Increments) { $problems.Add("$(Split-Path -Leaf $c.Log): made $($values.made) of $Increments increments") }
        }
        else { $reads += $values.reads }
    }

    # No lost update, no duplicated or missing version.
    $final = @(Get-PrismNamespace -Database $db)
    $counted = ($final | ForEach-Object { $_.RateLimitRps - 1 } | Measure-Object -Sum).Sum
    # Negative would mean doubled updates; either way it is a problem below.
    $lost = $made - $counted
    if ($counted -ne $made) { $problems.Add("the counters add up to $counted, but the writers made $made increments: lost or doubled updates") }
    foreach ($ns in $final) {
        if ($ns.RateLimitRps -ne $ns.Version) { $problems.Add("$($ns.Name): counter $($ns.RateLimitRps) at version $($ns.Version)") }
    }
    if ($isFile) {
        $check = Invoke-CrashWorker -Arguments @('verify', $db, '-')
        if ($check.ExitCode -ne 0) { $problems.AddRange([string[]]@($check.Output | ForEach-Object { "final store: $_" })) }
    }
    # Every commit took the next store revision: the history's revisions run without a gap to the store's counter.
    $health = Test-PrismConfig -Database $db
    if (-not $health.IsHealthy) { $problems.AddRange([string[]]@($health.Problems | ForEach-Object { "final store: $_" })) }
    $revisions = @(Get-PrismNamespaceHistory -Database $db | ForEach-Object Revision | Sort-Object -Unique)
    $contiguous = $revisions.Count -gt 0 -and $revisions[-1] - $revisions[0] + 1 -eq $revisions.Count
    if (-not $contiguous) { $problems.Add("final store: the history's $($revisions.Count) revisions are not contiguous") }

    [pscustomobject]@{
        Writers          = $Writers
        WritesMade       = $made
        Conflicts        = $conflicts
        StoreBusy        = $busy
        LostUpdates      = $lost
        LockWaitP50Ms    = Get-Percentile $waits 0.50
        LockWaitP99Ms    = Get-Percentile $waits 0.99
        LockWaitMaxMs    = Get-Percentile $waits 1.0
        LockWaits        = $waits.Count
        UnderLoad        = [bool]$UnderLoad
        FsyncRounds      = $fsyncRounds
        RawSqliteLeaks   = $leaks
        Revisions        = $revisions.Count
        Reads            = $reads
        BackupsVerified  = $backupsVerified
        BackupsUnderLoad = $backupsUnderLoad
        WritersSeconds   = [math]::Round($writersSeconds, 1)
        Seconds          = [math]::Round($clock.Elapsed.TotalSeconds, 1)
        Seed             = $Seed
        Problems         = @($problems | ConvertTo-PlainText)
    }
}

function Format-ConcurrencyFigure {
    # The concurrency suite's figure line, shared by the Test task and Soak.
    param([Parameter(Mandatory)] $Result)
    $load = if ($Result.UnderLoad) { " under load (2 CPU burners, 2 fsync loops: $($Result.FsyncRounds) rounds of 512 MiB)" } else { '' }
    "{0} concurrent writes made by {1} processes{2} in {3} s: {4} StoreBusy, {5} lost updates, {6} version conflicts retried, {7} raw SQLite errors shown; write-lock wait p50 {8} ms, p99 {9} ms, max {10} ms; {11} reads checked against history" -f
        $Result.WritesMade, $Result.Writers, $load, $Result.WritersSeconds, $Result.StoreBusy, $Result.LostUpdates, $Result.Conflicts,
        $Result.RawSqliteLeaks, $Result.LockWaitP50Ms, $Result.LockWaitP99Ms, $Result.LockWaitMaxMs, $Result.Reads
}

function Invoke-YamlFuzzSuite {
    <#
    .SYNOPSIS
        Runs Invoke-YamlFuzz.ps1 in one fresh pwsh (a crash there must not take the caller down) and parses its result.
    #>
    param(
        [Parameter(Mandatory)][string] $ModulePath,
        [Parameter(Mandatory)][string] $WorkFolder,
        [int] $Cases = 1000,
        [int] $Seed = (Get-Random -Maximum 1000000),
        [int] $TimeoutSeconds = 600
    )
    $null = New-Item -ItemType Directory -Force -Path $WorkFolder
    $script = Join-Path $PSScriptRoot 'Invoke-YamlFuzz.ps1'
    $child = Start-ReliabilityPwsh -Script (Get-Content -Raw $script) -Log (Join-Path $WorkFolder 'fuzz.log') `
        -Arguments @{ ModulePath = $ModulePath; WorkFolder = (Join-Path $WorkFolder 'cases'); Cases = $Cases; Seed = $Seed
            ExampleFile = (Join-Path $script:RepoRoot 'examples/namespaces.yaml') }
    if (-not $child.Process.WaitForExit($TimeoutSeconds * 1000)) { $child.Process.Kill($true) }
    $child.Process.WaitForExit()
    $text = $child.Stdout.Result + $child.Stderr.Result
    Set-Content -Path $child.Log -Value $text
    $lines = $text -split "`r?`n"
    $problems = @($lines | Where-Object { $_ -like 'FUZZ-VIOLATION*' })
    $result = $lines | Where-Object { $_ -like 'FUZZ-RESULT *' } | Select-Object -Last 1
    $values = @{}
    if ($result -match 'cases=(\d+) imported=(\d+) rejected=(\d+) violations=(\d+) maxms=(\d+) seconds=([\d.]+) .*maxcase=(.*)$') {
        $values = @{ Cases = [int]$Matches[1]; Imported = [int]$Matches[2]; Rejected = [int]$Matches[3]; MaxMs = [int]$Matches[5]; Seconds = [double]$Matches[6]; MaxCase = $Matches[7] }
    }
    else {
        $problems += "the fuzz process ended without a result (exit $($child.Process.ExitCode)): $(($lines | Select-Object -Last 15) -join ' / ')"
    }
    [pscustomobject]@{
        Cases    = $values.Cases
        Imported = $values.Imported
        Rejected = $values.Rejected
        MaxMs    = $values.MaxMs
        MaxCase  = $values.MaxCase
        Kinds    = ($lines | Where-Object { $_ -like 'FUZZ-KINDS *' }) -replace '^FUZZ-KINDS ', ''
        Seconds  = $values.Seconds
        Seed     = $Seed
        Problems = @($problems | ConvertTo-PlainText)
    }
}

function Invoke-ReplicaCrash {
    <#
    .SYNOPSIS
        SIGKILLs Sync-PrismConfig -Continuous at random moments while a writer imports batches into the source; after
        every kill the replica must pass Test-PrismConfig (integrity_check, versions against history, revision
        continuity) and hold exactly the source's history up to its revision: a whole revision, never part of one.
    #>
    param(
        [Parameter(Mandatory)][int] $Kills,
        [Parameter(Mandatory)][string] $WorkFolder,
        [Parameter(Mandatory)][string] $ModulePath,
        [Parameter(Mandatory)][string] $Source,
        [int] $Seed = (Get-Random -Maximum 1000000)
    )
    $rng = [Random]::new($Seed)
    $null = New-Item -ItemType Directory -Force -Path $WorkFolder
    $replica = Join-Path $WorkFolder 'replica.db'
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $problems = [Collections.Generic.List[string]]::new()
    # Each round imports 40 namespaces with a new rate limit: one revision of 40 history rows, so a pass is long
    # enough for a kill to land inside its transaction.
    $writerScript = @'
param($Module, $Source, $Folder)
Import-Module $Module
$round = 0
while ($true) {
    $round++
    $yaml = Join-Path $Folder "round.yaml"
    $lines = @('namespaces:') + (1..40 | ForEach-Object { "  - { name: crash-$_, backend: redis, pattern: keyvalue, rate_limit_rps: $($round + $_), tags: [r$round] }" })
    Set-Content -Path $yaml -Value $lines
    try { Import-PrismYaml -Path $yaml -Database $Source -ErrorAction Stop | Out-Null } catch { Start-Sleep -Milliseconds 100 }
}
'@
    $writer = Start-ReliabilityPwsh -Script $writerScript -Arguments @{ Module = $ModulePath; Source = $Source; Folder = $WorkFolder } -Log (Join-Path $WorkFolder 'writer.log')
    $syncScript = @'
param($Module, $Source, $Replica)
Import-Module $Module
Sync-PrismConfig -Source $Source -Database $Replica -Continuous -PollInterval 00:00:01 | Out-Null
'@
    $survived = 0
    try {
        for ($k = 1; $k -le $Kills; $k++) {
            $sync = Start-ReliabilityPwsh -Script $syncScript -Arguments @{ Module = $ModulePath; Source = $Source; Replica = $replica } -Log (Join-Path $WorkFolder "sync-$k.log")
            Start-Sleep -Milliseconds $rng.Next(800, 2500)
            $sync.Process.Kill()
            $sync.Process.WaitForExit()
            if (-not (Test-Path $replica)) { $survived++; continue }
            $report = Test-PrismConfig -Database $replica
            if (-not $report.IsHealthy) { $problems.Add("kill ${k}: $($report.Problems -join '; ')"); continue }
            $revision = $report.Revision
            $have = @(Get-PrismNamespaceHistory -IncludeRemoved -Database $replica).Count
            $want = @(Get-PrismNamespaceHistory -IncludeRemoved -Database $Source | Where-Object Revision -le $revision).Count
            if ($have -ne $want) { $problems.Add("kill ${k}: the replica is at revision $revision with $have history entries; the source has $want up to it.") }
            else { $survived++ }
        }
    }
    finally {
        if (-not $writer.Process.HasExited) { $writer.Process.Kill() }
        $writer.Process.WaitForExit()
    }
    Sync-PrismConfig -Source $Source -Database $replica | Out-Null
    $final = (Get-PrismConfigStatus -Database $Source).Revision
    if ((Get-PrismConfigStatus -Database $replica).Revision -ne $final) { $problems.Add("after the kills, one pass did not bring the replica to the source's revision $final.") }
    [pscustomobject]@{
        Kills = $Kills; KillsSurvived = $survived; Revision = $final; Seed = $Seed; Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 1)
        Problems = @($problems)
    }
}

Export-ModuleMember -Function Get-ReliabilityRepoRoot, Get-DotnetHost, Get-CrashWorkerPath, Start-CrashWorker, Invoke-CrashWorker,
    Write-ReliabilityFigure, Invoke-CrashSafety, Start-ReliabilityPwsh, Start-ReliabilityLoad, Stop-ReliabilityLoad, Get-Percentile,
    Invoke-ConcurrencySuite, Format-ConcurrencyFigure, Invoke-YamlFuzzSuite, Invoke-ReplicaCrash
