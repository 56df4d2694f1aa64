# Sync-PrismConfig: a local SQLite replica of a store on either engine. One pass makes it equal to the source;
# -Continuous keeps it in step, through killed connections, server restarts and outages; writers other than the sync
# are refused; Get-PrismConfigStatus and Test-PrismConfig show how fresh it is.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)

    function New-SourceDb([string] $Engine) {
        $db = if ($Engine -eq 'Postgres') { New-TestPostgresDatabase } else { Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db') }
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Tag production -Database $db -WarningAction SilentlyContinue | Out-Null
        New-PrismNamespace cache -Backend redis -Pattern keyvalue -Database $db | Out-Null
        Set-PrismNamespace orders -CacheTtlSeconds 60 -Feature @{ shadow_traffic = $true } -Reason 'tune' -Database $db
        $db
    }

    function New-ReplicaPath { Join-Path $TestDrive ([guid]::NewGuid().ToString() + '-replica.db') }

    # What a proxy and an auditor see of a store: every namespace with every field, and every history entry.
    function Get-StoreShape([string] $Db) {
        $namespaces = Get-PrismNamespace -Database $Db | ForEach-Object { $_ | ConvertTo-Json -Depth 6 -Compress }
        $history = Get-PrismNamespaceHistory -IncludeRemoved -Database $Db | Sort-Object Revision, Name |
            ForEach-Object { '{0}|{1}|{2}|{3}|{4}|{5}|{6}' -f $_.Revision, $_.Name, $_.Version, $_.Operation, $_.ChangedBy, $_.Reason, $_.ChangedAt.ToUnixTimeSeconds() }
        (@($namespaces) + '--' + @($history)) -join "`n"
    }

    function Wait-Revision([string] $Db, [long] $Revision, [int] $Seconds = 60) {
        $deadline = (Get-Date).AddSeconds($Seconds)
        while ((Get-Date) -lt $deadline) {
            if ((Test-Path $Db) -and (Get-PrismConfigStatus -Database $Db).Revision -ge $Revision) { return $true }
            Start-Sleep -Milliseconds 100
        }
        $false
    }

    # A continuous sync in a runspace of this process: its warnings and output stay readable after Stop(). -With
    # holds Sync-PrismConfig's other parameters; a 2 s poll unless it says otherwise.
    function Start-ContinuousSync([string] $Source, [string] $Replica, [hashtable] $With = @{ PollInterval = [TimeSpan]'00:00:02' }) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($Module, $Source, $Replica, $With)
            Import-Module $Module
            Sync-PrismConfig -Source $Source -Database $Replica -Continuous @With
        }).AddArgument((Get-PrismTestModulePath)).AddArgument($Source).AddArgument($Replica).AddArgument($With)
        $output = [Management.Automation.PSDataCollection[psobject]]::new()
        [pscustomobject]@{ PowerShell = $ps; Output = $output; Async = $ps.BeginInvoke([Management.Automation.PSDataCollection[psobject]]::new(), $output) }
    }

    function Stop-ContinuousSync($Sync) {
        $Sync.PowerShell.Stop()
        $warnings = @($Sync.PowerShell.Streams.Warning | ForEach-Object Message)
        $errors = @($Sync.PowerShell.Streams.Error | ForEach-Object { "$_" })
        $Sync.PowerShell.Dispose()
        [pscustomobject]@{ Warnings = $warnings; Errors = $errors }
    }
}

