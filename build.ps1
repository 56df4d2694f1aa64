<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the PrismConfig module.

.DESCRIPTION
    One entry point for every developer and CI task. Every tool it needs is pinned in the repository and fetched
    by the build itself: pwsh from the local dotnet tool manifest, Pester and test fixtures from NuGet through
    build/TestTools.csproj. Nothing is installed machine-wide.

    Each step prints one line with its time. Laying out the module and generating its help are skipped when
    their inputs (the publish output, docs/, the format files, the manifest) hash the same as at their last
    success, recorded in out/stamps/. Output redirected to a file carries no colour codes.

    Tasks:
      Build    (default) Compiles the solution and lays out the importable module in out/PrismConfig.
      Test     Builds, starts a throwaway PostgreSQL cluster on 127.0.0.1 (build/TestPostgres.psm1), then runs
               the xUnit tests and the Pester tests (in a fresh pwsh, against out/PrismConfig), writes JUnit XML
               under out/test-results, prints one combined "N passed, N failed" line and stops the cluster.
               Exits non-zero if anything failed. Without PostgreSQL's server binaries its tests are skipped,
               or, with CI=true, counted as one failure.
      Demo     Builds, then walks through the main job against a throwaway database in out/demo.
      Package  Builds, then writes out/package/PrismConfig.<version>.nupkg with Publish-PSResource, for
               Install-PSResource from a file repository or a feed (build/Publish-Package.ps1).
      Bench    Builds, then runs the benchmarks and writes out/bench/report.md (with the PostgreSQL cluster).
      Soak     Builds, then runs the long reliability suites (iteration counts from -Iterations; with the
               PostgreSQL cluster).
      Clean    Removes out/ and every bin/ and obj/ folder.

.PARAMETER Task
    What to do. Build is the default.

.PARAMETER Configuration
    The .NET build configuration, Release (the default) or Debug.

.PARAMETER Iterations
    For Soak: how many crash-kill cycles and concurrent increments to run.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo

    Builds the module and runs the demo: import, table, change, history, rollback, backup.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

    Builds and runs every test; the last line is the combined "N passed, N failed" summary.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Package

    Builds the module and writes out/package/PrismConfig.<version>.nupkg, for Install-PSResource.

.EXAMPLE
    ./build.ps1 -Task Build -Configuration Debug; Import-Module ./out/PrismConfig

    Builds a debug module and imports it into the current session.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Bench', 'Soak', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    [ValidateRange(1, 1000000)]
    [int] $Iterations = 500
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'PrismConfig'
$ResultsDir = Join-Path $Out 'test-results'
$PackageOut = Join-Path $Out 'package'

# The native SQLite builds shipped in the module: every platform pwsh 7.4+ runs on that we support.
$SupportedRids = @('linux-x64', 'linux-arm64', 'linux-musl-x64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64')

# The telemetry and first-run banners are noise in CI logs and slow the first call.
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

# A log written to a file carries no colour codes: colour is for a terminal only, and pwsh's own formatting
# (errors, tables) is told the same.
$Redirected = [Console]::IsOutputRedirected
if ($Redirected) { $PSStyle.OutputRendering = 'PlainText' }

function Write-Status([string] $Message, [ConsoleColor] $Color, [switch] $NoNewline) {
    $params = @{ Object = $Message; NoNewline = $NoNewline }
    if ($PSBoundParameters.ContainsKey('Color') -and -not $Redirected) { $params.ForegroundColor = $Color }
    Write-Host @params
}

function Invoke-Step {
    # One line per step: '==> <name> ... 12.3 s'. A step whose tools print their own output (-Loud) gets its name
    # on a line of its own first, so that output stays under it, and its time on a closing line. Returns what the
    # action returns.
    param([Parameter(Mandatory)][string] $Name, [Parameter(Mandatory)][scriptblock] $Action, [switch] $Loud)
    $watch = [Diagnostics.Stopwatch]::StartNew()
    if ($Loud) { Write-Status "==> $Name" Cyan } else { Write-Status "==> $Name ... " Cyan -NoNewline }
    try {
        & $Action
    }
    catch {
        Write-Status $(if ($Loud) { "    $Name failed after $(Format-Seconds $watch)" } else { "failed after $(Format-Seconds $watch)" }) Red
        throw
    }
    Write-Status $(if ($Loud) { "    $Name ... $(Format-Seconds $watch)" } else { Format-Seconds $watch })
}

