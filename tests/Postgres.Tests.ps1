# The cmdlets against a shared PostgreSQL store: the same behaviour as on SQLite (versions, CAS, history, -WhatIf,
# atomic import and prune, error IDs), the errors only a server has, and passwords that never show. Skipped, and
# counted as skipped, where the Test task could start no server.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'The cmdlets on a PostgreSQL store' -Skip:(-not (Test-PostgresAvailable)) {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        Import-Module (Get-PrismTestModulePath) -Force
        $script:Yaml = Join-Path $PSScriptRoot '../examples/namespaces.yaml'
    }

    BeforeEach {
        $script:Db = New-TestPostgresDatabase
    }

    It 'creates the store on first write and creates no file' {
        $before = @(Get-ChildItem -Force $PWD).Count
        { Get-PrismNamespace -Database $Db -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound,PrismConfig.PowerShell.Commands.GetPrismNamespaceCommand'
        $ns = New-PrismNamespace -Name orders -Backend postgres -Pattern keyvalue -Database $Db
        $ns.Version | Should -Be 1
        (Get-PrismNamespace -Name orders -Database $Db).Backend | Should -Be 'postgres'
        @(Get-ChildItem -Force $PWD).Count | Should -Be $before
    }

    It 'takes the locator from $env:PRISM_CONFIG_DB' {
        $saved = $env:PRISM_CONFIG_DB
        try {
            $env:PRISM_CONFIG_DB = $Db
            New-PrismNamespace -Name from-env -Backend redis -Pattern keyvalue | Out-Null
            (Get-PrismNamespace -Name from-env).Name | Should -Be 'from-env'
        }
        finally { $env:PRISM_CONFIG_DB = $saved }
    }

    It 'keeps versions, refuses a stale -ExpectedVersion, records who, when, why and a revision per change' {
        New-PrismNamespace -Name cas -Backend redis -Pattern keyvalue -Database $Db | Out-Null
        Set-PrismNamespace -Name cas -RateLimitRps 10 -ExpectedVersion 1 -Reason 'first bump' -Database $Db
        $err = @(try { Set-PrismNamespace -Name cas -RateLimitRps 20 -ExpectedVersion 1 -Database $Db -ErrorAction Stop } catch { $_ })
        $err[0].FullyQualifiedErrorId | Should -BeLike 'VersionConflict,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $history = @(Get-PrismNamespaceHistory -Name cas -Database $Db)
        $history.Version | Should -Be @(1, 2)
        $history.Revision | Should -Be @(1, 2)
        $history[1].Reason | Should -Be 'first bump'
        $history[1].ChangedBy | Should -Not -BeNullOrEmpty
        # A no-op writes nothing.
        Set-PrismNamespace -Name cas -RateLimitRps 10 -Database $Db
        @(Get-PrismNamespaceHistory -Name cas -Database $Db).Count | Should -Be 2
    }

    It 'changes nothing under -WhatIf' {
        New-PrismNamespace -Name whatif -Backend redis -Pattern keyvalue -Database $Db | Out-Null
        Set-PrismNamespace -Name whatif -RateLimitRps 5 -Database $Db -WhatIf
        Remove-PrismNamespace -Name whatif -Database $Db -WhatIf
        (Get-PrismNamespace -Name whatif -Database $Db).Version | Should -Be 1
    }

    It 'imports atomically: a file with one invalid namespace writes nothing' {
        $bad = Join-Path $TestDrive 'bad.yaml'
        Set-Content $bad "namespaces:`n- name: good-one`n  backend: redis`n  pattern: keyvalue`n- name: Bad Name`n  backend: redis`n  pattern: keyvalue"
        { Import-PrismYaml $bad -Database $Db -Confirm:$false -ErrorAction Stop } | Should -Throw
        (Import-PrismYaml $Yaml -Database $Db -Confirm:$false | Group-Object Action).Name | Should -Be 'Created'
        @(Get-PrismNamespace -Database $Db).Count | Should -Be 21
        @(Get-PrismNamespace -Database $Db -Name good-one -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'refuses a prune that would disable everything unless -Force' {
        Import-PrismYaml $Yaml -Database $Db -Confirm:$false | Out-Null
        $active = @(Get-PrismNamespace -Database $Db -Status active).Count
        $active | Should -BeGreaterThan 0
        $empty = Join-Path $TestDrive 'empty.yaml'
        Set-Content $empty 'namespaces: []'
        $err = @(try { Import-PrismYaml $empty -Prune -Database $Db -Confirm:$false -ErrorAction Stop } catch { $_ })
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PruneEmptyDesiredSet,*'
        @(Get-PrismNamespace -Database $Db -Status active).Count | Should -Be $active
    }

    It 'removes, renames and restores with history kept' {
        New-PrismNamespace -Name keep -Backend redis -Pattern keyvalue -Database $Db | Out-Null
        Rename-PrismNamespace -Name keep -NewName kept -Database $Db -Confirm:$false
        Remove-PrismNamespace -Name kept -Reason 'gone' -Database $Db -Confirm:$false
        @(Get-PrismNamespace -Database $Db).Count | Should -Be 0
        @(Get-PrismNamespaceHistory -Name kept -IncludeRemoved -Database $Db).Operation | Should -Be @('create', 'rename', 'delete')
        Restore-PrismNamespace -Name kept -Version 1 -Database $Db -Confirm:$false
        (Get-PrismNamespace -Name kept -Database $Db).Status | Should -Be 'active'
    }

    It 'checks the store with Test-PrismConfig, revisions included' {
        Import-PrismYaml $Yaml -Database $Db -Confirm:$false | Out-Null
        Set-PrismNamespace -Name inventory-cache -RateLimitRps 42 -Database $Db
        $report = Test-PrismConfig -Database $Db
        $report.IsHealthy | Should -BeTrue
        $report.SchemaVersion | Should -Be 4
        Invoke-TestPsql 'UPDATE namespace_history SET revision = revision + 10 WHERE id = (SELECT MAX(id) FROM namespace_history)' -Uri $Db | Out-Null
        $broken = Test-PrismConfig -Database $Db
        $broken.IsHealthy | Should -BeFalse
        $broken.Problems -join "`n" | Should -Match 'revisions'
    }

    It 'backs up to a 0600 PrismConfig SQLite file, which restores into SQLite and into another PostgreSQL database' {
        Import-PrismYaml $Yaml -Database $Db -Confirm:$false | Out-Null
        $file = Join-Path $TestDrive 'pg-backup.db'
        Backup-PrismConfig -Database $Db -Destination $file | Out-Null
        if (-not $IsWindows) { (Get-Item $file).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
        (Test-PrismConfig -Database $file).IsHealthy | Should -BeTrue
        $lite = Join-Path $TestDrive 'from-pg.db'
        Restore-PrismConfig -Path $file -Database $lite -Force -Confirm:$false | Out-Null
        $other = New-TestPostgresDatabase
        Restore-PrismConfig -Path $file -Database $other -Force -Confirm:$false | Out-Null
        (Get-PrismNamespace -Database $lite | ForEach-Object { "$($_.Name)@$($_.Version)" }) -join ',' |
            Should -Be ((Get-PrismNamespace -Database $other | ForEach-Object { "$($_.Name)@$($_.Version)" }) -join ',')
        @(Get-PrismNamespace -Database $other).Count | Should -Be 21
    }

    It 'moves a SQLite store into PostgreSQL with the runbook, -WhatIf first' {
        $lite = Join-Path $TestDrive 'host.db'
        Import-PrismYaml $Yaml -Database $lite -Confirm:$false | Out-Null
        Set-PrismNamespace -Name inventory-cache -RateLimitRps 7 -Reason 'before the move' -Database $lite
        $runbook = Join-Path $PSScriptRoot '../examples/runbooks/Move-PrismStoreToPostgres.ps1'
        & $runbook -Source $lite -Target $Db -WhatIf
        { Get-PrismNamespace -Database $Db -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound*'
        $moved = & $runbook -Source $lite -Target $Db -BackupFolder (Join-Path $TestDrive 'move') -Confirm:$false
        $moved.Namespaces | Should -Be 21
        (Get-PrismNamespaceHistory -Name inventory-cache -Database $Db)[-1].Reason | Should -Be 'before the move'
        { & $runbook -Source $lite -Target $Db -Confirm:$false } | Should -Throw '*already holds 21 namespaces*'
    }

    It 'says StoreUnavailable, naming host and port and not the password, when the server cannot be reached' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start()
        $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $err = @(try { Get-PrismNamespace -Database "postgresql://prism:Hunter2Secret@127.0.0.1:$port/prism?connect_timeout=2" -ErrorAction Stop } catch { $_ })
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StoreUnavailable,*'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        "$($err[0]) $($err[0].TargetObject) $($err[0].CategoryInfo)" | Should -Match "127\.0\.0\.1:$port"
        "$($err[0]) $($err[0].TargetObject) $($err[0].CategoryInfo) $($err[0].ErrorDetails)" | Should -Not -Match 'Hunter2Secret'
    }

    It 'says StoreAuthFailed for a wrong password, and masks it' {
        $uri = Get-TestPostgresPasswordUri -Password 'Wr0ngHunter2'
        $err = @(try { Get-PrismNamespace -Database $uri -ErrorAction Stop } catch { $_ })
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StoreAuthFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$($err[0]) $($err[0].TargetObject)" | Should -Not -Match 'Wr0ngHunter2'
    }

    It 'takes the password from PGPASSWORD and never shows one given in the URI' {
        $database = ($Db -split '/')[-1]
        Invoke-TestPsql "GRANT ALL ON DATABASE $database TO $($env:PRISM_TEST_POSTGRES_PASSWORD_USER); ALTER DATABASE $database OWNER TO $($env:PRISM_TEST_POSTGRES_PASSWORD_USER)" | Out-Null
        $port = ([uri]$env:PRISM_TEST_POSTGRES).Port
        $saved = $env:PGPASSWORD
        try {
            $env:PGPASSWORD = $env:PRISM_TEST_POSTGRES_PASSWORD
            New-PrismNamespace -Name via-pgpassword -Backend redis -Pattern keyvalue -Database "postgresql://$($env:PRISM_TEST_POSTGRES_PASSWORD_USER)@127.0.0.1:$port/$database" | Out-Null
        }
        finally { $env:PGPASSWORD = $saved }
        $withPassword = "postgresql://$($env:PRISM_TEST_POSTGRES_PASSWORD_USER):$($env:PRISM_TEST_POSTGRES_PASSWORD)@127.0.0.1:$port/$database"
        $verbose = Set-PrismNamespace -Name via-pgpassword -RateLimitRps 3 -Database $withPassword -Verbose 4>&1 | Out-String
        $verbose | Should -Match '\*\*\*\*\*\*\*\*@127\.0\.0\.1'
        $verbose | Should -Not -Match ([regex]::Escape($env:PRISM_TEST_POSTGRES_PASSWORD))
        $whatIf = Set-PrismNamespace -Name via-pgpassword -RateLimitRps 4 -Database $withPassword -WhatIf 6>&1 | Out-String
        $whatIf | Should -Not -Match ([regex]::Escape($env:PRISM_TEST_POSTGRES_PASSWORD))
        (Get-PrismNamespace -Name via-pgpassword -Database $withPassword).RateLimitRps | Should -Be 3
    }

    It 'does not read a pgpass file others may read, as libpq does not, and says so with the fix' -Skip:$IsWindows {
        $port = ([uri]$env:PRISM_TEST_POSTGRES).Port
        $user = $env:PRISM_TEST_POSTGRES_PASSWORD_USER
        $pgpass = Join-Path $TestDrive 'loose.pgpass'
        [IO.File]::WriteAllText($pgpass, "*:*:*:${user}:$($env:PRISM_TEST_POSTGRES_PASSWORD)`n")
        [IO.File]::SetUnixFileMode($pgpass, 'UserRead, UserWrite, GroupRead, OtherRead')
        $saved = $env:PGPASSWORD, $env:PGPASSFILE
        try {
            $env:PGPASSWORD = $null
            $env:PGPASSFILE = $pgpass
            # Spellings of their own, so each store is opened afresh, not taken from the session's cache.
            $tag = [guid]::NewGuid().ToString('N')
            $refused = @(try { Get-PrismConfigStatus -Database "postgresql://${user}@127.0.0.1:$port/postgres?application_name=$tag" -ErrorAction Stop } catch { $_ })
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'StoreAuthFailed,*'
            "$($refused[0])" | Should -BeLike "*password file '$pgpass' has group or world access*chmod 600 '$pgpass'*"
            # A server that asks no password opens the store; the warning still says the file was passed over, once.
            $trusted = "$Db$(if ($Db.Contains('?')) { '&' } else { '?' })application_name=$tag"
            Initialize-PrismConfig -Database $trusted -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
            $warned = @($warned | Where-Object { "$_" -like '*password file*' })
            $warned.Count | Should -Be 1
            "$warned" | Should -BeLike "The password file '$pgpass' has group or world access, so it was not read*Run chmod 600 '$pgpass'."
            Get-PrismConfigStatus -Database $trusted -WarningVariable again -WarningAction SilentlyContinue | Out-Null
            $again | Should -BeNullOrEmpty
            "$($refused[0]) $warned" | Should -Not -Match ([regex]::Escape($env:PRISM_TEST_POSTGRES_PASSWORD))
        }
        finally { $env:PGPASSWORD, $env:PGPASSFILE = $saved }
    }
}

Describe 'Many writers, many hosts, one PostgreSQL store' -Skip:(-not (Test-PostgresAvailable)) {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot 'reliability/Reliability.psm1') -Force
        $script:ModulePath = Get-PrismTestModulePath
        Import-Module $ModulePath -Force
        $seed = Get-Random -Maximum 1000000
        Write-Host "postgres concurrency: seed $seed"
        $script:Result = Invoke-ConcurrencySuite -ModulePath $ModulePath -WorkFolder (Join-Path $TestDrive 'pg-concurrency') `
            -Writers 4 -Increments 200 -Namespaces 3 -Backups 2 -Seed $seed -Database (New-TestPostgresDatabase)
        $Result | Format-List * | Out-String | Write-Host
    }

    It '4 processes x 200 conditional increments lose no update and leave contiguous versions and revisions' {
        $Result.Problems | Should -BeNullOrEmpty
        $Result.WritesMade | Should -Be 800
        $Result.LostUpdates | Should -Be 0
        $Result.StoreBusy | Should -Be 0
        $Result.RawSqliteLeaks | Should -Be 0
        # 3 creates, then one revision per increment.
        $Result.Revisions | Should -Be 803
        $Result.BackupsVerified | Should -Be 2
    }
}
