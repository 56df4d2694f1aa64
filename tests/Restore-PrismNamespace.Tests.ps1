# Restore-PrismNamespace: roll back to a version as a new version, pipelines from history, errors and -WhatIf.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-TestDb { New-TestStore $Engine $TestDrive }
    function New-Seeded {
        $db = New-TestDb
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -CacheTtlSeconds 300 -Tag prod -BackendConfig @{ password = 'hunter2' } -Database $db | Out-Null
        Set-PrismNamespace orders -CacheTtlSeconds 60 -AddTag eu -Database $db
        Set-PrismNamespace orders -Backend redis -BackendConfig @{ password = 'other' } -Database $db
        $db
    }
}

Describe 'Restore-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'makes the namespace exactly its earlier version, as a new version with a restore entry' {
            $db = New-Seeded
            Restore-PrismNamespace orders -Version 1 -Reason 'bad deploy' -Database $db | Should -BeNullOrEmpty
            $ns = Get-PrismNamespace orders -Database $db
            $ns.Version | Should -Be 4
            $ns.CacheTtlSeconds | Should -Be 300
            $ns.Backend | Should -Be 'postgres'
            $ns.Tags | Should -Be @('prod')
            $ns.BackendConfig.password | Should -Be 'hunter2'
            $last = Get-PrismNamespaceHistory orders -Last 1 -Database $db
            $last.Operation | Should -Be 'restore'
            $last.Reason | Should -Be 'bad deploy'
        }

        It 'takes arrays and wildcards for -Name' {
            $db = New-Seeded
            New-PrismNamespace cache-a -Backend redis -Pattern keyvalue -Database $db | Out-Null
            New-PrismNamespace cache-b -Backend redis -Pattern keyvalue -Database $db | Out-Null
            Set-PrismNamespace cache-* -RateLimitRps 5 -Database $db
            Restore-PrismNamespace cache-* -Version 1 -Database $db
            @(Get-PrismNamespace cache-* -Database $db | Where-Object { $null -ne $_.RateLimitRps }).Count | Should -Be 0
            (Get-PrismNamespace cache-* -Database $db).Version | Should -Be @(3, 3)
            Set-PrismNamespace cache-a, orders -RateLimitRps 6 -Database $db
            Restore-PrismNamespace cache-a, orders -Version 1 -Database $db
            (Get-PrismNamespace orders -Database $db).Backend | Should -Be 'postgres'
            (Get-PrismNamespace cache-a -Database $db).RateLimitRps | Should -BeNullOrEmpty
            Restore-PrismNamespace orders, missing -Version 1 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.RestorePrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'outputs the result with -PassThru' {
            $db = New-Seeded
            $ns = Restore-PrismNamespace orders -Version 2 -PassThru -Database $db
            $ns.GetType().FullName | Should -Be 'PrismConfig.NamespaceConfig'
            $ns.Version | Should -Be 4
            $ns.CacheTtlSeconds | Should -Be 60
            $ns.Backend | Should -Be 'postgres'
            $ns.Tags | Should -Be @('eu', 'prod')
        }

        It 'takes Name and Version from a piped history entry' {
            $db = New-Seeded
            Get-PrismNamespaceHistory orders -Version 1 -Database $db | Restore-PrismNamespace -Database $db
            $ns = Get-PrismNamespace orders -Database $db
            $ns.CacheTtlSeconds | Should -Be 300
            $ns.Version | Should -Be 4
        }

        It 'reports an unknown version as VersionNotFound/ObjectNotFound, changing nothing' {
            $db = New-Seeded
            Restore-PrismNamespace orders -Version 99 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'VersionNotFound,PrismConfig.PowerShell.Commands.RestorePrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'orders'
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 3
        }

        It 'reports an unknown namespace as NamespaceNotFound' {
            $db = New-Seeded
            Restore-PrismNamespace nope -Version 1 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.RestorePrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nope'
        }

        It 'fails a stale -ExpectedVersion with VersionConflict' {
            $db = New-Seeded
            Restore-PrismNamespace orders -Version 1 -ExpectedVersion 2 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'VersionConflict,PrismConfig.PowerShell.Commands.RestorePrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err[0].TargetObject | Should -Be 'orders'
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 3
            (Restore-PrismNamespace orders -Version 1 -ExpectedVersion 3 -PassThru -Database $db).Version | Should -Be 4
        }

        It 'changes nothing under -WhatIf, and masks secrets in its message' {
            $db = New-Seeded
            Restore-PrismNamespace orders -Version 1 -WhatIf -Database $db
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 3
            $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; Restore-PrismNamespace orders -Version 1 -WhatIf -Database '$db'"
            $text = $r.Output -join ' '
            $text | Should -Match 'Restore to version 1: .*Backend redis → postgres'
            $text | Should -Not -Match 'hunter2|other'
            $missing = New-TestDb
            $err = $null
            try { Restore-PrismNamespace orders -Version 1 -WhatIf -Database $missing } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'DatabaseNotFound,*'
            $missing | Should -Not -Exist
        }
    }
}

Describe 'Restore-PrismNamespace on a SQLite file' {
    It 'works with a relative -Database and $PSDefaultParameterValues' {
        $db = New-Seeded
        Push-Location $TestDrive
        try { Restore-PrismNamespace orders -Version 1 -Database (Split-Path $db -Leaf) }
        finally { Pop-Location }
        (Get-PrismNamespace orders -Database $db).Version | Should -Be 4
        $PSDefaultParameterValues['*-Prism*:Database'] = $db
        try { Restore-PrismNamespace orders -Version 3 }
        finally { $PSDefaultParameterValues.Remove('*-Prism*:Database') }
        (Get-PrismNamespace orders -Database $db).Backend | Should -Be 'redis'
    }
}
