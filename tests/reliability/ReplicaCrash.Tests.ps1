# A replica survives its sync being SIGKILLed: 20 kills at random moments while the source takes batch imports; after
# each, the replica is intact and at a whole revision. The long version (200 kills) runs from Invoke-Soak.ps1.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
}

Describe 'Replica crash safety' {
    It 'survives 20 SIGKILLs of Sync-PrismConfig -Continuous with an intact replica at a whole revision' {
        $source = if (Test-PostgresAvailable) { New-TestPostgresDatabase } else { Join-Path $TestDrive 'source.db' }
        New-PrismNamespace seed -Backend redis -Pattern keyvalue -Database $source -WarningAction SilentlyContinue | Out-Null
        $seed = Get-Random -Maximum 1000000
        Write-Host "replica-crash: seed $seed"
        $result = Invoke-ReplicaCrash -Kills 20 -WorkFolder (Join-Path $TestDrive 'replica-crash') -ModulePath (Get-PrismTestModulePath) -Source $source -Seed $seed
        $result.Problems | Should -BeNullOrEmpty
        $result.KillsSurvived | Should -Be 20
        $result.Revision | Should -BeGreaterThan 5
    }
}
