# Test-PrismConfig: a health report, never an error for an unhealthy file; an error only for a missing one.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force

    function script:New-Db { New-TestStore $Engine $TestDrive }
    function script:New-Yaml([string] $Text) {
        $path = Join-Path $TestDrive ("{0}.yaml" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        [IO.File]::WriteAllText($path, $Text)
        $path
    }
}

Describe 'Test-PrismConfig on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'reports a healthy store with its counts' {
            $db = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 7 -Seed 70)) -Database $db | Out-Null
            Import-PrismYaml (New-Yaml ((New-RandomNamespaceYaml -Count 7 -Seed 70) -replace '(?m)^(\s+backend: )\S+', '${1}redis')) -Database $db | Out-Null
            $report = Test-PrismConfig -Database $db
            $report.GetType().FullName | Should -Be 'PrismConfig.Core.HealthReport'
            $report.Path | Should -Be $db
            $report.IsHealthy | Should -BeTrue
            $report.Problems.Count | Should -Be 0
            $report.SchemaVersion | Should -Be 4
            $report.Namespaces | Should -Be 7
            $report.HistoryEntries | Should -Be @(Get-PrismTestHistory $db).Count
            $report.HistoryEntries | Should -BeGreaterOrEqual 7
        }

        It 'finds a version that disagrees with history after a raw tamper' {
            $db = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 3 -Seed 72)) -Database $db | Out-Null
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
            $victim = ([regex]::Match((Export-PrismYaml -Database $db), '(?m)^  - name: (\S+)')).Groups[1].Value
            Invoke-StoreSql -Database $db -Sql "UPDATE namespaces SET version = version + 5 WHERE name = '$victim'"
            $report = Test-PrismConfig -Database $db
            $report.IsHealthy | Should -BeFalse
            ($report.Problems -join "`n") | Should -Match $victim
        }

        It 'finds a row that breaks validation after a raw tamper' {
            $db = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 2 -Seed 73)) -Database $db | Out-Null
            Invoke-StoreSql -Database $db -Sql "UPDATE namespaces SET backend_config = 'not json' WHERE id = (SELECT MIN(id) FROM namespaces)"
            $report = Test-PrismConfig -Database $db
            $report.IsHealthy | Should -BeFalse
            $report.Problems.Count | Should -BeGreaterThan 0
        }
    }
}

Describe 'Test-PrismConfig and a damaged row on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'names the damaged namespace and how to repair or remove it' {
            $db = New-Db
            New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $db | Out-Null
            New-PrismNamespace users -Backend postgres -Pattern keyvalue -Database $db | Out-Null
            Invoke-StoreSql -Database $db -Sql "UPDATE namespaces SET tags = '[broken' WHERE name = 'users'" -TriggersOff
            $report = Test-PrismConfig -Database $db
            $report.IsHealthy | Should -BeFalse
            $problem = @($report.Problems | Where-Object { $_ -match "'users'" })
            $problem.Count | Should -Be 1
            $problem[0] | Should -Match 'Restore-PrismNamespace -Name users -Version'
            $problem[0] | Should -Match 'Remove-PrismNamespace -Name users'

            # Both repairs work on the damaged row, and the store is healthy again.
            Restore-PrismNamespace users -Version 1 -Database $db -Confirm:$false
            (Get-PrismNamespace users -Database $db).Version | Should -Be 2
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
            Invoke-StoreSql -Database $db -Sql "UPDATE namespaces SET backend_config = '{bad' WHERE name = 'orders'"
            Remove-PrismNamespace orders -Database $db -Confirm:$false
            Get-PrismNamespace -Database $db | ForEach-Object Name | Should -Be 'users'
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
        }
    }
}

Describe 'Test-PrismConfig on a SQLite file' {
    It 'reports random bytes as unhealthy, not as an error, and leaves the file alone' {
        $db = Join-Path $TestDrive 'random.db'
        $bytes = [byte[]]::new(16384); [Random]::new(1).NextBytes($bytes)
        [IO.File]::WriteAllBytes($db, $bytes)
        $hash = (Get-FileHash $db).Hash
        $report = Test-PrismConfig -Database $db -ErrorAction Stop
        $report.IsHealthy | Should -BeFalse
        $report.Path | Should -Be $db
        $report.Problems.Count | Should -BeGreaterThan 0
        $report.Problems[0] | Should -Match 'not a SQLite database|not a usable'
        (Get-FileHash $db).Hash | Should -Be $hash
    }

    It 'reports a SQLite file whose pages are damaged as unhealthy' {
        $db = New-Db
        Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 40 -Seed 71)) -Database $db | Out-Null
        # Copy the (checkpointed) store and scribble over the middle of the copy, keeping the header intact.
        $copy = Join-Path $TestDrive 'damaged.db'
        Backup-PrismConfig -Destination $copy -Database $db | Out-Null
        $bytes = [IO.File]::ReadAllBytes($copy)
        $junk = [byte[]]::new(4096); [Random]::new(2).NextBytes($junk)
        [Array]::Copy($junk, 0, $bytes, 4096, [Math]::Min(4096, $bytes.Length - 4096))
        [IO.File]::WriteAllBytes($copy, $bytes)
        $report = Test-PrismConfig -Database $copy -ErrorAction Stop
        $report.IsHealthy | Should -BeFalse
        $report.Problems.Count | Should -BeGreaterThan 0
    }

    It 'reports a schema newer than this build as unhealthy' {
        $db = New-Db
        Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 1 -Seed 74)) -Database $db | Out-Null
        $copy = Join-Path $TestDrive 'future.db'
        Backup-PrismConfig -Destination $copy -Database $db | Out-Null
        Invoke-RawSql -Database $copy -Sql 'PRAGMA user_version = 99'
        $report = Test-PrismConfig -Database $copy
        $report.IsHealthy | Should -BeFalse
        $report.SchemaVersion | Should -Be 99
        $report.Problems[0] | Should -Match '99'
    }

    It 'is a terminating DatabaseNotFound error for a missing file, and creates nothing' {
        $db = Join-Path $TestDrive 'absent.db'
        $err = { Test-PrismConfig -Database $db } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'DatabaseNotFound,PrismConfig.PowerShell.Commands.TestPrismConfigCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be $db
        $db | Should -Not -Exist
    }
}