function Format-Seconds([Diagnostics.Stopwatch] $Watch) {
    '{0:0.0} s' -f $Watch.Elapsed.TotalSeconds
}

function Invoke-NativeQuietly {
    # Runs a native command and fails the build when it fails; $ErrorActionPreference does not cover exit codes.
    # What the command prints is shown only when it fails: dotnet build prints a summary even at -v quiet, and a
    # step's line should be its only output. A plain function on purpose: an advanced one would bind native
    # switches such as -v to -Verbose.
    $filePath, $arguments = $args
    $output = & $filePath @arguments 2>&1
    if ($LASTEXITCODE -ne 0) {
        Write-Host ''
        $output | ForEach-Object { Write-Host "$_" }
        throw "'$filePath $($arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-PwshCommand {
    # The command line that starts a fresh pwsh like this one. Under `dotnet pwsh` the process is dotnet itself,
    # running pwsh.dll from the tool package.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($process)
}

function Invoke-Pwsh {
    # Runs a script in a fresh pwsh and returns its exit code; the caller decides what a failure means. The child
    # writes straight to this process's console or log file rather than through a pipe, so it can tell for itself
    # whether its output is redirected.
    $command = @(Get-PwshCommand)
    $start = [Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File') + $args) {
        $start.ArgumentList.Add([string]$argument)
    }
    $start.UseShellExecute = $false
    $start.WorkingDirectory = (Get-Location).ProviderPath
    $process = [Diagnostics.Process]::Start($start)
    $process.WaitForExit()
    return $process.ExitCode
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw (Join-Path $Root 'Directory.Build.props')
    $version = $props.Project.PropertyGroup | ForEach-Object { $_.PSObject.Properties['PrismConfigVersion'] } |
        Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'Directory.Build.props has no PrismConfigVersion property.' }
    return $version.Value
}

function Get-InputStamp([string[]] $Paths) {
    # One line per input file, its path and SHA-256: a step whose inputs give the same text as its stamp file has
    # nothing to do. Contents rather than times, because dotnet publish rewrites files it has not changed.
    $lines = foreach ($path in $Paths) {
        $files = if (Test-Path $path -PathType Container) { Get-ChildItem $path -Recurse -File } else { Get-Item $path }
        foreach ($file in $files) {
            $relative = [IO.Path]::GetRelativePath($Root, $file.FullName) -replace '\\', '/'
            "$((Get-FileHash -LiteralPath $file.FullName -Algorithm SHA256).Hash) $relative"
        }
    }
    ($lines | Sort-Object { $_.Substring(65) }) -join "`n"
}

function Invoke-StampedStep {
    # Runs a step unless its output exists and its inputs are what they were when it last succeeded. The stamp
    # is removed first and written only on success, so a step that failed half-way runs again.
    param([string] $Name, [string] $StampName, [string[]] $Inputs, [string] $Output, [scriptblock] $Action)
    $stampFile = Join-Path $Out "stamps/$StampName.txt"
    $stamp = Get-InputStamp $Inputs
    if ((Test-Path $Output) -and (Test-Path $stampFile) -and (Get-Content -Raw $stampFile) -ceq $stamp) {
        Write-Status "==> $Name ... skipped, nothing changed" Cyan
        return
    }
    if (Test-Path $stampFile) { Remove-Item $stampFile }
    Invoke-Step $Name $Action
    New-Item -ItemType Directory -Force -Path (Split-Path $stampFile) | Out-Null
    Set-Content -Path $stampFile -Value $stamp -NoNewline -Encoding utf8
}

