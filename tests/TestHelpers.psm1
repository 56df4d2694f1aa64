# Shared helpers for the Pester suites. Every suite imports the built module from out/, never the sources.

function Get-PrismTestModulePath {
    if (-not $env:PRISM_TEST_MODULE) {
        throw 'PRISM_TEST_MODULE is not set: run the tests through ./build.ps1 -Task Test, which builds out/PrismConfig first.'
    }
    return $env:PRISM_TEST_MODULE
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
        Runs a script block's text in a new pwsh process and returns its output lines and exit code.
    #>
    param(
        [Parameter(Mandatory)][string] $Command,
        [string] $WorkingDirectory = (Get-Location).ProviderPath
    )
    $pwsh = $env:PRISM_TEST_PWSH -split [IO.Path]::PathSeparator
    $exe, $rest = $pwsh
    # Splatting a lone string passes it character by character; an array splats element by element.
    $rest = @($rest | Where-Object { $_ })
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    Push-Location $WorkingDirectory
    try {
        $output = & $exe @rest -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ Output = @($output); ExitCode = $LASTEXITCODE }
    }
    finally {
        Pop-Location
    }
}

function Start-FreshPwsh {
    <#
    .SYNOPSIS
        Starts a pwsh process in the background running the given command; returns the Process.
    #>
    param([Parameter(Mandatory)][string] $Command, [string] $StdOut, [string] $StdErr)
    $pwsh = $env:PRISM_TEST_PWSH -split [IO.Path]::PathSeparator
    $exe, $rest = $pwsh
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    $arguments = @($rest) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) | Where-Object { $_ }
    $params = @{ FilePath = $exe; ArgumentList = $arguments; PassThru = $true }
    if ($StdOut) { $params.RedirectStandardOutput = $StdOut }
    if ($StdErr) { $params.RedirectStandardError = $StdErr }
    Start-Process @params
}


function Start-InteractivePwsh {
    <#
    .SYNOPSIS
        Starts a pwsh process running a script file, with stdin and stdout redirected, so a test can wait for one
        of its prompts and answer it. Its stdout is copied, as it arrives, into the file in OutputFile.
    #>
    param([Parameter(Mandatory)][string] $ScriptPath)
    $pwsh = $env:PRISM_TEST_PWSH -split [IO.Path]::PathSeparator
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-File', $ScriptPath)) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($info)
    # A prompt ends without a newline, so the bytes are copied as they come (an unbuffered file), not by line; the
    # copy runs in .NET, with no PowerShell on its thread.
    $file = "$ScriptPath.out"
    $sink = [IO.FileStream]::new($file, 'Create', 'Write', 'ReadWrite', 1)
    $copy = $process.StandardOutput.BaseStream.CopyToAsync($sink, 1)
    [pscustomobject]@{ Process = $process; OutputFile = $file; Copy = $copy; Sink = $sink }
}

