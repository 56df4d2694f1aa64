# A write whose -ExpectedVersion is stale must fail with VersionConflict even when, by now, it would change nothing.
# Otherwise an optimistic writer is told its change landed when another writer's did: the concurrency suite lost an
# increment this way (800 reported, 799 stored) before the fix.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath) -Force
}

Describe 'A stale -ExpectedVersion on a write that is by now a no-op' {
    BeforeEach {
        $script:Db = Join-Path $TestDrive "stale-$(Get-Random)/config.db"
        New-PrismNamespace -Name stale-check -Backend redis -Pattern keyvalue -RateLimitRps 1 -Database $Db | Out-Null
    }

    It 'Disable-PrismNamespace fails with VersionConflict when someone else already disabled it' {
        Disable-PrismNamespace -Name stale-check -Database $Db
        Disable-PrismNamespace -Name stale-check -ExpectedVersion 1 -Database $Db -ErrorAction SilentlyContinue -ErrorVariable err
        $err.FullyQualifiedErrorId | Should -BeLike 'VersionConflict,*'
        (Get-PrismNamespace -Name stale-check -Database $Db).Version | Should -Be 2
    }

    It 'Enable-PrismNamespace fails with VersionConflict when someone else already enabled it' {
        Disable-PrismNamespace -Name stale-check -Database $Db
        Enable-PrismNamespace -Name stale-check -Database $Db
        Enable-PrismNamespace -Name stale-check -ExpectedVersion 2 -Database $Db -ErrorAction SilentlyContinue -ErrorVariable err
        $err.FullyQualifiedErrorId | Should -BeLike 'VersionConflict,*'
    }

    It 'Set-PrismNamespace fails with VersionConflict when someone else already set the same value' {
        Set-PrismNamespace -Name stale-check -RateLimitRps 2 -ExpectedVersion 1 -Database $Db
        Set-PrismNamespace -Name stale-check -RateLimitRps 2 -ExpectedVersion 1 -Database $Db -ErrorAction SilentlyContinue -ErrorVariable err
        $err.FullyQualifiedErrorId | Should -BeLike 'VersionConflict,*'
    }

    It 'a no-op with the current version still succeeds quietly' {
        Set-PrismNamespace -Name stale-check -RateLimitRps 1 -ExpectedVersion 1 -Database $Db -ErrorAction Stop
        Enable-PrismNamespace -Name stale-check -ExpectedVersion 1 -Database $Db -ErrorAction Stop
        (Get-PrismNamespace -Name stale-check -Database $Db).Version | Should -Be 1
    }
}