function Invoke-Build {
    $publish = Join-Path $Out "obj/publish/$Configuration"
    Invoke-Step "Build solution ($Configuration)" {
        Invoke-NativeQuietly dotnet build (Join-Path $Root 'PrismConfig.sln') -c $Configuration --nologo -v quiet '-clp:NoSummary;ErrorsOnly'
    }
    Invoke-Step 'Publish PrismConfig.PowerShell' {
        if (Test-Path $publish) { Remove-Item -Recurse -Force $publish }
        Invoke-NativeQuietly dotnet publish (Join-Path $Root 'src/PrismConfig.PowerShell/PrismConfig.PowerShell.csproj') -c $Configuration --no-build -o $publish --nologo -v quiet
    }

    $source = Join-Path $Root 'src/PrismConfig.PowerShell'
    $moduleFiles = @('PrismConfig.format.ps1xml', 'PrismConfig.Store.format.ps1xml', 'PrismConfig.types.ps1xml', 'en-US') |
        ForEach-Object { Join-Path $source $_ } | Where-Object { Test-Path $_ }
    $layoutInputs = @($publish) + $moduleFiles + @((Join-Path $Root 'PrismConfig.psd1'), (Join-Path $Root 'Directory.Build.props'),
        (Join-Path $Root 'LICENSE'), $PSCommandPath)
    $version = Get-ModuleVersion
    $manifestOut = Join-Path $ModuleOut 'PrismConfig.psd1'
    Invoke-StampedStep "Lay out the module in $([IO.Path]::GetRelativePath($Root, $ModuleOut))" 'layout' $layoutInputs $manifestOut {
        if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
        $dependencies = Join-Path $ModuleOut 'dependencies'
        New-Item -ItemType Directory -Force -Path $dependencies | Out-Null

        # The cmdlet assembly sits at the root, in pwsh's default load context. Everything else it publishes is
        # Core and Core's packages, which the module's own load context resolves from dependencies/.
        $cmdletAssembly = 'PrismConfig.PowerShell'
        Get-ChildItem $publish -File -Filter '*.dll' | ForEach-Object {
            $target = if ($_.BaseName -eq $cmdletAssembly) { $ModuleOut } else { $dependencies }
            Copy-Item $_.FullName $target
        }
        foreach ($rid in $SupportedRids) {
            $native = Join-Path $publish "runtimes/$rid/native"
            if (-not (Test-Path $native)) { throw "The publish output has no native SQLite for $rid ($native)." }
            $dest = Join-Path $ModuleOut "runtimes/$rid"
            New-Item -ItemType Directory -Force -Path $dest | Out-Null
            Copy-Item -Recurse $native $dest
        }
        foreach ($path in $moduleFiles) { Copy-Item -Recurse $path $ModuleOut }
        Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut

        $manifest = Get-Content -Raw (Join-Path $Root 'PrismConfig.psd1')
        $stamped = $manifest -replace "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$version'"
        if ($stamped -eq $manifest -and $manifest -notmatch "ModuleVersion\s*=\s*'$([regex]::Escape($version))'") {
            throw 'Could not stamp ModuleVersion into the manifest: PrismConfig.psd1 has no ModuleVersion line.'
        }
        Set-Content -Path $manifestOut -Value $stamped -NoNewline -Encoding utf8
    }

    # Help is generated from docs/ against the laid-out module, in a fresh pwsh so this session never loads it.
    $generator = Join-Path $Root 'build/New-MamlHelp.ps1'
    $helpFile = Join-Path $ModuleOut 'en-US/PrismConfig.PowerShell.dll-Help.xml'
    Invoke-StampedStep 'Generate help from docs/' 'help' ($layoutInputs + @((Join-Path $Root 'docs'), $generator)) $helpFile {
        $exit = Invoke-Pwsh $generator -ModulePath $ModuleOut -DocsPath (Join-Path $Root 'docs') -OutputFile $helpFile
        if ($exit -ne 0) { throw "Generating help failed (exit code $exit)." }
    }
    Write-Status "    PrismConfig $version -> $ModuleOut"
}

