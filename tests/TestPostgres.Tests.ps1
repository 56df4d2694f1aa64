# The throwaway PostgreSQL cluster the Test task starts is what the PostgreSQL suites assume it is. Skipped, and
# counted as skipped, where no cluster runs; this file is also the pattern for a PostgreSQL suite.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'The test PostgreSQL cluster' -Skip:(-not (Test-PostgresAvailable)) {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    }

    It 'answers as the postgres superuser and listens on 127.0.0.1 only' {
        Invoke-TestPsql 'SELECT version()' | Should -Match '^PostgreSQL 1\d'
        Invoke-TestPsql 'SHOW listen_addresses' | Should -Be '127.0.0.1'
        Invoke-TestPsql 'SELECT current_user' | Should -Be 'postgres'
        ([uri]$env:PRISM_TEST_POSTGRES).Host | Should -Be '127.0.0.1'
    }

    It 'gives a fresh, empty database to each New-TestPostgresDatabase call' {
        $first = New-TestPostgresDatabase
        $second = New-TestPostgresDatabase
        $first | Should -Not -Be $second
        $first | Should -Match '^postgresql://postgres@127\.0\.0\.1:\d+/prism_pester_[0-9a-f]{32}$'
        Invoke-TestPsql 'SELECT current_database()' -Uri $first | Should -Be ($first -split '/')[-1]
        Invoke-TestPsql 'CREATE TABLE t (x int); INSERT INTO t VALUES (1)' -Uri $first | Out-Null
        Invoke-TestPsql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" -Uri $second | Should -Be '0'
    }

    It 'lets the password role in with its password only' {
        Invoke-TestPsql 'SELECT current_user' -Uri (Get-TestPostgresPasswordUri) | Should -Be $env:PRISM_TEST_POSTGRES_PASSWORD_USER
        { Invoke-TestPsql 'SELECT 1' -Uri (Get-TestPostgresPasswordUri -Password 'wrong') } |
            Should -Throw -ExpectedMessage "*password authentication failed for user `"$env:PRISM_TEST_POSTGRES_PASSWORD_USER`"*"
    }
}