Describe 'Sync-PrismConfig from <Engine>' -ForEach @(
    @{ Engine = 'Sqlite'; Skip = $false }
    @{ Engine = 'Postgres'; Skip = -not (Test-PostgresAvailable) }
) {
    It 'makes a replica equal to the source, owner-only, that the ADR queries and the reading cmdlets read' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        $result = Sync-PrismConfig -Source $source -Database $replica
        $result.GetType().FullName | Should -Be 'PrismConfig.SyncResult'
        $result.Rebuilt | Should -BeTrue
        $result.Revision | Should -Be 3
        Get-StoreShape $replica | Should -Be (Get-StoreShape $source)
        if (-not $IsWindows) { (Get-Item $replica).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }

        # ADR-036's own lookup, as a proxy runs it against the file.
        Invoke-RawSql -Database $replica -Scalar -Sql "SELECT backend FROM namespaces WHERE name = 'orders' AND status = 'active'" | Should -Be 'postgres'
        (Get-PrismNamespace -Tag production -Database $replica).Name | Should -Be 'orders'
        (Get-PrismNamespace orders -Database $replica).Features['shadow_traffic'] | Should -BeTrue
        (Test-PrismConfig -Database $replica).IsHealthy | Should -BeTrue
    }

    It 'applies later changes in one pass each, and a pass with nothing new changes nothing' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        Sync-PrismConfig -Source $source -Database $replica | Out-Null
        Rename-PrismNamespace cache -NewName sessions -Database $source
        Remove-PrismNamespace orders -Reason 'retired' -Confirm:$false -Database $source
        New-PrismNamespace orders -Backend kafka -Pattern stream -Database $source | Out-Null
        $result = Sync-PrismConfig -Source $source -Database $replica
        $result.Rebuilt | Should -BeFalse
        $result.FromRevision | Should -Be 3
        $result.Revision | Should -Be 6
        $result.Changes | Should -Be 3
        Get-StoreShape $replica | Should -Be (Get-StoreShape $source)

        $again = Sync-PrismConfig -Source $source -Database $replica
        $again.Changes | Should -Be 0
        $again.Revision | Should -Be 6
    }

    It 'refuses every writing cmdlet on the replica with ReplicaReadOnly, naming the source, and writes nothing, -WhatIf or not' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        Sync-PrismConfig -Source $source -Database $replica | Out-Null
        $before = Get-StoreShape $replica
        $yaml = Join-Path $TestDrive 'one.yaml'
        Export-PrismYaml -Path $yaml -Database $source
        $backup = Backup-PrismConfig -Destination (Join-Path $TestDrive "$([guid]::NewGuid()).db") -Database $replica
        $registry = Join-Path $PSScriptRoot 'registry-fixtures'
        $writes = @(
            { New-PrismNamespace fresh -Backend redis -Pattern keyvalue -Database $replica }
            { Set-PrismNamespace orders -RateLimitRps 5 -Database $replica }
            { Disable-PrismNamespace orders -Database $replica }
            { Enable-PrismNamespace orders -Database $replica }
            { Remove-PrismNamespace orders -Confirm:$false -Database $replica }
            { Rename-PrismNamespace orders -NewName orders2 -Database $replica }
            { Restore-PrismNamespace orders -Version 1 -Confirm:$false -Database $replica }
            { Import-PrismYaml -Path $yaml -Database $replica }
            { Import-PrismRegistry -Path $registry -Database $replica }
            { Restore-PrismConfig -Path $backup.FullName -Confirm:$false -Database $replica }
        )
        $ErrorActionPreference = 'Stop'
        # -WhatIf too: a plan shown for a replica would suggest the write works there.
        foreach ($WhatIfPreference in $false, $true) {
            foreach ($write in $writes) {
                $caught = $null
                try { & $write | Out-Null } catch { $caught = $_ }
                $caught | Should -Not -BeNullOrEmpty -Because "$write must be refused (WhatIf: $WhatIfPreference)"
                $caught.FullyQualifiedErrorId | Should -BeLike 'ReplicaReadOnly,*' -Because "$write (WhatIf: $WhatIfPreference)"
                $caught.CategoryInfo.Category | Should -Be 'InvalidOperation'
                $caught.Exception.Message | Should -BeLike "*read-only replica of '$source'*"
            }
        }
        $WhatIfPreference = $false
        Get-StoreShape $replica | Should -Be $before
        # The source named as its own replica is that on either engine, not a PostgreSQL store that is not local.
        { Sync-PrismConfig -Source $source -Database $source } | Should -Throw -ErrorId 'ReplicaIsSource,*'
    }

    It 'stops a pipeline of writes at the first refusal of the replica, since every namespace would meet it' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        Sync-PrismConfig -Source $source -Database $replica | Out-Null
        $seen = [Collections.Generic.List[string]]::new()
        $thrown = $null
        try {
            'orders', 'cache' | ForEach-Object { $seen.Add($_); $_ } | Set-PrismNamespace -RateLimitRps 5 -Database $replica -ErrorAction SilentlyContinue
        }
        catch { $thrown = $_ }
        $thrown | Should -Not -BeNullOrEmpty -Because 'an error of the whole store is terminating, whatever -ErrorAction says'
        $thrown.FullyQualifiedErrorId | Should -BeLike 'ReplicaReadOnly,*'
        $seen | Should -Be @('orders')
    }

    It 'reports the replica''s source, revision and freshness, and -MaxStaleness fails a stale one' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        Sync-PrismConfig -Source $source -Database $replica | Out-Null
        $status = Get-PrismConfigStatus -Database $replica
        $status.IsReplica | Should -BeTrue
        $status.Source | Should -Be $source
        $status.Revision | Should -Be 3
        $status.Lag | Should -BeOfType [timespan]
        (Get-PrismConfigStatus -Database $source).IsReplica | Should -BeFalse

        $report = Test-PrismConfig -Database $replica -MaxStaleness 01:00:00
        $report.IsHealthy | Should -BeTrue
        $report.Source | Should -Be $source
        $report.Revision | Should -Be 3
        $report.LastContactAt | Should -Not -BeNullOrEmpty
        $report.LastSyncedAt | Should -Not -BeNullOrEmpty

        # A replica whose sync stopped an hour ago.
        $hourAgo = [DateTimeOffset]::UtcNow.AddHours(-1).ToUnixTimeMilliseconds()
        Invoke-RawSql -Database $replica -Sql "UPDATE replica_state SET last_contact_at = $hourAgo"
        $stale = Test-PrismConfig -Database $replica -MaxStaleness 00:05:00
        $stale.IsHealthy | Should -BeFalse
        $stale.Problems | Should -BeLike 'replica: it last reached its source*longer than -MaxStaleness*'
        $stale.Lag.TotalMinutes | Should -BeGreaterThan 59
    }

    It 'says why when it rebuilds the replica because the source''s history was pruned' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        Sync-PrismConfig -Source $source -Database $replica | Out-Null
        1..3 | ForEach-Object { Set-PrismNamespace cache -RateLimitRps $_ -Database $source }
        $prune = 'DELETE FROM namespace_history WHERE revision <= 4'
        if ($Engine -eq 'Postgres') { Invoke-TestPsql -Uri $source -Sql $prune | Out-Null } else { Invoke-RawSql -Database $source -Sql $prune }
        $result = Sync-PrismConfig -Source $source -Database $replica -WarningVariable warned -WarningAction SilentlyContinue
        $result.Rebuilt | Should -BeTrue
        "$warned" | Should -BeLike '*Rebuilt the replica*no longer reaches back to revision 4*'
        Get-StoreShape $replica | Should -Be (Get-StoreShape $source)
    }

    It 'with -Continuous, brings a commit from another process across, and stops cleanly on Ctrl+C' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        $sync = Start-ContinuousSync $source $replica -With @{}
        try {
            Wait-Revision $replica 3 | Should -BeTrue
            $module = Get-PrismTestModulePath
            $child = Invoke-FreshPwsh -Command "Import-Module '$module'; Set-PrismNamespace orders -RateLimitRps 42 -Database '$source'"
            $child.ExitCode | Should -Be 0
            # The default poll is 30 s: arriving well before it means the notification or change token did it.
            Wait-Revision $replica 4 -Seconds 20 | Should -BeTrue
            (Get-PrismNamespace orders -Database $replica).RateLimitRps | Should -Be 42
            $sync.PowerShell.Stop()
            $sync.Async.IsCompleted | Should -BeTrue
            $sync.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            @($sync.Output | ForEach-Object Revision) | Should -Be @(3, 4)
        }
        finally {
            $sync.PowerShell.Dispose()
        }
    }

    It 'with -Continuous -Until, ends by itself at the deadline with the replica in step' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        $sync = Start-ContinuousSync $source $replica -With @{ Until = (Get-Date).AddSeconds(3) }
        try {
            # Far beyond the deadline and far short of the 30 s default poll: only -Until can end it in time.
            $sync.Async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(25)) | Should -BeTrue
            $sync.PowerShell.InvocationStateInfo.State | Should -Be 'Completed'
            $sync.PowerShell.Streams.Error | Should -BeNullOrEmpty
            @($sync.Output | ForEach-Object Revision) | Should -Be @(3)
            Get-StoreShape $replica | Should -Be (Get-StoreShape $source)
        }
        finally {
            if ($sync.PowerShell.InvocationStateInfo.State -eq 'Running') { $sync.PowerShell.Stop() }
            $sync.PowerShell.Dispose()
        }
    }

    It 'with -Continuous, makes the replica again when its file is deleted under the sync' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        $sync = Start-ContinuousSync $source $replica
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (Test-Path $replica) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Milliseconds 500
        Remove-Item "$replica*" -Force
        Set-PrismNamespace cache -RateLimitRps 77 -Database $source
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        $seen = $null
        while ([DateTime]::UtcNow -lt $deadline) {
            if (Test-Path $replica) {
                $seen = try { (Get-PrismNamespace cache -Database $replica -ErrorAction Stop).RateLimitRps } catch { $null }
                if ($seen -eq 77) { break }
            }
            Start-Sleep -Milliseconds 200
        }
        # Stopped before its streams are read: reading an open stream waits for the pipeline to end.
        $stopped = Stop-ContinuousSync $sync
        $seen | Should -Be 77 -Because 'the sync must not go on writing to the deleted file'
        $stopped.Errors | Should -BeNullOrEmpty
    }

    It 'with -Continuous, takes a registry import from another process before its next poll' -Skip:$Skip {
        $source = New-SourceDb $Engine
        $replica = New-ReplicaPath
        # The default poll, 30 s, is longer than the wait below.
        $sync = Start-ContinuousSync $source $replica -With @{}
        try {
            Wait-Revision $replica 3 | Should -BeTrue
            @(Get-PrismRegistry -Database $replica) | Should -BeNullOrEmpty
            # A registry change takes no revision: only its own notification (or the change token) can wake the sync.
            $module = Get-PrismTestModulePath
            $fixtures = Join-Path $PSScriptRoot 'registry-fixtures'
            $child = Invoke-FreshPwsh -Command "Import-Module '$module'; Import-PrismRegistry '$fixtures' -Database '$source' | Out-Null"
            $child.ExitCode | Should -Be 0
            $expected = @(Get-PrismRegistry -Database $source | ForEach-Object { "$($_.Kind)/$($_.Name)" })
            $expected.Count | Should -BeGreaterThan 0
            $deadline = (Get-Date).AddSeconds(20)
            do {
                Start-Sleep -Milliseconds 100
                $seen = @(Get-PrismRegistry -Database $replica | ForEach-Object { "$($_.Kind)/$($_.Name)" })
            } until ($seen.Count -eq $expected.Count -or (Get-Date) -gt $deadline)
            $seen | Should -Be $expected
        }
        finally {
            $stopped = Stop-ContinuousSync $sync
        }
        $stopped.Errors | Should -BeNullOrEmpty
        # The pass that copied only the registry changed the replica, so it reports like any other.
        @($sync.Output | ForEach-Object { "$($_.Revision):$($_.RegistryChanged)" }) | Should -Be @('3:False', '3:True')
    }
}