function Get-TestToolsPath {
    # Pester 5.7.x if this machine already has it; otherwise the pinned version from NuGet, restored on demand.
    Invoke-NativeQuietly dotnet restore (Join-Path $Root 'build/TestTools.csproj') --nologo -v quiet
    $cache = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    if ($env:NUGET_PACKAGES) { $cache = $env:NUGET_PACKAGES }
    $cache = $cache.Trim()
    $installed = Get-Module -ListAvailable -Name Pester |
        Where-Object { $_.Version -ge [version]'5.7.0' -and $_.Version -lt [version]'6.0' } |
        Sort-Object Version -Descending | Select-Object -First 1
    [pscustomobject]@{
        Pester     = if ($installed) { $installed.Path } else { Join-Path $cache 'pester/5.7.1/tools/Pester.psd1' }
        YamlDotNet = Join-Path $cache 'yamldotnet/13.7.1/lib/net6.0/YamlDotNet.dll'
        Sqlite     = Join-Path $cache 'microsoft.data.sqlite.core/8.0.34/lib/net8.0/Microsoft.Data.Sqlite.dll'
    }
}

function Measure-JUnit([string] $Path) {
    # Counts test cases in a JUnit file; reading cases rather than suite attributes works for both writers.
    $counts = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    if (-not (Test-Path $Path)) { return $null }
    [xml] $xml = Get-Content -Raw $Path
    foreach ($case in $xml.SelectNodes('//testcase')) {
        if ($case.SelectSingleNode('failure|error')) { $counts.Failed++ }
        elseif ($case.SelectSingleNode('skipped')) { $counts.Skipped++ }
        else { $counts.Passed++ }
    }
    return [pscustomobject]$counts
}

$PostgresEnvNames = @('PRISM_TEST_POSTGRES', 'PRISM_TEST_POSTGRES_PASSWORD_USER', 'PRISM_TEST_POSTGRES_PASSWORD', 'PRISM_TEST_PG_BIN', 'PRISM_TEST_PG_DATA')

function Start-PostgresForTask {
    # Starts the throwaway PostgreSQL cluster (build/TestPostgres.psm1) and exports where it is to every test
    # process. Returns the server and how many failures to count: missing binaries are one failure under CI and a
    # skip elsewhere (the tests skip themselves when PRISM_TEST_POSTGRES is unset); a cluster that will not start
    # although its binaries are there is one failure everywhere.
    foreach ($name in $PostgresEnvNames) { Remove-Item "env:$name" -ErrorAction Ignore }
    Import-Module (Join-Path $Root 'build/TestPostgres.psm1') -Force
    $name = 'Start a throwaway PostgreSQL cluster on 127.0.0.1'
    Write-Status "==> $name ... " Cyan -NoNewline
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $why = $null
    try {
        $server = Start-TestPostgres -Reason ([ref]$why)
    }
    catch {
        Write-Status "failed after $(Format-Seconds $watch)" Red
        Write-Status "    $_" Red
        Write-Status '    Counting it as one failure; the PostgreSQL tests are skipped.' Red
        return [pscustomobject]@{ Server = $null; Failures = 1 }
    }
    if (-not $server) {
        if ($env:CI -eq 'true') {
            Write-Status 'failed' Red
            Write-Status "    $why CI needs them: $(Get-TestPostgresInstallHint). Counting it as one failure." Red
            return [pscustomobject]@{ Server = $null; Failures = 1 }
        }
        Write-Status 'skipped, no server binaries' Yellow
        Write-Status "    $why The PostgreSQL tests are skipped; to run them: $(Get-TestPostgresInstallHint)." Yellow
        return [pscustomobject]@{ Server = $null; Failures = 0 }
    }
    Write-Status "PostgreSQL $($server.Version -replace '\s.*$') on port $($server.Port), $(Format-Seconds $watch)"
    $env:PRISM_TEST_POSTGRES = $server.AdminUri
    $env:PRISM_TEST_POSTGRES_PASSWORD_USER = $server.PasswordUser
    $env:PRISM_TEST_POSTGRES_PASSWORD = $server.Password
    $env:PRISM_TEST_PG_BIN = $server.BinFolder
    $env:PRISM_TEST_PG_DATA = $server.DataFolder
    return [pscustomobject]@{ Server = $server; Failures = 0 }
}

