# Rename-PrismNamespace: audited, with the whole history moving to the new name.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function script:New-Db {
        $db = New-TestStore $Engine $TestDrive
        New-PrismNamespace -Name user-profile -Backend postgres -Pattern keyvalue -Database $db | Out-Null
        Set-PrismNamespace user-profile -RateLimitRps 9 -Database $db
        New-PrismNamespace -Name taken -Backend redis -Pattern keyvalue -Database $db | Out-Null
        $db
    }
}

Describe 'Rename-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'renames, records a rename row, and keeps the history under the new name' {
            $db = New-Db
            $renamed = Rename-PrismNamespace user-profile user-profiles -Reason 'typo' -Database $db -PassThru
            $renamed.Name | Should -Be 'user-profiles'
            $renamed.Version | Should -Be 3
            $renamed.RateLimitRps | Should -Be 9
            Get-PrismNamespace user-profile -Database $db -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $history = @(Get-PrismNamespaceHistory user-profiles -Database $db)
            $history.Operation | Should -Be @('create', 'update', 'rename')
            $history[-1].Reason | Should -Be 'typo'
            $history[-1].Changes.Property | Should -Contain 'Name'
            (Restore-PrismNamespace user-profiles -Version 1 -Database $db -PassThru).RateLimitRps | Should -BeNullOrEmpty
        }

        It 'refuses a name that is taken with NamespaceExists, and an invalid one with ValidationFailed' {
            $db = New-Db
            $err = { Rename-PrismNamespace user-profile taken -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'NamespaceExists,PrismConfig.PowerShell.Commands.RenamePrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err = { Rename-PrismNamespace user-profile 'Bad Name!' -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.RenamePrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            (Get-PrismNamespace user-profile -Database $db).Version | Should -Be 2
        }

        It 'reports a missing namespace as NamespaceNotFound and a stale -ExpectedVersion as VersionConflict' {
            $db = New-Db
            $err = { Rename-PrismNamespace ghost ghost-2 -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.RenamePrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err = { Rename-PrismNamespace user-profile fresh-name -ExpectedVersion 1 -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'VersionConflict,PrismConfig.PowerShell.Commands.RenamePrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        }

        It 'changes nothing under -WhatIf' {
            $db = New-Db
            Rename-PrismNamespace user-profile other-name -Database $db -WhatIf
            (Get-PrismNamespace user-profile -Database $db).Version | Should -Be 2
        }

        It 'says the database is missing, not the namespace, and creates no file' {
            $missing = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
            $err = $null
            try { Rename-PrismNamespace orders orders-v2 -Database $missing } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'DatabaseNotFound,PrismConfig.PowerShell.Commands.RenamePrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            "$err" | Should -Match ([regex]::Escape($missing))
            $missing | Should -Not -Exist
        }
    }
}