Describe 'Sync-PrismConfig -WhatIf' {
    It 'says what one pass would do from either engine, and writes nothing, creates nothing, takes no write lock' {
        # Both engines in one test: the What-if text goes to the host, so it is read from a child process, and one
        # child costs less than one per engine.
        $cases = foreach ($engine in @('Sqlite') + @(if (Test-PostgresAvailable) { 'Postgres' })) {
            $source = New-SourceDb $engine
            $replica = New-ReplicaPath
            Sync-PrismConfig -Source $source -Database $replica | Out-Null
            Set-PrismNamespace cache -RateLimitRps 5 -Database $source
            Set-PrismNamespace cache -RateLimitRps 6 -Database $source
            [pscustomobject]@{ Source = $source; Shown = (Get-PrismConfigStatus -Database $source).Database; Replica = $replica; Fresh = New-ReplicaPath; Before = Get-PrismConfigStatus -Database $replica }
        }
        $script = @("Import-Module '$(Get-PrismTestModulePath)'", "`$env:PRISM_CONFIG_LOCK_TIMEOUT = '1'", "`$ErrorActionPreference = 'Stop'")
        foreach ($c in $cases) {
            $script += "Sync-PrismConfig -Source '$($c.Source)' -Database '$($c.Replica)' -WhatIf"
            $script += "Sync-PrismConfig -Source '$($c.Source)' -Database '$($c.Fresh)' -WhatIf"
            $script += "Sync-PrismConfig -Source '$($c.Source)' -Database '$($c.Replica)' -Continuous -WhatIf"
        }
        $script += "'ended'"
        # Held from outside: a pass that began a write transaction would fail after the child's 1 s lock timeout.
        $type = Get-PrismCoreType 'Microsoft.Data.Sqlite' 'Microsoft.Data.Sqlite.SqliteConnection'
        $locks = foreach ($c in $cases) { [Activator]::CreateInstance($type, @("Data Source=$($c.Replica);Pooling=False")) }
        try {
            foreach ($lock in $locks) {
                $lock.Open()
                $begin = $lock.CreateCommand()
                $begin.CommandText = 'BEGIN IMMEDIATE'
                [void]$begin.ExecuteNonQuery()
            }
            $child = Invoke-FreshPwsh -Command ($script -join "`n")
        }
        finally {
            foreach ($lock in $locks) { $lock.Dispose() }
        }
        $child.ExitCode | Should -Be 0 -Because ($child.Output -join "`n")
        $child.Output[-1] | Should -Be 'ended' -Because '-Continuous -WhatIf previews one pass and stops'
        $lines = @($child.Output | Where-Object { $_ -like 'What if:*' })
        $lines.Count | Should -Be (3 * $cases.Count)
        for ($i = 0; $i -lt $cases.Count; $i++) {
            $c = $cases[$i]
            $lines[3 * $i] | Should -BeLike "What if: Performing the operation ""Sync from '$($c.Shown)': revision 3 → 5, 2 changes to 1 namespace"" on target ""$($c.Replica)""."
            $lines[3 * $i + 1] | Should -BeLike "*Sync from '$($c.Shown)': a full copy at revision 5 (2 namespaces, 5 history entries); reason: a new replica*""$($c.Fresh)""."
            $lines[3 * $i + 2] | Should -Be $lines[3 * $i]
            $c.Fresh | Should -Not -Exist
            $after = Get-PrismConfigStatus -Database $c.Replica
            $after.Revision | Should -Be 3
            $after.LastContactAt | Should -Be $c.Before.LastContactAt
            $pass = Sync-PrismConfig -Source $c.Source -Database $c.Replica -WhatIf:$false
            $pass.Revision, $pass.Changes | Should -Be 5, 2
        }
    }
}