function Stop-PostgresForTask($Postgres) {
    foreach ($name in $PostgresEnvNames) { Remove-Item "env:$name" -ErrorAction Ignore }
    if ($Postgres -and $Postgres.Server) { Stop-TestPostgres -Server $Postgres.Server }
}

function Invoke-Test {
    Invoke-Build
    if (Test-Path $ResultsDir) { Remove-Item -Recurse -Force $ResultsDir }
    New-Item -ItemType Directory -Force -Path $ResultsDir | Out-Null

    # Stopped in the finally, which also runs on Ctrl+C and on a failing step; the exit code is set after it.
    $postgres = $null
    try {
        $postgres = Start-PostgresForTask
        $failed = [int](Invoke-TestSuites $postgres.Failures | Select-Object -Last 1)
    }
    finally {
        Stop-PostgresForTask $postgres
    }
    exit ([int]($failed -gt 0))
}

function Invoke-TestSuites([int] $SetupFailures) {
    # Runs xUnit and Pester, prints the combined counts and returns how many failed.

    $xunitXml = Join-Path $ResultsDir 'xunit.xml'
    $xunitExit = Invoke-Step 'xUnit: PrismConfig.Core.Tests' -Loud {
        & dotnet test (Join-Path $Root 'tests/PrismConfig.Core.Tests/PrismConfig.Core.Tests.csproj') -c $Configuration --no-build --nologo `
            --logger "junit;LogFilePath=$xunitXml" --logger 'console;verbosity=minimal' | Out-Host
        $LASTEXITCODE
    }

    $tools = Invoke-Step 'Restore the test tools (Pester, conflicting assemblies)' { Get-TestToolsPath }
    $pesterXml = Join-Path $ResultsDir 'pester.xml'
    $pwsh = @(Get-PwshCommand)
    $env:PRISM_TEST_MODULE = $ModuleOut
    $env:PRISM_TEST_PWSH = ($pwsh -join [IO.Path]::PathSeparator)
    $env:PRISM_TEST_CONFLICT_YAML = $tools.YamlDotNet
    $env:PRISM_TEST_CONFLICT_SQLITE = $tools.Sqlite
    $runner = Join-Path $Root 'tests/Invoke-PesterSuite.ps1'
    $pesterExit = Invoke-Step 'Pester: cmdlet tests against out/PrismConfig, in a fresh pwsh' -Loud {
        Invoke-Pwsh $runner -PesterPath $tools.Pester -TestsPath (Join-Path $Root 'tests') -OutputPath $pesterXml
    }

    $xunit = Measure-JUnit $xunitXml
    $pester = Measure-JUnit $pesterXml
    $passed = 0; $failed = $SetupFailures; $skipped = 0
    if ($SetupFailures) {
        Write-Status "PostgreSQL: the test cluster did not start (see its line above); counting it as $SetupFailures failure." Red
    }
    foreach ($part in @(@{ Name = 'xUnit'; Result = $xunit; Exit = $xunitExit }, @{ Name = 'Pester'; Result = $pester; Exit = $pesterExit })) {
        if ($null -eq $part.Result) {
            # A runner that died before writing its results must not look like a clean run.
            Write-Status "$($part.Name) wrote no results (exit code $($part.Exit)); counting it as one failure." Red
            $failed++
            continue
        }
        Write-Status ("{0}: {1} passed, {2} failed, {3} skipped" -f $part.Name, $part.Result.Passed, $part.Result.Failed, $part.Result.Skipped)
        $passed += $part.Result.Passed; $failed += $part.Result.Failed; $skipped += $part.Result.Skipped
        if ($part.Exit -ne 0 -and $part.Result.Failed -eq 0) {
            Write-Status "$($part.Name) exited with code $($part.Exit) although no test failed; counting it as one failure." Red
            $failed++
        }
    }
    if ($passed + $failed -eq 0) {
        Write-Status 'No test ran.' Red
        $failed++
    }
    Write-Status "$passed passed, $failed failed, $skipped skipped" $(if ($failed) { 'Red' } else { 'Green' })
    return $failed
}

function Invoke-Demo {
    Invoke-Build
    $demo = Join-Path $Out 'demo'
    if (Test-Path $demo) { Remove-Item -Recurse -Force $demo }
    New-Item -ItemType Directory -Force -Path $demo | Out-Null
    Invoke-Step 'Demo: examples/demo.ps1 against out/demo' -Loud {
        $exit = Invoke-Pwsh (Join-Path $Root 'examples/demo.ps1') -ModulePath $ModuleOut -WorkFolder $demo
        if ($exit -ne 0) { throw "The demo failed (exit code $exit)." }
    }
}

function Invoke-Package {
    Invoke-Build
    $package = Invoke-Step 'Pack the module with Publish-PSResource' {
        if (Test-Path $PackageOut) { Remove-Item -Recurse -Force $PackageOut }
        & (Join-Path $Root 'build/Publish-Package.ps1') -ModulePath $ModuleOut -OutputPath $PackageOut
    }
    Write-Status "    $($package.FullName)"
}

function Invoke-Bench {
    Invoke-Build
    $script = Join-Path $Root 'benchmarks/Invoke-Benchmarks.ps1'
    if (-not (Test-Path $script)) { throw 'There are no benchmarks yet (benchmarks/Invoke-Benchmarks.ps1).' }
    $postgres = $null
    try {
        # The PostgreSQL comparisons run against the throwaway cluster on loopback, and are left out without it.
        $postgres = Start-PostgresForTask
        if ($postgres.Failures) { throw 'The PostgreSQL cluster for the benchmarks did not start.' }
        Invoke-Step 'Benchmarks: benchmarks/Invoke-Benchmarks.ps1' -Loud {
            $exit = Invoke-Pwsh $script -ModulePath $ModuleOut -OutputFolder (Join-Path $Out 'bench') -Configuration $Configuration
            if ($exit -ne 0) { throw "The benchmarks failed (exit code $exit)." }
        }
    }
    finally {
        Stop-PostgresForTask $postgres
    }
}

function Invoke-Soak {
    Invoke-Build
    $script = Join-Path $Root 'tests/reliability/Invoke-Soak.ps1'
    if (-not (Test-Path $script)) { throw 'There is no soak suite yet (tests/reliability/Invoke-Soak.ps1).' }
    $postgres = $null
    try {
        $postgres = Start-PostgresForTask
        if ($postgres.Failures) { throw 'The PostgreSQL cluster for the soak run did not start.' }
        Invoke-Step "Soak: tests/reliability/Invoke-Soak.ps1 -Iterations $Iterations" -Loud {
            $exit = Invoke-Pwsh $script -ModulePath $ModuleOut -Iterations $Iterations
            if ($exit -ne 0) { throw "The soak run failed (exit code $exit)." }
        }
    }
    finally {
        Stop-PostgresForTask $postgres
    }
}

function Invoke-Clean {
    Invoke-Step 'Remove out/, bin/ and obj/' {
        if (Test-Path $Out) { Remove-Item -Recurse -Force $Out }
        Get-ChildItem $Root -Recurse -Directory -Include 'bin', 'obj' -ErrorAction SilentlyContinue |
            Where-Object { $_.FullName -notmatch '[\\/]\.git[\\/]' } |
            Remove-Item -Recurse -Force
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
    'Bench' { Invoke-Bench }
    'Soak' { Invoke-Soak }
    'Clean' { Invoke-Clean }
}
