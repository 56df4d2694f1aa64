# Remove-PrismNamespace: a soft delete with a 'delete' history row; the ADR's queries and reading cmdlets stop
# returning it, its history stays readable, Restore brings it back and New can reuse the name.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force
    function script:New-Db {
        $db = New-TestStore $Engine $TestDrive
        New-PrismNamespace -Name orders -Backend postgres -Pattern keyvalue -RateLimitRps 5 -Database $db | Out-Null
        New-PrismNamespace -Name carts -Backend postgres -Pattern keyvalue -Database $db | Out-Null
        $db
    }
}

Describe 'Remove-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'is High impact, so it asks by default' {
            (Get-Command Remove-PrismNamespace).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
                Should -Be 'High'
        }

        It 'records a delete row with the reason, and the ADR queries and reading cmdlets stop returning it' {
            $db = New-Db
            Remove-PrismNamespace orders -Reason 'decommissioned' -Database $db -Confirm:$false
            Get-PrismNamespace orders -Database $db -ErrorAction SilentlyContinue -ErrorVariable missing | Should -BeNullOrEmpty
            $missing[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
            @(Get-PrismNamespace -Database $db).Name | Should -Be @('carts')
            Export-PrismYaml -Database $db | Should -Not -Match 'orders'
            Invoke-StoreSql -Database $db -Scalar -Sql "SELECT COUNT(*) FROM namespaces WHERE name = 'orders' AND status = 'active'" | Should -Be 0
            Invoke-StoreSql -Database $db -Scalar -Sql "SELECT COUNT(*) FROM namespaces WHERE backend = 'postgres' AND status = 'active'" | Should -Be 1
            $history = @(Get-PrismNamespaceHistory orders -IncludeRemoved -Database $db)
            $history.Operation | Should -Be @('create', 'delete')
            $history[-1].Reason | Should -Be 'decommissioned'
            $history[-1].Version | Should -Be 2
            Get-PrismNamespaceHistory -Database $db | Where-Object Name -eq orders | Should -BeNullOrEmpty
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
        }

        It 'lets New reuse the name, and Restore bring the removed one back as a new version' {
            $db = New-Db
            Remove-PrismNamespace orders -Database $db -Confirm:$false
            $again = New-PrismNamespace -Name orders -Backend redis -Pattern keyvalue -Database $db
            $again.Version | Should -Be 1
            # The live namespace now holds the name: its versions, not the removed one's, are what Restore sees.
            $err = { Restore-PrismNamespace orders -Version 2 -Database $db -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'VersionNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'

            Remove-PrismNamespace carts -Database $db -Confirm:$false
            $back = Restore-PrismNamespace carts -Version 1 -Database $db -Confirm:$false -PassThru
            $back.Version | Should -Be 3
            $back.Status | Should -Be 'active'
            (Get-PrismNamespaceHistory carts -Database $db).Operation | Should -Be @('create', 'delete', 'restore')
        }

        It 'takes arrays and wildcards, and reports a missing literal name as a non-terminating NamespaceNotFound' {
            $db = New-Db
            Remove-PrismNamespace 'ord*', 'nope' -Database $db -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
            $errs[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.RemovePrismNamespaceCommand'
            $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            @(Get-PrismNamespace -Database $db).Name | Should -Be @('carts')
        }

        It 'refuses a stale -ExpectedVersion with VersionConflict and removes nothing' {
            $db = New-Db
            Remove-PrismNamespace orders -ExpectedVersion 7 -Database $db -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
            $errs[0].FullyQualifiedErrorId | Should -Be 'VersionConflict,PrismConfig.PowerShell.Commands.RemovePrismNamespaceCommand'
            $errs[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 1
        }

        It 'removes nothing under -WhatIf' {
            $db = New-Db
            Remove-PrismNamespace * -Database $db -WhatIf
            @(Get-PrismNamespace -Database $db).Count | Should -Be 2
        }

        It 'says the database is missing, not the namespace, and creates no file' {
            $missing = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
            $err = $null
            try { Remove-PrismNamespace orders -Database $missing -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'DatabaseNotFound,PrismConfig.PowerShell.Commands.RemovePrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            "$err" | Should -Match ([regex]::Escape($missing))
            $missing | Should -Not -Exist
        }
    }
}
