# Watch-PrismNamespace: entries as they commit, from another process, on both engines; -Since resumes with no gap
# and no duplicate; -Name filters; -Timeout ends the watch; a store lost for a while (a stopped server, a SQLite file
# away from its path) is waited out, and a SQLite file replaced under the watch is followed.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-WatchDb([string] $Engine) {
        $db = if ($Engine -eq 'Postgres') { New-TestPostgresDatabase } else { Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db') }
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $db -WarningAction SilentlyContinue | Out-Null
        New-PrismNamespace cache -Backend redis -Pattern keyvalue -Database $db | Out-Null
        Set-PrismNamespace orders -CacheTtlSeconds 60 -Reason 'tune' -Database $db
        $db
    }
    # A watch in a runspace of this process, with its warnings and verbose lines in its output, started once it
    # says it is watching. -With holds Watch-PrismNamespace's other parameters.
    function Start-Watch([string] $Db, [hashtable] $With = @{}) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($Module, $Db, $With)
            Import-Module $Module
            Watch-PrismNamespace -Database $Db -Verbose @With 4>&1 3>&1
        }).AddArgument((Get-PrismTestModulePath)).AddArgument($Db).AddArgument($With)
        $output = [Management.Automation.PSDataCollection[psobject]]::new()
        $watch = [pscustomobject]@{ PowerShell = $ps; Output = $output; Async = $ps.BeginInvoke([Management.Automation.PSDataCollection[psobject]]::new(), $output) }
        $null = Wait-WatchOutput $watch { $_ -is [Management.Automation.VerboseRecord] }
        $watch
    }

    # What the watch has written that -Where lets through, as soon as that is -Count items or after -Seconds. Read by
    # index: enumerating an output collection that is still open waits for the pipeline to end.
    function Wait-WatchOutput($Watch, [scriptblock] $Where, [int] $Count = 1, [int] $Seconds = 10) {
        $deadline = (Get-Date).AddSeconds($Seconds)
        do {
            $items = @($(for ($i = 0; $i -lt $Watch.Output.Count; $i++) { $Watch.Output[$i] }) | Where-Object $Where)
        } while ($items.Count -lt $Count -and (Get-Date) -lt $deadline -and -not (Start-Sleep -Milliseconds 50))
        $items
    }

    function Stop-Watch($Watch) {
        $Watch.PowerShell.Stop()
        $errors = @($Watch.PowerShell.Streams.Error | ForEach-Object { "$_" })
        $Watch.PowerShell.Dispose()
        [pscustomobject]@{ Output = @($Watch.Output); Errors = $errors }
    }

    function Get-Listeners([string] $Db) {
        $name = ([Uri]$Db).AbsolutePath.Trim('/')
        Invoke-TestPsql "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN prism_config' AND datname = '$name'"
    }
}