function Wait-InteractiveText {
    <# .SYNOPSIS Waits until what an interactive pwsh has written so far contains -Text; returns all of it. #>
    param([Parameter(Mandatory)] $Child, [Parameter(Mandatory)][string] $Text, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $seen = ''
    while ([DateTime]::UtcNow -lt $deadline) {
        $stream = [IO.FileStream]::new($Child.OutputFile, 'Open', 'Read', 'ReadWrite')
        $reader = [IO.StreamReader]::new($stream)
        try { $seen = $reader.ReadToEnd() } finally { $reader.Dispose() }
        if ($seen.Contains($Text)) { return $seen }
        if ($Child.Process.HasExited -and $Child.Copy.IsCompleted) { break }
        Start-Sleep -Milliseconds 100
    }
    throw "The child pwsh did not write '$Text' within $TimeoutSeconds s. It wrote: $seen"
}

function Stop-InteractivePwsh($Child) {
    # Always in a finally: a failed wait must not leave the child holding the test's database.
    if (-not $Child.Process.HasExited) { $Child.Process.Kill($true) }
    $Child.Process.WaitForExit()
    $null = $Child.Copy.Wait(10000)
    $Child.Sink.Dispose()
}

# PostgreSQL: ./build.ps1 -Task Test starts a throwaway cluster (build/TestPostgres.psm1) and exports
# PRISM_TEST_POSTGRES (superuser URI), PRISM_TEST_POSTGRES_PASSWORD_USER / _PASSWORD (a scram-sha-256 role),
# PRISM_TEST_PG_BIN and PRISM_TEST_PG_DATA. Where it is absent, a PostgreSQL suite skips itself, which Pester and
# the JUnit counts report as skipped. The skip is decided at discovery, so the helpers are imported there:
#
#   BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }
#   Describe 'Get-PrismNamespace on PostgreSQL' -Skip:(-not (Test-PostgresAvailable)) {
#       BeforeAll { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }
#       It 'reads what it wrote' { $db = New-TestPostgresDatabase; ... -Database $db }
#   }
#
# Databases are not dropped: they go with the cluster when the Test task stops it.

# Imported into this module only: the build's own module knows how to call psql, and the suites see only the
# wrappers below.
Import-Module (Join-Path $PSScriptRoot '../build/TestPostgres.psm1')

function Test-PostgresAvailable {
    <# .SYNOPSIS True when the Test task's PostgreSQL cluster is running (PRISM_TEST_POSTGRES is set). #>
    [OutputType([bool])]
    param()
    return [bool]$env:PRISM_TEST_POSTGRES
}

function Get-TestPsqlPath {
    if ($env:PRISM_TEST_PG_BIN) {
        $psql = Join-Path $env:PRISM_TEST_PG_BIN 'psql'
        if (Test-Path -LiteralPath $psql) { return $psql }
    }
    if (Test-Path -LiteralPath '/usr/bin/psql') { return '/usr/bin/psql' }
    $found = Get-Command psql -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($found) { return $found.Source }
    throw 'psql was not found in PRISM_TEST_PG_BIN, /usr/bin or PATH.'
}

function Invoke-TestPsql {
    <#
    .SYNOPSIS
        Runs SQL with psql against a URI (the admin URI by default); returns the unaligned, tuples-only lines.
        Throws with psql's message when it fails.
    #>
    param([Parameter(Mandatory)][string] $Sql, [string] $Uri = $env:PRISM_TEST_POSTGRES)
    if (-not $Uri) { throw 'PRISM_TEST_POSTGRES is not set: run the tests through ./build.ps1 -Task Test.' }
    Invoke-TestPostgresPsql -Psql (Get-TestPsqlPath) -Uri $Uri -Sql $Sql
}

function New-TestPostgresDatabase {
    <#
    .SYNOPSIS
        Creates an empty, uniquely named database on the test cluster; returns its superuser URI,
        postgresql://postgres@127.0.0.1:<port>/<name>.
    #>
    param([ValidatePattern('^[a-z][a-z0-9_]{0,20}$')][string] $Prefix = 'prism_pester')
    if (-not (Test-PostgresAvailable)) { throw 'PRISM_TEST_POSTGRES is not set: skip this test with -Skip:(-not (Test-PostgresAvailable)).' }
    $name = '{0}_{1}' -f $Prefix, [guid]::NewGuid().ToString('N')
    Invoke-TestPsql "CREATE DATABASE $name" | Out-Null
    $admin = [uri]$env:PRISM_TEST_POSTGRES
    return "postgresql://postgres@127.0.0.1:$($admin.Port)/$name"
}

function Get-TestEngine {
    <#
    .SYNOPSIS
        -ForEach data for a Describe whose tests run on both engines: Engine ('Sqlite' or 'Postgres') and Skip.
    .DESCRIPTION
        Skip is true for PostgreSQL when the Test task's cluster is not running, so those tests count as skipped, not
        passed. -Skip on the Describe itself cannot see its -ForEach data, so a suite skips in a Context:

            Describe 'Get-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
                Context 'reads' -Skip:$Skip { It '...' { $db = New-TestStore $Engine $TestDrive } }
            }
    #>
    @(
        @{ Engine = 'Sqlite'; Skip = $false }
        @{ Engine = 'Postgres'; Skip = -not (Test-PostgresAvailable) }
    )
}

function New-TestStore {
    <#
    .SYNOPSIS
        A locator for a new, empty store: a file name in -Folder for SQLite (not created yet), a new database on the
        test cluster for PostgreSQL.
    #>
    param(
        # Empty means SQLite, so a suite's New-TestDb also serves its SQLite-only Describes, which have no $Engine.
        [AllowEmptyString()][AllowNull()][string] $Engine,
        [string] $Folder = [IO.Path]::GetTempPath()
    )
    if ($Engine -eq 'Postgres') { return New-TestPostgresDatabase }
    if ($Engine -and $Engine -ne 'Sqlite') { throw "Unknown engine '$Engine': use Sqlite or Postgres." }
    Join-Path $Folder ([guid]::NewGuid().ToString() + '.db')
}

function Get-TestPostgresPasswordUri {
    <# .SYNOPSIS A URI for the password role (PRISM_TEST_POSTGRES_PASSWORD_USER), with -Password or its own in it. #>
    param([string] $Database = 'postgres', [string] $Password = $env:PRISM_TEST_POSTGRES_PASSWORD)
    $admin = [uri]$env:PRISM_TEST_POSTGRES
    "postgresql://$($env:PRISM_TEST_POSTGRES_PASSWORD_USER):$([uri]::EscapeDataString($Password))@127.0.0.1:$($admin.Port)/$Database"
}

function Start-PrivateTestPostgres {
    <#
    .SYNOPSIS
        A throwaway cluster of the test's own (about 2 s to start), for a test that stops its server: the Test task's
        cluster, or a developer's shared one, serves other suites meanwhile. Stop it again, as Invoke-TestPostgresCtl
        does, and remove it with Remove-PrivateTestPostgres in a finally.
    .OUTPUTS
        What Start-TestPostgres returns: Port, AdminUri, PasswordUser, Password and the rest.
    #>
    Start-TestPostgres
}

function Remove-PrivateTestPostgres($Server) { Stop-TestPostgres -Server $Server }

Export-ModuleMember -Function Get-PrismTestModulePath, Invoke-FreshPwsh, Start-FreshPwsh, Start-InteractivePwsh, Wait-InteractiveText, Stop-InteractivePwsh, Test-PostgresAvailable, Get-TestPsqlPath, Invoke-TestPsql, New-TestPostgresDatabase, Get-TestPostgresPasswordUri, Get-TestEngine, New-TestStore, Start-PrivateTestPostgres, Remove-PrivateTestPostgres, Invoke-TestPostgresCtl
