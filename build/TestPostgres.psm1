# A private, throwaway PostgreSQL cluster for the tests and benchmarks: initdb into a temporary folder, listening
# only on 127.0.0.1 on a free port, tuned for speed over durability, deleted again by Stop-TestPostgres.
# build.ps1 uses it for the Test, Bench and Soak tasks; CONTRIBUTING.md shows how to use it by hand.

Set-StrictMode -Version Latest

$script:FolderPrefix = 'prismconfig-pg-'
$script:InstallHint = "apt-get install postgresql-15 (Debian/Ubuntu), or set PRISM_TEST_PG_BIN_OVERRIDE to a folder holding initdb, pg_ctl and postgres"

function Find-TestPostgresBin {
    <#
    .SYNOPSIS
        The folder with PostgreSQL's server binaries (initdb, pg_ctl, postgres), or $null with the reason.
    .DESCRIPTION
        PRISM_TEST_PG_BIN_OVERRIDE, when set, is the only place looked at: it lets a developer pick a version, and
        lets a test of this module pretend the binaries are missing. Otherwise Debian's PostgreSQL 15, then
        `pg_config --bindir`, then the newest /usr/lib/postgresql/*/bin.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param()
    $candidates = if ($env:PRISM_TEST_PG_BIN_OVERRIDE) {
        @($env:PRISM_TEST_PG_BIN_OVERRIDE)
    }
    else {
        $list = [Collections.Generic.List[string]]::new()
        $list.Add('/usr/lib/postgresql/15/bin')
        $pgConfig = Get-Command pg_config -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if ($pgConfig) {
            $bindir = & $pgConfig.Source --bindir 2>$null
            if ($LASTEXITCODE -eq 0 -and $bindir) { $list.Add("$bindir".Trim()) }
        }
        if (Test-Path '/usr/lib/postgresql') {
            Get-ChildItem '/usr/lib/postgresql' -Directory -ErrorAction Ignore |
                Where-Object { $_.Name -match '^\d+$' } | Sort-Object { [int]$_.Name } -Descending |
                ForEach-Object { $list.Add((Join-Path $_.FullName 'bin')) }
        }
        $list
    }
    foreach ($folder in $candidates) {
        $missing = @('initdb', 'pg_ctl', 'postgres', 'psql') | Where-Object { -not (Get-TestPostgresTool $folder $_) }
        if (-not $missing) { return [pscustomobject]@{ Bin = $folder; Reason = $null } }
    }
    [pscustomobject]@{
        Bin    = $null
        Reason = "No PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) in $($candidates -join ', ')."
    }
}

function Get-TestPostgresTool([string] $Folder, [string] $Name) {
    foreach ($file in @($Name, "$Name.exe")) {
        $path = Join-Path $Folder $file
        if (Test-Path -LiteralPath $path -PathType Leaf) { return $path }
    }
    return $null
}

function Get-TestPostgresInstallHint { $script:InstallHint }

function Test-RunningAsRoot {
    if ($IsWindows) { return $false }
    return ((& id -u) -eq '0')
}

function Get-FreeTcpPort {
    # Port 0 lets the kernel pick a free one; it could be taken again before the server binds it, so the caller
    # retries with a new one when the server says the address is in use.
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        return ([Net.IPEndPoint]$listener.LocalEndpoint).Port
    }
    finally {
        $listener.Stop()
    }
}

function Invoke-AsServerUser {
    # PostgreSQL refuses to run as root: under root every server binary runs as the postgres system user that the
    # package created. Returns the output lines; throws with them when the command fails.
    param([string] $RunAs, [string] $FilePath, [string[]] $Arguments)
    $output = if ($RunAs) {
        & runuser -u $RunAs -- $FilePath @Arguments 2>&1
    }
    else {
        & $FilePath @Arguments 2>&1
    }
    $exit = $LASTEXITCODE
    $lines = @($output | ForEach-Object { "$_" })
    if ($exit -ne 0) {
        throw "'$([IO.Path]::GetFileName($FilePath)) $($Arguments -join ' ')' failed with exit code $exit`n$($lines -join "`n")"
    }
    $lines
}

function Invoke-TestPostgresPsql {
    <#
    .SYNOPSIS
        Runs SQL through psql against a URI and returns the unaligned, tuples-only output lines; throws with psql's
        message when it fails. tests/TestHelpers.psm1 wraps it for the Pester suites.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Psql, [Parameter(Mandatory)][string] $Uri, [Parameter(Mandatory)][string] $Sql)
    # -X: the running user's .psqlrc must not change what a test sees. PGPASSWORD from the caller's shell would
    # be sent to a trust or scram role alike; the URI says everything.
    $saved = $env:PGPASSWORD
    $env:PGPASSWORD = $null
    try {
        $output = & $Psql -X -q -A -t -v ON_ERROR_STOP=1 -d $Uri -c $Sql 2>&1
        $exit = $LASTEXITCODE
    }
    finally {
        $env:PGPASSWORD = $saved
    }
    $lines = @($output | ForEach-Object { "$_" })
    if ($exit -ne 0) { throw "psql failed with exit code ${exit}: $($lines -join "`n")" }
    $lines
}

function Remove-StaleTestPostgres {
    # A build killed outright (SIGKILL, a closed terminal) never reaches its finally: the next start stops and
    # removes any cluster whose owning process is gone. Clusters of other running builds are left alone.
    param([string] $Parent)
    foreach ($folder in @(Get-ChildItem -LiteralPath $Parent -Directory -Filter "$script:FolderPrefix*" -ErrorAction Ignore)) {
        $ownerFile = Join-Path $folder.FullName 'owner.pid'
        if (-not (Test-Path -LiteralPath $ownerFile)) { continue }
        $owner = 0
        if (-not [int]::TryParse((Get-Content -Raw -LiteralPath $ownerFile -ErrorAction Ignore), [ref]$owner)) { continue }
        if (Get-Process -Id $owner -ErrorAction Ignore) { continue }
        $bin = Get-Content -Raw -LiteralPath (Join-Path $folder.FullName 'bin.txt') -ErrorAction Ignore
        Stop-TestPostgres -Server ([pscustomobject]@{
                Folder     = $folder.FullName
                DataFolder = Join-Path $folder.FullName 'data'
                BinFolder  = if ($bin) { $bin.Trim() } else { $null }
                RunAs      = if (Test-RunningAsRoot) { 'postgres' } else { $null }
            })
    }
}

function Start-TestPostgres {
    <#
    .SYNOPSIS
        Starts a throwaway PostgreSQL cluster on 127.0.0.1 and a free port; returns how to reach it.
    .DESCRIPTION
        Returns $null when no server binaries are found, with the reason in -Reason, so the caller decides whether
        that is a failure (CI) or a skip. Throws when the binaries are there but the cluster does not start, after
        removing what it made. The superuser is always `postgres`, trusted from 127.0.0.1; the role `prism_pw` logs
        in only with its random password (scram-sha-256). fsync, synchronous_commit and full_page_writes are off:
        the cluster lives for one run and is never worth recovering.
    .OUTPUTS
        Port, Folder, DataFolder, LogFile, BinFolder, Psql, RunAs, AdminUri, PasswordUser, Password, Version.
    .EXAMPLE
        $why = $null; $pg = Start-TestPostgres -Reason ([ref]$why); if (-not $pg) { $why }
    #>
    [CmdletBinding()]
    param(
        # Where the cluster's folder goes; the system temp folder by default. Under root it must be a place the
        # postgres user can reach.
        [string] $Parent = [IO.Path]::GetTempPath(),
        [ref] $Reason,
        [ValidateRange(1, 600)][int] $TimeoutSeconds = 60
    )
    $found = Find-TestPostgresBin
    if (-not $found.Bin) {
        if ($Reason) { $Reason.Value = $found.Reason }
        return $null
    }
    $bin = $found.Bin
    $runAs = $null
    if (Test-RunningAsRoot) {
        $null = & id -u postgres 2>&1
        if ($LASTEXITCODE -ne 0) {
            if ($Reason) { $Reason.Value = "Running as root, and there is no 'postgres' system user to run the server as (PostgreSQL refuses to run as root)." }
            return $null
        }
        $runAs = 'postgres'
    }

    Remove-StaleTestPostgres $Parent
    $folder = Join-Path $Parent ($script:FolderPrefix + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $data = Join-Path $folder 'data'
    $log = Join-Path $folder 'postgres.log'
    $server = [pscustomobject]@{
        Port = 0; Folder = $folder; DataFolder = $data; LogFile = $log; BinFolder = $bin
        Psql = Get-TestPostgresTool $bin 'psql'; RunAs = $runAs
        AdminUri = $null; PasswordUser = 'prism_pw'; Password = $null; Version = $null
    }
    New-Item -ItemType Directory -Path $folder | Out-Null
    Set-Content -LiteralPath (Join-Path $folder 'owner.pid') -Value $PID -NoNewline
    Set-Content -LiteralPath (Join-Path $folder 'bin.txt') -Value $bin -NoNewline
    # The server's own working directory must be one it can enter, and the data folder one it owns (0700).
    Push-Location $folder
    try {
        if ($runAs) { Invoke-AsServerUser $null 'chown' @("${runAs}:", $folder) | Out-Null }
        Invoke-AsServerUser $runAs (Get-TestPostgresTool $bin 'initdb') @(
            '-D', $data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'
        ) | Out-Null

        # Written into postgresql.conf rather than passed on pg_ctl's command line, so a test that restarts the
        # server with `pg_ctl -D $env:PRISM_TEST_PG_DATA restart` gets the same port and settings back.
        $conf = Join-Path $data 'postgresql.conf'
        $hba = Join-Path $data 'pg_hba.conf'
        $common = @(
            "listen_addresses = '127.0.0.1'"
            "unix_socket_directories = ''"
            'max_connections = 200'
            'shared_buffers = 16MB'
            'fsync = off'
            'synchronous_commit = off'
            'full_page_writes = off'
            "password_encryption = 'scram-sha-256'"
            'logging_collector = off'
            "log_min_messages = 'warning'"
            "log_line_prefix = '%m [%p] %q%u@%d '"
            "dynamic_shared_memory_type = 'posix'"
        )
        $baseConf = Get-Content -Raw -LiteralPath $conf
        [IO.File]::WriteAllLines($hba, @(
                '# Throwaway test cluster: the superuser is trusted from loopback; every other role needs its password.'
                'host all postgres 127.0.0.1/32 trust'
                'host all all 127.0.0.1/32 scram-sha-256'
            ))

        $pgCtl = Get-TestPostgresTool $bin 'pg_ctl'
        $started = $false
        for ($attempt = 1; $attempt -le 3 -and -not $started; $attempt++) {
            $server.Port = Get-FreeTcpPort
            [IO.File]::WriteAllText($conf, $baseConf + "`n# PrismConfig test cluster`n" + (($common + "port = $($server.Port)") -join "`n") + "`n")
            try {
                Invoke-AsServerUser $runAs $pgCtl @('start', '-D', $data, '-l', $log, '-w', '-t', "$TimeoutSeconds", '-s') | Out-Null
                $started = $true
            }
            catch {
                $logText = if (Test-Path -LiteralPath $log) { Get-Content -Raw -LiteralPath $log } else { '' }
                if ($attempt -lt 3 -and $logText -match 'could not bind|Address already in use') { continue }
                throw "$_`n$logText"
            }
        }

        $server.AdminUri = "postgresql://postgres@127.0.0.1:$($server.Port)/postgres"
        Wait-TestPostgres $server $TimeoutSeconds
        $server.Version = (Invoke-TestPostgresPsql $server.Psql $server.AdminUri 'SHOW server_version') | Select-Object -First 1
        # Hex only: the password goes into URIs and SQL literals without quoting.
        $server.Password = [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(16)).ToLowerInvariant()
        Invoke-TestPostgresPsql $server.Psql $server.AdminUri "CREATE ROLE $($server.PasswordUser) LOGIN PASSWORD '$($server.Password)'" | Out-Null
        return $server
    }
    catch {
        $failure = $_
        Stop-TestPostgres -Server $server
        throw "The throwaway PostgreSQL cluster did not start: $failure"
    }
    finally {
        Pop-Location
    }
}

function Wait-TestPostgres($Server, [int] $TimeoutSeconds) {
    # pg_ctl -w waits for postmaster.pid to say "ready"; this also proves a TCP client gets in on 127.0.0.1.
    $isReady = Get-TestPostgresTool $Server.BinFolder 'pg_isready'
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        if ($isReady) {
            $null = & $isReady -q -h 127.0.0.1 -p $Server.Port -U postgres -d postgres -t 2 2>&1
            if ($LASTEXITCODE -eq 0) { return }
        }
        else {
            $client = [Net.Sockets.TcpClient]::new()
            try { $client.Connect([Net.IPAddress]::Loopback, $Server.Port); return } catch { } finally { $client.Dispose() }
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            throw "The server did not accept connections on 127.0.0.1:$($Server.Port) within $TimeoutSeconds s."
        }
        Start-Sleep -Milliseconds 100
    }
}

function Stop-TestPostgres {
    <#
    .SYNOPSIS
        Stops a cluster from Start-TestPostgres and deletes its folder, databases and all.
    .DESCRIPTION
        Safe to call twice, with $null, and on what a failed start left behind. -m immediate: nothing in the
        cluster is worth a shutdown checkpoint.
    #>
    [CmdletBinding()]
    param([AllowNull()] $Server)
    if ($null -eq $Server -or -not $Server.Folder) { return }
    if (-not (Test-Path -LiteralPath $Server.Folder)) { return }
    $pidFile = Join-Path $Server.DataFolder 'postmaster.pid'
    if ($Server.BinFolder -and (Test-Path -LiteralPath $pidFile)) {
        $pgCtl = Get-TestPostgresTool $Server.BinFolder 'pg_ctl'
        if ($pgCtl) {
            Push-Location $Server.Folder
            try {
                Invoke-AsServerUser $Server.RunAs $pgCtl @('stop', '-D', $Server.DataFolder, '-m', 'immediate', '-w', '-t', '30', '-s') | Out-Null
            }
            catch {
                Write-Warning "Stopping the test PostgreSQL cluster in $($Server.DataFolder) failed: $_"
            }
            finally {
                Pop-Location
            }
        }
    }
    # The postmaster.pid check above covers a cluster stopped by a test; a server that outlived pg_ctl's wait is
    # killed by its recorded pid, never by name, so other clusters on the machine are untouched.
    if (Test-Path -LiteralPath $pidFile) {
        $first = Get-Content -LiteralPath $pidFile -TotalCount 1 -ErrorAction Ignore
        $serverPid = 0
        if ([int]::TryParse("$first", [ref]$serverPid) -and (Get-Process -Id $serverPid -ErrorAction Ignore)) {
            Stop-Process -Id $serverPid -Force -ErrorAction Ignore
        }
    }
    Remove-Item -LiteralPath $Server.Folder -Recurse -Force -ErrorAction Ignore
    if (Test-Path -LiteralPath $Server.Folder) {
        Write-Warning "Could not remove the test PostgreSQL folder $($Server.Folder)."
    }
}

function Invoke-TestPostgresCtl {
    <#
    .SYNOPSIS
        Stops or starts again a cluster from Start-TestPostgres, keeping its data: for a test of what an outage does.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)][ValidateSet('stop', 'start')][string] $Action)
    $arguments = @($Action, '-D', $Server.DataFolder, '-w', '-s', '-t', '60')
    $arguments += if ($Action -eq 'stop') { @('-m', 'fast') } else { @('-l', $Server.LogFile) }
    Push-Location $Server.Folder
    try { Invoke-AsServerUser $Server.RunAs (Get-TestPostgresTool $Server.BinFolder 'pg_ctl') $arguments | Out-Null }
    finally { Pop-Location }
}

Export-ModuleMember -Function Start-TestPostgres, Stop-TestPostgres, Find-TestPostgresBin, Get-TestPostgresInstallHint, Invoke-TestPostgresPsql, Invoke-TestPostgresCtl