Describe 'Watch-PrismNamespace on <Engine>' -ForEach @(
    @{ Engine = 'Sqlite'; Skip = $false }
    @{ Engine = 'Postgres'; Skip = -not (Test-PostgresAvailable) }
) {
    It 'replays after -Since in revision order, and resumes with no gap and no duplicate' -Skip:$Skip {
        $db = New-WatchDb $Engine
        $all = @(Watch-PrismNamespace -Since 0 -Timeout 00:00:01 -Database $db)
        ($all | ForEach-Object { "$($_.Name)/$($_.Operation)/$($_.Version)" }) | Should -Be @('orders/create/1', 'cache/create/1', 'orders/update/2')
        $all[0].GetType().FullName | Should -Be 'PrismConfig.HistoryEntry'
        $all[1].Revision | Should -BeGreaterThan $all[0].Revision
        $all[2].Revision | Should -BeGreaterThan $all[1].Revision

        $rest = @(Watch-PrismNamespace -Since $all[1].Revision -Timeout 00:00:01 -Database $db)
        $rest.Count | Should -Be 1
        $rest[0].Revision | Should -Be $all[2].Revision

        Disable-PrismNamespace cache -Database $db
        Remove-PrismNamespace cache -Reason 'retired' -Confirm:$false -Database $db
        $later = @(Watch-PrismNamespace -Since $all[2].Revision -Timeout 00:00:01 -Database $db)
        ($later | ForEach-Object { "$($_.Name)/$($_.Operation)" }) | Should -Be @('cache/disable', 'cache/delete')
        $later[0].Revision | Should -Be ($all[2].Revision + 1)
        $later[1].Revision | Should -Be ($all[2].Revision + 2)
    }

    It 'resumes with -After in the middle of an import''s revision, from a live entry or a saved one' -Skip:$Skip {
        $db = New-WatchDb $Engine
        $yaml = Join-Path $TestDrive "import-$([guid]::NewGuid().ToString('N')).yaml"
        Set-Content $yaml ("namespaces:`n" + (('imp-a', 'imp-b', 'imp-c' | ForEach-Object { "  - { name: $_, backend: redis, pattern: keyvalue }" }) -join "`n"))
        Import-PrismYaml $yaml -Database $db | Out-Null
        $all = @(Watch-PrismNamespace -Since 3 -Timeout 00:00:00.3 -Database $db)
        @($all.Revision | Select-Object -Unique) | Should -Be 4
        $all.Count | Should -Be 3

        # A consumer that stopped after the first two entries of the import.
        $rest = @(Watch-PrismNamespace -After $all[1] -Timeout 00:00:00.3 -Database $db)
        $rest.Name | Should -Be $all[2].Name
        # Its checkpoint, as a file would keep it.
        $saved = $all[0] | Select-Object Revision, Id | ConvertTo-Json | ConvertFrom-Json
        @(Watch-PrismNamespace -After $saved -Timeout 00:00:00.3 -Database $db).Name | Should -Be @($all[1].Name, $all[2].Name)
        { Watch-PrismNamespace -After ([pscustomobject]@{ Revision = 4 }) -Timeout 00:00:00.3 -Database $db -ErrorAction Stop } |
            Should -Throw -ErrorId 'AfterInvalid,*'
    }

    It 'without -Since writes only what commits after it starts, and ends at -Timeout' -Skip:$Skip {
        $db = New-WatchDb $Engine
        $started = Get-Date
        @(Watch-PrismNamespace -Timeout 00:00:01 -Database $db).Count | Should -Be 0
        ((Get-Date) - $started).TotalSeconds | Should -BeGreaterOrEqual 0.9
    }

    It 'streams a change another process commits, filtered by -Name, and the entry pipes into Get-PrismNamespace' -Skip:$Skip {
        $db = New-WatchDb $Engine
        $module = Get-PrismTestModulePath
        $child = Start-FreshPwsh -Command @"
Import-Module '$module'
Start-Sleep -Seconds 2
Set-PrismNamespace cache -CacheTtlSeconds 5 -Database '$db'
Set-PrismNamespace orders -RateLimitRps 42 -Reason 'from another process' -Database '$db'
"@
        try {
            $entry = Watch-PrismNamespace -Name 'ord*' -Timeout 00:01:00 -Database $db | Select-Object -First 1
        }
        finally {
            $child.WaitForExit(60000) | Out-Null
        }
        $child.ExitCode | Should -Be 0
        $entry.Name | Should -Be 'orders'
        $entry.Reason | Should -Be 'from another process'
        $entry.NewConfig.RateLimitRps | Should -Be 42
        ($entry | Get-PrismNamespace -Database $db).RateLimitRps | Should -Be 42
    }

    It 'stops promptly when the pipeline is stopped (Ctrl+C), keeping what it wrote and closing its subscription' -Skip:$Skip {
        $db = New-WatchDb $Engine
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($Module, $Db)
            Import-Module $Module
            Watch-PrismNamespace -Since 0 -Database $Db
        }).AddArgument((Get-PrismTestModulePath)).AddArgument($db)
        $output = [Management.Automation.PSDataCollection[psobject]]::new()
        $async = $ps.BeginInvoke([Management.Automation.PSDataCollection[psobject]]::new(), $output)
        try {
            $deadline = (Get-Date).AddSeconds(30)
            while ($output.Count -lt 3 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $output.Count | Should -Be 3
            if ($Engine -eq 'Postgres') {
                Get-Listeners $db | Should -Be 1
            }
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            @($output).Count | Should -Be 3
            if ($Engine -eq 'Postgres') {
                # The server ends a closed connection's backend on its own time: give it a moment.
                $deadline = (Get-Date).AddSeconds(10)
                do { $listening = Get-Listeners $db } while ($listening -ne '0' -and (Get-Date) -lt $deadline -and -not (Start-Sleep -Milliseconds 100))
                $listening | Should -Be 0
            }
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Watch-PrismNamespace on a missing store' {
    It 'warns when -Since is beyond the store''s revision, instead of waiting in silence' {
        $db = Join-Path $TestDrive "since-$([guid]::NewGuid()).db"
        New-PrismNamespace since-ns -Backend redis -Pattern keyvalue -Database $db -WarningAction SilentlyContinue | Out-Null
        $null = Watch-PrismNamespace -Since 9999 -Timeout 00:00:01 -Database $db -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match '-Since 9999 is beyond .* revision 1'
    }

    It 'refuses a -Timeout of zero, saying what to give instead' {
        $db = Join-Path $TestDrive "timeout-$([guid]::NewGuid()).db"
        New-PrismNamespace timeout-ns -Backend redis -Pattern keyvalue -Database $db -WarningAction SilentlyContinue | Out-Null
        $caught = $null
        try { Watch-PrismNamespace -Timeout 0 -Database $db -ErrorAction Stop } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'TimeoutInvalid,PrismConfig.PowerShell.Commands.WatchPrismNamespaceCommand'
        "$caught" | Should -BeLike '-Timeout must be more than zero*leave -Timeout out*'
    }

    It 'a watch on a store that does not exist is DatabaseNotFound' {
        $missing = Join-Path $TestDrive 'missing.db'
        { Watch-PrismNamespace -Timeout 00:00:01 -Database $missing -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound*'
        Test-Path $missing | Should -BeFalse
    }
}

Describe 'Watch-PrismNamespace across a whole-store restore on <Engine>' -ForEach (Get-TestEngine) {
    # A PostgreSQL store's pre-restore backup goes under XDG_DATA_HOME: the test's own, never the user's.
    BeforeAll {
        $script:SavedDataHome = $env:XDG_DATA_HOME
        $env:XDG_DATA_HOME = Join-Path $TestDrive 'data-home'

        # A store with a backup taken early and five revisions after it, which the restore rolls the counter back
        # below, and a watch on it in another runspace that keeps what -Filter lets through, up to two items.
        function Start-RestoreWatch([string] $Engine, [string] $Tag, [scriptblock] $Filter) {
            $db = New-TestStore $Engine $TestDrive
            New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $db -WarningAction SilentlyContinue | Out-Null
            $backup = Backup-PrismConfig (Join-Path $TestDrive "$Tag-$Engine.db") -Database $db
            1..5 | ForEach-Object { Set-PrismNamespace orders -CacheTtlSeconds $_ -Database $db }
            $ps = [powershell]::Create()
            $null = $ps.AddScript({
                param($Module, $Db, $Filter)
                Import-Module $Module
                # Made again here: a script block belongs to the runspace that made it.
                $keep = [scriptblock]::Create($Filter)
                Watch-PrismNamespace -Name orders -Timeout 00:01:00 -Database $Db 3>&1 | Where-Object $keep | Select-Object -First 2
            }).AddArgument((Get-PrismTestModulePath)).AddArgument($db).AddArgument($Filter.ToString())
            [pscustomobject]@{ Db = $db; Backup = $backup; PowerShell = $ps; Async = $ps.BeginInvoke() }
        }
    }
    AfterAll { $env:XDG_DATA_HOME = $SavedDataHome }

    It 'warns that revisions restarted and still streams the commits after the restore' -Skip:$Skip {
        $watch = Start-RestoreWatch $Engine 'early' { $_ -is [Management.Automation.WarningRecord] -or $_.Reason -eq 'after the restore' }
        try {
            Start-Sleep -Milliseconds 1500
            Restore-PrismConfig $watch.Backup.FullName -Database $watch.Db -Force | Out-Null
            Start-Sleep -Milliseconds 500
            Set-PrismNamespace orders -RateLimitRps 7 -Reason 'after the restore' -Database $watch.Db
            $seen = $watch.PowerShell.EndInvoke($watch.Async)
        }
        finally {
            $watch.PowerShell.Dispose()
        }
        $seen.Count | Should -Be 2
        "$($seen[0])" | Should -Match 'whole-store restore'
        $seen[1].Reason | Should -Be 'after the restore'
        $seen[1].NewConfig.RateLimitRps | Should -Be 7
    }

    It 'streams the commits made right after the restore, before the watch noticed it' -Skip:$Skip {
        $watch = Start-RestoreWatch $Engine 'soon' { $_ -isnot [Management.Automation.WarningRecord] -and $_.Reason -like 'right after*' }
        try {
            Start-Sleep -Milliseconds 1500
            # No pause: both commits land before the watch reads the store again.
            Restore-PrismConfig $watch.Backup.FullName -Database $watch.Db -Force | Out-Null
            Set-PrismNamespace orders -RateLimitRps 8 -Reason 'right after one' -Database $watch.Db
            Set-PrismNamespace orders -RateLimitRps 9 -Reason 'right after two' -Database $watch.Db
            $seen = $watch.PowerShell.EndInvoke($watch.Async)
        }
        finally {
            $watch.PowerShell.Dispose()
        }
        @($seen.Reason) | Should -Be @('right after one', 'right after two')
    }
}


Describe 'Watch-PrismNamespace across a restore that changed nothing' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force
        $script:SavedDataHome = $env:XDG_DATA_HOME
        $env:XDG_DATA_HOME = Join-Path $TestDrive 'data-home'
    }
    AfterAll { $env:XDG_DATA_HOME = $SavedDataHome }

    It 'does not show again the entries a backup holds after an old restore entry of its own' {
        $db = New-WatchDb 'Sqlite'
        $early = Backup-PrismConfig (Join-Path $TestDrive "early-$([guid]::NewGuid()).db") -Database $db
        Set-PrismNamespace orders -RateLimitRps 1 -Database $db
        Restore-PrismConfig $early.FullName -Database $db -Force | Out-Null
        Set-PrismNamespace orders -RateLimitRps 2 -Reason 'after the first restore' -Database $db
        # The same content as the store, so restoring it writes no restore entry; its own restore entry is old.
        $same = Backup-PrismConfig (Join-Path $TestDrive "same-$([guid]::NewGuid()).db") -Database $db
        Invoke-RawSql -Database $same.FullName -Sql "UPDATE namespace_history SET changed_at = changed_at - 3600 WHERE operation = 'restore'"
        $watch = Start-Watch $db
        try {
            Restore-PrismConfig $same.FullName -Database $db -Force | Out-Null
            $null = Wait-WatchOutput $watch { $_ -is [Management.Automation.WarningRecord] }
            Set-PrismNamespace orders -RateLimitRps 3 -Reason 'after the second restore' -Database $db
            $null = Wait-WatchOutput $watch { $_.Reason -eq 'after the second restore' }
        }
        finally {
            $stopped = Stop-Watch $watch
        }
        $stopped.Errors | Should -BeNullOrEmpty
        $entries = @($stopped.Output | Where-Object { $_.GetType().FullName -eq 'PrismConfig.HistoryEntry' })
        @($entries.Reason) | Should -Be @('after the second restore')
    }
}

