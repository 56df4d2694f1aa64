# Restore-PrismConfig: verified, confirmed, whole-store replacement of either engine's store that first saves what it
# replaces.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force

    function script:New-Db {
        if ($Engine -eq 'Postgres') { return New-TestStore $Engine }
        Join-Path $TestDrive ("r-{0}/config.db" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
    }
    # Where a store's pre-restore backups go: beside a SQLite file, and for PostgreSQL under the user's data folder,
    # which these tests move into $TestDrive.
    function script:Get-PreRestoreFolder([string] $Db) {
        if ($Engine -ne 'Postgres') { return Join-Path (Split-Path $Db) 'backups' }
        $root = Join-Path $env:XDG_DATA_HOME 'PrismConfig/backups'
        $name = ([Uri]$Db).AbsolutePath.Trim('/')
        $found = Get-ChildItem -LiteralPath $root -Directory -Filter "*-$name" -ErrorAction Ignore | Select-Object -First 1
        if ($found) { $found.FullName } else { Join-Path $root "<none for $name>" }
    }
    $script:SavedDataHome = $env:XDG_DATA_HOME
    $env:XDG_DATA_HOME = Join-Path $TestDrive 'data-home'
    function script:New-Yaml([string] $Text) {
        $path = Join-Path $TestDrive ("{0}.yaml" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        [IO.File]::WriteAllText($path, $Text)
        $path
    }
    function script:New-Store([int] $Seed, [int] $Count = 6) {
        $db = New-Db
        Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count $Count -Seed $Seed -Prefix "s$Seed")) -Database $db -WarningAction SilentlyContinue | Out-Null
        $db
    }
}

AfterAll { $env:XDG_DATA_HOME = $SavedDataHome }

