# Get-PrismConfigStatus: a store's engine, schema, revision, epoch and size, on both engines; a replica's freshness is
# in Sync-PrismConfig.Tests.ps1, where replicas are made.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function script:New-Seeded {
        $db = New-TestStore $Engine $TestDrive
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $db -WarningAction SilentlyContinue | Out-Null
        New-PrismNamespace cache -Backend redis -Pattern keyvalue -Database $db | Out-Null
        $db
    }
}

Describe 'Get-PrismConfigStatus on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'reports the engine, schema, revision and size of a store that is not a replica' {
            $db = New-Seeded
            $status = Get-PrismConfigStatus -Database $db
            $status.PSObject.TypeNames[0] | Should -Be 'PrismConfig.ConfigStatus'
            $status.Database | Should -Be $db
            $status.Engine | Should -Be @{ Sqlite = 'SQLite'; Postgres = 'PostgreSQL' }[$Engine]
            $status.SchemaVersion | Should -BeGreaterThan 0
            $status.Namespaces | Should -Be 2
            $status.Revision | Should -Be 2
            $status.Epoch | Should -Match '^[0-9a-f]{32}$'
            $status.IsReplica | Should -BeFalse
            $status.Source | Should -BeNullOrEmpty
            $status.Lag | Should -BeNullOrEmpty
        }

        It 'moves the revision with every commit and not with a no-op, and keeps the epoch' {
            $db = New-Seeded
            $before = Get-PrismConfigStatus -Database $db
            Set-PrismNamespace orders -RateLimitRps 10 -Database $db
            Set-PrismNamespace orders -RateLimitRps 10 -Database $db
            Remove-PrismNamespace cache -Confirm:$false -Database $db
            $after = Get-PrismConfigStatus -Database $db
            $after.Revision | Should -Be ($before.Revision + 2)
            $after.Namespaces | Should -Be 1
            $after.Epoch | Should -Be $before.Epoch
            (Get-PrismNamespaceHistory -Database $db -IncludeRemoved | Measure-Object Revision -Maximum).Maximum | Should -Be $after.Revision
        }

        It 'shows the main facts in its default table' {
            $db = New-Seeded
            $text = Get-PrismConfigStatus -Database $db | Out-String
            $text | Should -Match 'Engine'
            $text | Should -Match 'Revision'
            $text | Should -Match @{ Sqlite = 'SQLite'; Postgres = 'PostgreSQL' }[$Engine]
        }
    }
}

Describe 'Get-PrismConfigStatus on a SQLite file' {
    It 'is a terminating DatabaseNotFound for a missing file, and creates nothing' {
        $missing = Join-Path $TestDrive 'missing.db'
        $err = $null
        try { Get-PrismConfigStatus -Database $missing } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'DatabaseNotFound,PrismConfig.PowerShell.Commands.GetPrismConfigStatusCommand'
        "$($err.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        Test-Path $missing | Should -BeFalse
    }

    It 'reads $env:PRISM_CONFIG_DB when -Database is not given' {
        $db = New-Seeded
        $old = $env:PRISM_CONFIG_DB
        $env:PRISM_CONFIG_DB = $db
        try { (Get-PrismConfigStatus).Database | Should -Be $db }
        finally { $env:PRISM_CONFIG_DB = $old }
    }
}

Describe 'Get-PrismConfigStatus on a PostgreSQL store with a password' -Skip:(-not (Test-PostgresAvailable)) {
    It 'names the store without its password' {
        $name = 'prism_status_' + [guid]::NewGuid().ToString('N')
        Invoke-TestPsql "CREATE DATABASE $name OWNER $($env:PRISM_TEST_POSTGRES_PASSWORD_USER)" | Out-Null
        $uri = Get-TestPostgresPasswordUri -Database $name
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $uri -WarningAction SilentlyContinue | Out-Null
        $status = Get-PrismConfigStatus -Database $uri
        $status.Namespaces | Should -Be 1
        "$status $($status.Database) $($status | Out-String)" | Should -Not -Match ([regex]::Escape($env:PRISM_TEST_POSTGRES_PASSWORD))
        $status.Database | Should -Match "^postgresql://$($env:PRISM_TEST_POSTGRES_PASSWORD_USER)(:\*+)?@127\.0\.0\.1:\d+/$name"
    }
}