Describe 'Watch-PrismNamespace on a SQLite file replaced or taken away under it' -Skip:$IsWindows {
    It 'follows another store moved over the file, as after a whole-store restore' {
        $db = New-WatchDb 'Sqlite'
        # A store of its own, one complete file, as a store copied in from elsewhere and renamed into place would be.
        $other = Join-Path $TestDrive "other-$([guid]::NewGuid().ToString('N')).db"
        New-PrismNamespace moved-in -Backend redis -Pattern keyvalue -Database $other -WarningAction SilentlyContinue | Out-Null
        $file = Backup-PrismConfig -Database $other -Destination "$other.bak"
        $watch = Start-Watch $db
        try {
            Move-Item -Force $file.FullName $db
            $null = Wait-WatchOutput $watch { $_ -is [Management.Automation.WarningRecord] }
            Set-PrismNamespace moved-in -RateLimitRps 3 -Reason 'in the new file' -Database $db
            $null = Wait-WatchOutput $watch { $_.Reason -eq 'in the new file' }
        }
        finally {
            $stopped = Stop-Watch $watch
        }
        $stopped.Errors | Should -BeNullOrEmpty
        $warnings = @($stopped.Output | Where-Object { $_ -is [Management.Automation.WarningRecord] })
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Match 'is now another store file .* goes on after its revision 1;'
        $entries = @($stopped.Output | Where-Object { $_.GetType().FullName -eq 'PrismConfig.HistoryEntry' })
        ($entries | ForEach-Object { "$($_.Name)/$($_.Reason)" }) | Should -Be 'moved-in/in the new file'
    }

    It 'waits while no file is at the path, warns once when it goes and once when it is back, and resumes with no gap or duplicate' {
        $db = New-WatchDb 'Sqlite'
        # A copy of the same store one commit ahead, which the watch must show once it is back, and only once.
        $copy = Backup-PrismConfig -Database $db -Destination "$db.copy"
        Set-PrismNamespace orders -RateLimitRps 2 -Reason 'in the copy' -Database $copy.FullName
        $copy = Backup-PrismConfig -Database $copy.FullName -Destination "$db.copy2"
        $watch = Start-Watch $db
        try {
            Remove-Item $db
            $null = Wait-WatchOutput $watch { $_ -is [Management.Automation.WarningRecord] }
            Move-Item $copy.FullName $db
            Set-PrismNamespace orders -RateLimitRps 3 -Reason 'after' -Database $db
            $null = Wait-WatchOutput $watch { $_.Reason -eq 'after' }
        }
        finally {
            $stopped = Stop-Watch $watch
        }
        $stopped.Errors | Should -BeNullOrEmpty
        $warnings = @($stopped.Output | Where-Object { $_ -is [Management.Automation.WarningRecord] } | ForEach-Object { "$_" })
        $warnings.Count | Should -Be 3
        $warnings[0] | Should -Match 'holds no PrismConfig store now .* goes on after revision 3 '
        $warnings[1] | Should -Match 'reached .* again after .* goes on after revision 3,'
        # Nothing in a copy says it took no other commits under revisions already shown.
        $warnings[2] | Should -Match 'a copy of the same store\. The watch goes on after revision 3;'
        $entries = @($stopped.Output | Where-Object { $_.GetType().FullName -eq 'PrismConfig.HistoryEntry' })
        ($entries | ForEach-Object { "$($_.Revision)/$($_.Reason)" }) | Should -Be @('4/in the copy', '5/after')
    }

    It 'ends at -Timeout while the store is away' {
        $db = New-WatchDb 'Sqlite'
        # Long enough for a loaded machine's watch to notice the file has gone before its deadline.
        $watch = Start-Watch $db @{ Timeout = [TimeSpan]'00:00:03' }
        Remove-Item $db
        $ended = $watch.Async.AsyncWaitHandle.WaitOne(10000)
        $stopped = Stop-Watch $watch
        $ended | Should -BeTrue
        $stopped.Errors | Should -BeNullOrEmpty
        @($stopped.Output | Where-Object { $_ -is [Management.Automation.WarningRecord] }).Count | Should -Be 1
    }
}

