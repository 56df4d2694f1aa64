# Get-PrismRegistry: the definitions a store checks namespaces against, on both engines.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
}

Describe 'Get-PrismRegistry on <Engine>' -ForEach (Get-TestEngine) {
    Context 'reading the registry' -Skip:$Skip {
        BeforeAll {
            # The tests only read it, so one store per engine is enough; without a cluster there is none to create.
            if (-not $Skip) {
                $script:Db = New-TestStore $Engine $TestDrive
                Import-PrismRegistry (Join-Path $PSScriptRoot 'registry-fixtures') -Database $Db | Out-Null
            }
        }

        It 'lists every definition sorted by kind and name' {
            $all = @(Get-PrismRegistry -Database $Db)
            ($all | ForEach-Object { "$($_.Kind):$($_.Name)" }) | Should -Be @('backend:kafka', 'backend:memstore', 'backend:postgres', 'backend:rabbitmq', 'pattern:consumer')
            $all[0].PSObject.TypeNames[0] | Should -Be 'PrismConfig.RegistryDefinition'
        }

        It 'filters by kind and wildcard, and reports implemented and planned interfaces' {
            (Get-PrismRegistry -Kind Pattern -Database $Db).Name | Should -Be 'consumer'
            (Get-PrismRegistry 'p*' -Database $Db).Name | Should -Be 'postgres'
            $pg = Get-PrismRegistry postgres -Database $Db
            $pg.Interfaces | Should -Be @('keyvalue_basic', 'keyvalue_scan')
            $pg.PlannedInterfaces | Should -Be @('queue_basic', 'queue_visibility')
            (Get-PrismRegistry consumer -Database $Db).Slots | Should -Be @('dead_letter_queue?', 'message_source', 'state_store?')
            # Piped as strings and by property name, as Get-PrismNamespace takes them.
            ('postgres', 'consumer' | Get-PrismRegistry -Database $Db).Name | Should -Be @('postgres', 'consumer')
            ([pscustomobject]@{ Name = 'kafka' } | Get-PrismRegistry -Database $Db).Name | Should -Be 'kafka'
            (Get-PrismRegistry -Database $Db | Format-Table | Out-String) | Should -Match 'keyvalue_basic, keyvalue_scan \(\+2 planned\)'
        }

        It 'reports a literal name that is not defined as RegistryDefinitionNotFound' {
            $err = { Get-PrismRegistry mongodb -Database $Db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'RegistryDefinitionNotFound,PrismConfig.PowerShell.Commands.GetPrismRegistryCommand'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.TargetObject | Should -Be 'mongodb'
        }

        It 'lists nothing for a store with no registry' {
            $plain = New-TestStore $Engine $TestDrive
            New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $plain | Out-Null
            Get-PrismRegistry -Database $plain | Should -BeNullOrEmpty
        }
    }
}

Describe 'Get-PrismRegistry on a SQLite file' {
    It 'says DatabaseNotFound for a missing file' {
        $err = { Get-PrismRegistry -Database (Join-Path $TestDrive 'missing.db') -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'DatabaseNotFound,PrismConfig.PowerShell.Commands.GetPrismRegistryCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