Describe 'Restore-PrismConfig into a <Engine> store' -ForEach (Get-TestEngine) {
    Context 'restores' -Skip:$Skip {
        It 'replaces the contents, saves the old state, and restoring that gets the original back' {
            $db = New-Store 1
            $original = Export-PrismYaml -Database $db
            $other = New-Store 2 -Count 9
            $backup = Backup-PrismConfig (Join-Path $TestDrive 'other-backup.db') -Database $other

            $backupHash = (Get-FileHash $backup.FullName).Hash
            $result = Restore-PrismConfig $backup.FullName -Database $db -Force
            (Get-FileHash $backup.FullName).Hash | Should -Be $backupHash -Because 'restoring never changes the backup'
            "$($backup.FullName)-wal" | Should -Not -Exist
            $result.GetType().FullName | Should -Be 'PrismConfig.RestoreResult'
            $result.Path | Should -Be $db
            $result.RestoredFrom | Should -Be $backup.FullName
            $result.Namespaces | Should -Be 9
            $result.PreRestoreBackup | Should -Exist
            (Split-Path $result.PreRestoreBackup -Parent) | Should -Be (Get-PreRestoreFolder $db)
            (Split-Path -Leaf $result.PreRestoreBackup) | Should -Match '^config-pre-restore-\d{8}-\d{6}(-\d+)?\.db$'
            if (-not $IsWindows) {
                [IO.File]::GetUnixFileMode($result.PreRestoreBackup) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
            }
            Export-PrismYaml -Database $db | Should -BeExactly (Export-PrismYaml -Database $other)

            $undo = Restore-PrismConfig $result.PreRestoreBackup -Database $db -Confirm:$false
            $undo.Namespaces | Should -Be 6
            Export-PrismYaml -Database $db | Should -BeExactly $original
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
        }

        It 'takes the backup path from the pipeline' {
            $db = New-Store 3
            $backup = Backup-PrismConfig (Join-Path $TestDrive 'pipe.db') -Database (New-Store 4)
            $result = $backup | Restore-PrismConfig -Database $db -Force
            $result.RestoredFrom | Should -Be $backup.FullName
        }

        It 'restores into a database that does not exist yet (disaster recovery), with no pre-restore backup' {
            $source = New-Store 5
            $backup = Backup-PrismConfig (Join-Path $TestDrive 'dr.db') -Database $source
            $db = New-Db
            $result = Restore-PrismConfig $backup.FullName -Database $db -Force
            $result.PreRestoreBackup | Should -BeNullOrEmpty
            Export-PrismYaml -Database $db | Should -BeExactly (Export-PrismYaml -Database $source)
        }

        It 'changes nothing under -WhatIf' {
            $db = New-Store 6
            $before = Export-PrismYaml -Database $db
            $backup = Backup-PrismConfig (Join-Path $TestDrive 'wi.db') -Database (New-Store 7)
            Restore-PrismConfig $backup.FullName -Database $db -WhatIf | Should -BeNullOrEmpty
            Export-PrismYaml -Database $db | Should -BeExactly $before
            Get-PreRestoreFolder $db | Should -Not -Exist
        }

        It 'refuses a <Case> backup before touching anything' -ForEach @(
            @{ Case = 'random-bytes'; Make = { param($p) $b = [byte[]]::new(8192); [Random]::new(9).NextBytes($b); [IO.File]::WriteAllBytes($p, $b) } }
            @{ Case = 'empty'; Make = { param($p) [IO.File]::WriteAllBytes($p, [byte[]]@()) } }
            @{ Case = 'text'; Make = { param($p) Set-Content $p ('not a database ' * 20) } }
        ) {
            $db = New-Store 8
            $before = Export-PrismYaml -Database $db
            $bad = Join-Path $TestDrive "bad-$Case.db"
            & $Make $bad
            $err = { Restore-PrismConfig $bad -Database $db -Force } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            $err.TargetObject | Should -Be $bad
            Export-PrismYaml -Database $db | Should -BeExactly $before
            Get-PreRestoreFolder $db | Should -Not -Exist
        }

        It 'refuses a backup with a newer schema' {
            $db = New-Store 10
            $before = Export-PrismYaml -Database $db
            $future = Join-Path $TestDrive 'future-restore.db'
            Backup-PrismConfig $future -Database (New-Store 11) | Out-Null
            Invoke-RawSql -Database $future -Sql 'PRAGMA user_version = 42'
            $err = { Restore-PrismConfig $future -Database $db -Force } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'SchemaTooNew,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
            Export-PrismYaml -Database $db | Should -BeExactly $before
        }

        It 'reports a missing backup as ObjectNotFound' {
            $db = New-Store 12
            $err = { Restore-PrismConfig (Join-Path $TestDrive 'nope.db') -Database $db -Force } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'BackupNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

    }
}

Describe 'Restore-PrismConfig keeps the audit trail on <Engine>' -ForEach (Get-TestEngine) {
    Context 'audit' -Skip:$Skip {
        It 'records a restore row naming the backup''s path and time, and keeps the history written after the backup' {
            $db = New-Db
            New-PrismNamespace orders -Backend postgres -Pattern keyvalue -CacheTtlSeconds 300 -Database $db | Out-Null
            $backup = Backup-PrismConfig (Join-Path $TestDrive "audit-$([guid]::NewGuid().ToString('N')).db") -Database $db
            Set-PrismNamespace orders -CacheTtlSeconds 60 -Reason 'after the backup' -Database $db
            New-PrismNamespace late -Backend redis -Pattern keyvalue -Database $db | Out-Null

            $result = Restore-PrismConfig $backup.FullName -Database $db -Force
            $result.HistoryKept | Should -Be 2
            $result.NamespacesRestored | Should -Be 1
            $result.NamespacesRemoved | Should -Be 1
            $result.BackupTakenAt | Should -Be ([DateTimeOffset]::new($backup.LastWriteTimeUtc, [TimeSpan]::Zero))

            $ns = Get-PrismNamespace orders -Database $db
            $ns.CacheTtlSeconds | Should -Be 300
            $ns.Version | Should -Be 3
            $h = @(Get-PrismNamespaceHistory orders -Database $db)
            $h.Operation | Should -Be @('create', 'update', 'restore')
            $h[1].Reason | Should -Be 'after the backup'
            $h[2].Reason | Should -Match ([regex]::Escape($backup.FullName))
            $h[2].Reason | Should -Match 'taken \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ'
            ($h[2].Changes | Where-Object Property -EQ CacheTtlSeconds).NewValue | Should -Be 300

            # A namespace made after the backup is kept as removed, with its history, and can be brought back.
            Get-PrismNamespace late -Database $db -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-PrismNamespaceHistory late -IncludeRemoved -Database $db).Operation | Should -Be @('create', 'delete')
            Restore-PrismNamespace late -Version 1 -Database $db
            (Get-PrismNamespace late -Database $db).Status | Should -Be 'active'
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
        }
    }
}

Describe 'Restore-PrismConfig' {
    It 'is ConfirmImpact High' {
        $info = Get-Command Restore-PrismConfig
        $attr = $info.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attr.ConfirmImpact | Should -Be 'High'
        $attr.SupportsShouldProcess | Should -BeTrue
    }

    It 'refuses when the live database is corrupt, never overwriting it' {
        $Engine = 'Sqlite'
        $db = Join-Path $TestDrive 'live-corrupt.db'
        $b = [byte[]]::new(4096); [Random]::new(4).NextBytes($b); [IO.File]::WriteAllBytes($db, $b)
        $hash = (Get-FileHash $db).Hash
        $backup = Backup-PrismConfig (Join-Path $TestDrive 'good-for-corrupt.db') -Database (New-Store 13)
        $err = { Restore-PrismConfig $backup.FullName -Database $db -Force } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $db
        (Get-FileHash $db).Hash | Should -Be $hash
    }
}