Describe 'Watch-PrismNamespace through a PostgreSQL outage' -Skip:(-not (Test-PostgresAvailable)) {
    It 'keeps trying while the server is down, warns once when it goes and once when it is back, and resumes with no gap or duplicate' {
        # A server of the test's own, which it may stop; a password in the URI, which no warning may show.
        $server = Start-PrivateTestPostgres
        if (-not $server) { Set-ItResult -Skipped -Because 'no PostgreSQL server binaries to start a cluster of its own'; return }
        try {
            Invoke-TestPsql "CREATE DATABASE prism_watch OWNER $($server.PasswordUser)" -Uri $server.AdminUri | Out-Null
            $db = "postgresql://$($server.PasswordUser):$($server.Password)@127.0.0.1:$($server.Port)/prism_watch"
            New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $db -WarningAction SilentlyContinue | Out-Null
            $watch = Start-Watch $db
            try {
                Set-PrismNamespace orders -RateLimitRps 1 -Reason 'before' -Database $db
                $null = Wait-WatchOutput $watch { $_.Reason -eq 'before' }
                Invoke-TestPostgresCtl $server stop
                $null = Wait-WatchOutput $watch { $_ -is [Management.Automation.WarningRecord] }
                Invoke-TestPostgresCtl $server start
                Set-PrismNamespace orders -RateLimitRps 2 -Reason 'after' -Database $db
                $null = Wait-WatchOutput $watch { $_.Reason -eq 'after' } -Seconds 45
            }
            finally {
                $stopped = Stop-Watch $watch
            }
        }
        finally {
            Remove-PrivateTestPostgres $server
        }
        $stopped.Errors | Should -BeNullOrEmpty
        $warnings = @($stopped.Output | Where-Object { $_ -is [Management.Automation.WarningRecord] } | ForEach-Object { "$_" })
        $warnings.Count | Should -Be 2
        $warnings[0] | Should -Match "cannot be reached at 127\.0\.0\.1:$($server.Port).* goes on after revision 2 "
        $warnings[1] | Should -Match 'reached .* again after'
        $warnings -join "`n" | Should -Not -Match $server.Password
        $entries = @($stopped.Output | Where-Object { $_.GetType().FullName -eq 'PrismConfig.HistoryEntry' })
        ($entries | ForEach-Object Reason) | Should -Be @('before', 'after')
    }
}
