# Concurrency and backup under load, bounded: 4 pwsh processes make 200 optimistic increments each on 3 shared
# namespaces (Get-PrismNamespace, then Set-PrismNamespace -ExpectedVersion, retrying on VersionConflict only) while
# two CPU burners and two 512 MiB fsync loops load the machine, a reader checks every version it sees against its
# history and online backups are taken and verified. The lock timeout is the default: a StoreBusy is a failure.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
    $script:ModulePath = Get-PrismTestModulePath
    Import-Module $ModulePath -Force
}

Describe 'Concurrent writers, readers and backups' {
    BeforeAll {
        $seed = Get-Random -Maximum 1000000
        Write-Host "concurrency: seed $seed"
        $script:Result = Invoke-ConcurrencySuite -ModulePath $ModulePath -WorkFolder (Join-Path $TestDrive 'concurrency') `
            -Writers 4 -Increments 200 -Namespaces 3 -Backups 3 -Seed $seed -UnderLoad
        $Result | Format-List * | Out-String | Write-Host
    }

    It 'loses no update and leaves contiguous history, with no raw SQLite error reaching a writer' {
        $Result.Problems | Where-Object { $_ -notlike 'backup*' -and $_ -notlike 'reader*' } | Should -BeNullOrEmpty
        $Result.WritesMade | Should -Be 800
        $Result.LostUpdates | Should -Be 0
        $Result.RawSqliteLeaks | Should -Be 0
    }

    It 'makes every writer wait for the write lock rather than fail with StoreBusy, and reports each wait' {
        $Result.UnderLoad | Should -BeTrue
        $Result.FsyncRounds | Should -BeGreaterThan 0
        $Result.StoreBusy | Should -Be 0
        $Result.Problems | Where-Object { $_ -match 'BUSY|lock waits reported' } | Should -BeNullOrEmpty
        $Result.LockWaits | Should -Be $Result.WritesMade
    }

    It 'never shows a reader a version without its history row' {
        $Result.Problems | Where-Object { $_ -like 'reader*' } | Should -BeNullOrEmpty
        $Result.Reads | Should -BeGreaterThan 0
    }

    It 'takes backups under load that pass Test-PrismConfig and are each one committed state' {
        $Result.Problems | Where-Object { $_ -like 'backup*' } | Should -BeNullOrEmpty
        $Result.BackupsVerified | Should -Be 3
        $Result.BackupsUnderLoad | Should -BeGreaterThan 0
    }

    AfterAll {
        Write-ReliabilityFigure -Suite 'concurrency' -Text (Format-ConcurrencyFigure $Result)
        Write-ReliabilityFigure -Suite 'backup-under-load' -Text ("{0} backups verified ({1} taken while writers ran): integrity ok, each one committed state" -f
            $Result.BackupsVerified, $Result.BackupsUnderLoad)
    }
}
