# Crash safety, bounded: a worker writes through Core (create, update, restore, enable/disable, import) and is
# SIGKILLed at random moments; after every kill the store must be intact and hold every write it reported committed.
# The long version runs from Invoke-Soak.ps1 (./build.ps1 -Task Soak).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
}

Describe 'Crash safety' {
    It 'survives 30 kills with an intact store that holds every committed write' {
        $seed = Get-Random -Maximum 1000000
        Write-Host "crash-safety: seed $seed"
        $result = Invoke-CrashSafety -Kills 30 -WorkFolder (Join-Path $TestDrive 'crash') -Seed $seed
        $result.Problems | Should -BeNullOrEmpty -Because "seed $seed"
        $result.KillsSurvived | Should -Be 30
        $result.CreationKillsSurvived | Should -Be 5
        $result.CommittedWritesVerified | Should -BeGreaterThan 30
        Write-ReliabilityFigure -Suite 'crash-safety' -Text ("{0} kills survived, {1} committed writes verified, {6} kills during store creation survived ({2} namespaces, {3} history rows, seed {4}, {5} s)" -f
            $result.KillsSurvived, $result.CommittedWritesVerified, $result.Namespaces, $result.HistoryRows, $result.Seed, $result.Seconds, $result.CreationKillsSurvived)
    }
}