Describe 'Sync-PrismConfig input' {
    It 'refuses a target that is a store of its own, and leaves it alone' {
        $source = New-SourceDb 'Sqlite'
        $own = Join-Path $TestDrive 'own.db'
        New-PrismNamespace mine -Backend redis -Pattern keyvalue -Database $own -WarningAction SilentlyContinue | Out-Null
        { Sync-PrismConfig -Source $source -Database $own -ErrorAction Stop } | Should -Throw -ErrorId 'ReplicaTargetInUse,*'
        (Get-PrismNamespace -Database $own).Name | Should -Be 'mine'
        (Get-PrismConfigStatus -Database $own).IsReplica | Should -BeFalse
    }

    It 'refuses a replica of another source' {
        $replica = New-ReplicaPath
        Sync-PrismConfig -Source (New-SourceDb 'Sqlite') -Database $replica | Out-Null
        { Sync-PrismConfig -Source (New-SourceDb 'Sqlite') -Database $replica -ErrorAction Stop } | Should -Throw -ErrorId 'ReplicaSourceMismatch,*'
    }

    It 'a missing source is DatabaseNotFound and creates no replica' {
        $replica = New-ReplicaPath
        { Sync-PrismConfig -Source (Join-Path $TestDrive 'nope.db') -Database $replica -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound,*'
        Test-Path $replica | Should -BeFalse
    }

    It 'refuses an -Until already past, naming it and what to give instead, and creates no replica' {
        $replica = New-ReplicaPath
        $past = (Get-Date).AddMinutes(-5)
        $caught = $null
        try { Sync-PrismConfig -Source (New-SourceDb 'Sqlite') -Database $replica -Continuous -Until $past -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'UntilInPast,PrismConfig.PowerShell.Commands.SyncPrismConfigCommand'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$caught" | Should -BeLike "-Until $($past.ToString('yyyy-MM-dd HH:mm:ss')) is already past*leave -Until out*"
        Test-Path $replica | Should -BeFalse
    }
}

Describe 'Sync-PrismConfig through PostgreSQL outages' -Skip:(-not (Test-PostgresAvailable)) {
    BeforeAll {
        $script:PgCtl = Join-Path $env:PRISM_TEST_PG_BIN 'pg_ctl'
        function Invoke-PgCtl([string[]] $Arguments) {
            $log = Join-Path (Split-Path $env:PRISM_TEST_PG_DATA) 'postgres.log'
            $all = @($Arguments) + @('-D', $env:PRISM_TEST_PG_DATA, '-w', '-s', '-t', '60')
            if ($Arguments[0] -in 'start', 'restart') { $all += @('-l', $log) }
            Push-Location (Split-Path $env:PRISM_TEST_PG_DATA)
            try {
                $out = if ((& id -u) -eq '0') { & runuser -u postgres -- $PgCtl @all 2>&1 } else { & $PgCtl @all 2>&1 }
                if ($LASTEXITCODE -ne 0) { throw "pg_ctl $($Arguments -join ' ') failed: $out" }
            }
            finally { Pop-Location }
        }
        function Get-ReplicaListeners([string] $Db) {
            $name = ([Uri]$Db).AbsolutePath.Trim('/')
            Invoke-TestPsql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN prism_config' AND datname = '$name'"
        }
    }

    AfterEach {
        # Whatever a test did to the shared server, the next suite needs it running.
        $status = if ((& id -u) -eq '0') { & runuser -u postgres -- $PgCtl status -D $env:PRISM_TEST_PG_DATA 2>&1 } else { & $PgCtl status -D $env:PRISM_TEST_PG_DATA 2>&1 }
        if ($LASTEXITCODE -ne 0) { Invoke-PgCtl 'start' }
    }

    It 'keeps serving the replica while the server is down, reports the outage once, and catches up when it is back' {
        # A password in the source URI, which no output may show.
        $name = 'prism_outage_' + [guid]::NewGuid().ToString('N')
        Invoke-TestPsql "CREATE DATABASE $name OWNER $($env:PRISM_TEST_POSTGRES_PASSWORD_USER)" | Out-Null
        $source = Get-TestPostgresPasswordUri -Database $name
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $source -WarningAction SilentlyContinue | Out-Null
        $replica = New-ReplicaPath
        $sync = Start-ContinuousSync $source $replica
        try {
            Wait-Revision $replica 1 | Should -BeTrue
            Invoke-PgCtl 'stop', '-m', 'fast'
            (Get-PrismNamespace orders -Database $replica).Backend | Should -Be 'postgres'
            $caught = $null
            try { Sync-PrismConfig -Source $source -Database $replica -ErrorAction Stop } catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -BeLike 'StoreUnavailable,*'
            "$caught" | Should -BeLike '*127.0.0.1:*'
            "$caught" | Should -Not -BeLike "*$($env:PRISM_TEST_POSTGRES_PASSWORD)*"
            (Get-PrismConfigStatus -Database $replica).Revision | Should -Be 1
            (Get-PrismConfigStatus -Database $replica).Source | Should -Not -BeLike "*$($env:PRISM_TEST_POSTGRES_PASSWORD)*"
            # Long enough for several retries, each of which must not log again.
            Start-Sleep -Seconds 6
            Invoke-PgCtl 'start'
            Set-PrismNamespace orders -RateLimitRps 7 -Database $source
            Wait-Revision $replica 2 | Should -BeTrue
        }
        finally {
            $streams = Stop-ContinuousSync $sync
        }
        $streams.Errors | Should -BeNullOrEmpty
        $text = $streams.Warnings -join "`n"
        $text | Should -Not -BeLike "*$($env:PRISM_TEST_POSTGRES_PASSWORD)*"
        # Once per distinct failure (the server shutting down, then refusing connections), not once per retry.
        $outages = @($streams.Warnings | Where-Object { $_ -like '*cannot be reached*' }).Count
        $outages | Should -BeGreaterOrEqual 1
        $outages | Should -BeLessOrEqual 3
        $streams.Warnings[-1] | Should -BeLike '*reached*again after*caught up*'
    }

    It 'misses no update from 4 writers making 1,000 changes while its connection is killed 10 times and the server restarts twice' {
        $source = New-TestPostgresDatabase
        $names = 0..3 | ForEach-Object { "counter-$_" }
        foreach ($n in $names) { New-PrismNamespace $n -Backend redis -Pattern keyvalue -RateLimitRps 1 -Database $source -WarningAction SilentlyContinue | Out-Null }
        $replica = New-ReplicaPath
        $sync = Start-ContinuousSync $source $replica
        $module = Get-PrismTestModulePath
        $writers = foreach ($n in $names) {
            # Each writer owns one namespace and makes 250 conditional increments, retrying through restarts.
            Start-FreshPwsh -StdOut (Join-Path $TestDrive "$n.out") -StdErr (Join-Path $TestDrive "$n.err") -Command @"
Import-Module '$module'
`$done = 0
while (`$done -lt 250) {
    try {
        `$ns = Get-PrismNamespace '$n' -Database '$source'
        Set-PrismNamespace '$n' -RateLimitRps (`$ns.RateLimitRps + 1) -ExpectedVersion `$ns.Version -Database '$source' -ErrorAction Stop
        `$done++
    }
    catch { Start-Sleep -Milliseconds 100 }
}
"@
        }
        try {
            Wait-Revision $replica 4 | Should -BeTrue
            for ($i = 1; $i -le 10; $i++) {
                Start-Sleep -Milliseconds 400
                Get-ReplicaListeners $source | Out-Null
                if ($i -in 4, 8) { Invoke-PgCtl 'restart', '-m', 'fast' }
            }
            foreach ($w in $writers) { $w.WaitForExit(180000) | Out-Null; $w.ExitCode | Should -Be 0 }
            $final = (Get-PrismConfigStatus -Database $source).Revision
            $final | Should -BeGreaterOrEqual 1004
            Wait-Revision $replica $final -Seconds 60 | Should -BeTrue
        }
        finally {
            foreach ($p in $writers) { if (-not $p.HasExited) { $p.Kill($true) } }
            $streams = Stop-ContinuousSync $sync
        }
        $streams.Errors | Should -BeNullOrEmpty
        foreach ($n in $names) { (Get-PrismNamespace $n -Database $replica).RateLimitRps | Should -Be 251 }
        Get-StoreShape $replica | Should -Be (Get-StoreShape $source)
        $history = @(Get-PrismNamespaceHistory -IncludeRemoved -Database $replica | Sort-Object Revision)
        $history.Count | Should -Be 1004
        ($history | ForEach-Object Revision) | Should -Be (1..1004)
    }
}

