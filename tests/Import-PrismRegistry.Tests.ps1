# Import-PrismRegistry, and what a registry does to every writing cmdlet: refusals, warnings, -Strict.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    $script:Fixtures = Join-Path $PSScriptRoot 'registry-fixtures'
    function script:New-Db {
        New-TestStore $Engine $TestDrive
    }
    function script:New-RegistryDb {
        $db = New-Db
        Import-PrismRegistry $Fixtures -Database $db | Out-Null
        $db
    }
    $script:Source = @{ message_source = @{ backend = 'kafka'; interfaces = 'pubsub_basic' } }
    $script:Group = @{ consumer_group = 'g' }
}

Describe 'Import-PrismRegistry on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'imports a folder in both backend layouts, versioned and audited, and a second import changes nothing' {
            $db = New-Db
            $first = @(Import-PrismRegistry $Fixtures -Database $db -Reason 'load')
            $first.Count | Should -Be 5
            $first.Action | Sort-Object -Unique | Should -Be 'Created'
            ($first | Where-Object Name -EQ 'memstore').Kind | Should -Be 'backend'
            ($first | Where-Object Name -EQ 'consumer').Kind | Should -Be 'pattern'
            (Import-PrismRegistry $Fixtures -Database $db).Action | Sort-Object -Unique | Should -Be 'Unchanged'

            $changed = Join-Path $TestDrive 'memstore.yaml'
            Set-Content $changed "backend: memstore`nimplements: [keyvalue_basic]`n"
            $result = Import-PrismRegistry $changed -Database $db
            $result.Action | Should -Be 'Updated'
            $result.Version | Should -Be 2
            (Get-PrismRegistry memstore -Database $db).Interfaces | Should -Be @('keyvalue_basic')
        }

        It 'keeps keys it does not check' {
            $db = New-RegistryDb
            (Get-PrismRegistry consumer -Database $db).Document.executor | Should -Be 'prism-pattern-consumer:v1.0.0'
            (Get-PrismRegistry postgres -Database $db).Document.metadata.maturity | Should -Be 'alpha'
        }

        It 'refuses a malformed file with file:line:column, and imports nothing' {
            $db = New-Db
            $bad = Join-Path $TestDrive 'bad-pattern.yaml'
            Set-Content $bad "pattern: consumer`nslots:`n  message_source:`n    required_interfaces: 5`n"
            $err = { Import-PrismRegistry $Fixtures, $bad -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'YamlInvalid,PrismConfig.PowerShell.Commands.ImportPrismRegistryCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike "$($bad):4:*required_interfaces is a list of interface names*"
            Test-Path $db | Should -BeFalse
        }

        It 'refuses a missing path with RegistryFileNotFound' {
            $err = { Import-PrismRegistry (Join-Path $TestDrive 'nope') -Database (New-Db) -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'RegistryFileNotFound,PrismConfig.PowerShell.Commands.ImportPrismRegistryCommand'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'previews with -WhatIf and writes nothing' {
            $db = New-Db
            $plan = @(Import-PrismRegistry $Fixtures -Database $db -WhatIf)
            $plan.Count | Should -Be 5
            Test-Path $db | Should -BeFalse
        }

        It 'warns when stored namespaces no longer satisfy the registry, and Test-PrismConfig lists them' {
            $db = New-RegistryDb
            New-PrismNamespace queue-fed -Pattern consumer -Slots @{ message_source = @{ backend = 'rabbitmq'; interfaces = 'queue_basic' } } -Behavior $Group -Database $db | Out-Null
            $planned = Join-Path $TestDrive 'rabbitmq.yaml'
            Set-Content $planned "backend: rabbitmq`nimplements:`n  - { interface: queue_basic, status: planned }`n"
            Import-PrismRegistry $planned -Database $db -WarningVariable warned 3>$null | Out-Null
            $warned[0].Message | Should -BeLike '1 stored namespace(s) do not satisfy the registry now*'
            $report = Test-PrismConfig -Database $db
            $report.IsHealthy | Should -BeFalse
            $report.Problems | Should -Be @("registry: Namespace 'queue-fed', slot 'message_source': backend 'rabbitmq' lists the interface queue_basic as planned, not implemented, and a slot may only use an implemented interface; it implements none; given: queue_basic.")
        }
    }
}

Describe 'Writes against a registry on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'refuses a required slot that is missing, naming namespace, slot, required and given' {
            $db = New-RegistryDb
            $err = { New-PrismNamespace stateless -Pattern consumer -Slots @{ state_store = @{ backend = 'memstore'; interfaces = 'keyvalue_basic' } } -Behavior $Group -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.NewPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.TargetObject | Should -Be 'stateless'
            $err.Exception.Message | Should -Be "Namespace 'stateless', slot 'message_source': pattern 'consumer' requires the slot 'message_source' (pubsub_basic, or instead queue_basic); given the slots: state_store."
            Get-PrismNamespace stateless -Database $db -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'refuses a slot whose backend does not implement its interface, also under -WhatIf' {
            $db = New-RegistryDb
            New-PrismNamespace orders -Pattern consumer -Slots $Source -Behavior $Group -Database $db | Out-Null
            $err = { Set-PrismNamespace orders -Slots @{ state_store = @{ backend = 'memstore'; interfaces = 'keyvalue_basic', 'keyvalue_scan' } } -Database $db -WhatIf -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike "Namespace 'orders', slot 'state_store': backend 'memstore' does not implement the interface keyvalue_scan*"
        }

        It 'refuses a planned interface and says it is planned' {
            $db = New-RegistryDb
            $slots = [ordered]@{ message_source = $Source.message_source; dead_letter_queue = @{ backend = 'postgres'; interfaces = 'queue_basic', 'queue_visibility' } }
            $err = { New-PrismNamespace pg-dlq -Pattern consumer -Slots $slots -Behavior $Group -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.NewPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike "*slot 'dead_letter_queue': backend 'postgres' lists the interface queue_basic as planned, not implemented*"
        }

        It 'accepts an alternative interface' {
            $db = New-RegistryDb
            $ns = New-PrismNamespace queue-fed -Pattern consumer -Slots @{ message_source = @{ backend = 'rabbitmq'; interfaces = 'queue_basic' } } -Behavior $Group -Strict -Database $db -WarningVariable warned
            $ns.Version | Should -Be 1
            $warned | Should -BeNullOrEmpty
        }

        It 'refuses a parameter of the wrong type' {
            $db = New-RegistryDb
            New-PrismNamespace orders -Pattern consumer -Slots $Source -Behavior $Group -Database $db | Out-Null
            $err = { Set-PrismNamespace orders -Behavior @{ consumer_group = 'g'; max_retries = 'many' } -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Be "Namespace 'orders': the behaviour parameter 'max_retries' of pattern 'consumer' must be an integer; given: 'many'."
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 1
        }

        It 'accepts an unknown backend with a warning that suggests a known one; -Strict and PRISM_CONFIG_STRICT=1 refuse it' {
            $db = New-RegistryDb
            New-PrismNamespace orders -Pattern consumer -Slots $Source -Behavior $Group -Database $db | Out-Null
            $typo = @{ message_source = @{ backend = 'kafak'; interfaces = 'pubsub_basic' } }
            $ns = Set-PrismNamespace orders -Slots $typo -Database $db -PassThru -WarningVariable warned 3>$null
            $ns.Version | Should -Be 2
            $warned[0].Message | Should -BeLike "Namespace 'orders': the backend of slot 'message_source' 'kafak' is not defined in the registry. Did you mean 'kafka'?*"

            New-PrismNamespace other -Pattern consumer -Slots $Source -Behavior $Group -Database $db | Out-Null
            $err = { Set-PrismNamespace other -Slots $typo -Strict -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike "*Did you mean 'kafka'?*The write is strict*"

            $env:PRISM_CONFIG_STRICT = '1'
            try {
                $err = { New-PrismNamespace third -Backend memstor -Pattern consumer -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            }
            finally {
                Remove-Item Env:PRISM_CONFIG_STRICT
            }
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.NewPrismNamespaceCommand'
            $err.Exception.Message | Should -BeLike "*the backend 'memstor' is not defined in the registry. Did you mean 'memstore'?*"
            (Get-PrismNamespace other -Database $db).Version | Should -Be 1
        }

        It 'checks Import-PrismYaml, naming the file and line, and rolls back' {
            $db = New-RegistryDb
            $yaml = Join-Path $TestDrive 'ns.yaml'
            Set-Content $yaml @"
namespaces:
  - name: good-one
    pattern: consumer
    slots:
      message_source: { backend: kafka, interfaces: [PubSubInterface] }
    behavior: { consumer_group: g }
  - name: bad-one
    pattern: consumer
    slots:
      message_source: { backend: memstore, interfaces: [keyvalue_basic] }
    behavior: { consumer_group: g }
"@
            $err = { Import-PrismYaml $yaml -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.ImportPrismYamlCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.ErrorDetails.Message | Should -BeLike "$($yaml):7:*Namespace 'bad-one', slot 'message_source': pattern 'consumer' requires the interfaces pubsub_basic*"
            @(Get-PrismNamespace -Database $db).Count | Should -Be 0
        }

        It 'checks Restore-PrismNamespace against the registry as it is now' {
            $db = New-RegistryDb
            New-PrismNamespace orders -Pattern consumer -Slots $Source -Behavior $Group -Database $db | Out-Null
            Set-PrismNamespace orders -Slots @{ message_source = @{ backend = 'rabbitmq'; interfaces = 'queue_basic' } } -Database $db
            $kafka = Join-Path $TestDrive 'kafka.yaml'
            Set-Content $kafka "name: kafka`ninterfaces:`n  stream:`n    - interface: stream_basic`n"
            Import-PrismRegistry $kafka -Database $db 3>$null | Out-Null
            $err = { Restore-PrismNamespace orders -Version 1 -Database $db -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.RestorePrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 2
        }

        It 'shows registry defaults with Get-PrismNamespace -IncludeDefaults and never writes them' {
            $db = New-RegistryDb
            New-PrismNamespace orders -Pattern consumer -Slots $Source -Behavior @{ consumer_group = 'g'; max_retries = 7 } -Database $db | Out-Null
            $ns = Get-PrismNamespace orders -IncludeDefaults -Database $db
            $ns.Defaults.auto_commit | Should -BeTrue
            $ns.Defaults.commit_interval | Should -Be '5s'
            $ns.Defaults.Contains('max_retries') | Should -BeFalse
            $ns.EffectiveBehavior.max_retries | Should -Be 7
            ($ns | Format-List | Out-String) | Should -Match 'Defaults\s+: \{auto_commit=true; commit_interval=5s\}'
            (Get-PrismNamespace orders -Database $db).Behavior.Contains('auto_commit') | Should -BeFalse
            (Get-PrismNamespace orders -Database $db).PSObject.Properties['Defaults'] | Should -BeNullOrEmpty
        }
    }
}