Describe 'Sync-PrismConfig -Continuous from a SQLite file' {
    It 'with -Continuous, waits for a SQLite source taken away from its path, warning once, and catches up when it is back' {
        $source = New-SourceDb 'Sqlite'
        $replica = New-ReplicaPath
        $sync = Start-ContinuousSync $source $replica @{ PollInterval = [TimeSpan]'00:00:01' }
        try {
            Wait-Revision $replica 3 | Should -BeTrue
            $away = "$source.away"
            Move-Item $source $away
            $deadline = (Get-Date).AddSeconds(20)
            while ($sync.PowerShell.Streams.Warning.Count -lt 1 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Move-Item $away $source
            Set-PrismNamespace orders -RateLimitRps 7 -Database $source
            Wait-Revision $replica 4 -Seconds 20 | Should -BeTrue
        }
        finally {
            $stopped = Stop-ContinuousSync $sync
        }
        $stopped.Errors | Should -BeNullOrEmpty
        $stopped.Warnings | Should -HaveCount 2
        $stopped.Warnings[0] | Should -BeLike '*holds no PrismConfig store now*keeps serving its last good state*'
        $stopped.Warnings[1] | Should -BeLike '*reached*again after*caught up*'
        (Get-PrismNamespace orders -Database $replica).RateLimitRps | Should -Be 7
    }
}
