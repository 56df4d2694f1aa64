# Set-PrismNamespace: partial changes, tags and features, no-op, optimistic concurrency, pipelines and -WhatIf.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-TestDb { New-TestStore $Engine $TestDrive }
    function New-Seeded {
        $db = New-TestDb
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -CacheTtlSeconds 300 -Tag prod, eu -Feature @{ shadow = $true; audit = $false } -BackendConfig @{ host = 'db1'; password = 'hunter2' } -Database $db | Out-Null
        New-PrismNamespace cache-a -Backend redis -Pattern keyvalue -Tag dev -Database $db | Out-Null
        New-PrismNamespace cache-b -Backend redis -Pattern keyvalue -Database $db | Out-Null
        $db
    }
}

Describe 'Set-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'changes only the given fields, bumps the version and records one history entry' {
            $db = New-Seeded
            $ns = Set-PrismNamespace orders -CacheTtlSeconds 60 -Description 'Order store' -Reason 'tune' -Database $db -PassThru
            $ns.CacheTtlSeconds | Should -Be 60
            $ns.Description | Should -Be 'Order store'
            $ns.Version | Should -Be 2
            $ns.Backend | Should -Be 'postgres'
            $ns.Tags | Should -Be @('eu', 'prod')
            $ns.BackendConfig.password | Should -Be 'hunter2'
            $h = Get-PrismNamespaceHistory orders -Database $db
            $h.Count | Should -Be 2
            $h[1].Operation | Should -Be 'update'
            $h[1].Reason | Should -Be 'tune'
            ($h[1].Changes.Property | Sort-Object) | Should -Be @('CacheTtlSeconds', 'Description')
        }

        It 'outputs nothing without -PassThru' {
            $db = New-Seeded
            Set-PrismNamespace orders -RateLimitRps 10 -Database $db | Should -BeNullOrEmpty
            (Get-PrismNamespace orders -Database $db).RateLimitRps | Should -Be 10
        }

        It 'replaces, adds and removes tags; sets and removes features; replaces BackendConfig; sets the connection string' {
            $db = New-Seeded
            (Set-PrismNamespace orders -AddTag critical -RemoveTag eu -Database $db -PassThru).Tags | Should -Be @('critical', 'prod')
            (Set-PrismNamespace orders -Tag a, b -Database $db -PassThru).Tags | Should -Be @('a', 'b')
            $ns = Set-PrismNamespace orders -Feature @{ audit = $true; canary = $true } -RemoveFeature shadow -Database $db -PassThru
            $ns.Features.audit | Should -BeTrue
            $ns.Features.canary | Should -BeTrue
            $ns.Features.ContainsKey('shadow') | Should -BeFalse
            $ns = Set-PrismNamespace orders -BackendConfig @{ host = 'db2' } -ConnectionString 'postgres://app:pw@db2/orders' -Database $db -PassThru
            $ns.BackendConfig.host | Should -Be 'db2'
            $ns.BackendConfig.ContainsKey('password') | Should -BeFalse
            $ns.BackendConfig.connection_string | Should -Be 'postgres://app:pw@db2/orders'
        }

        It 'writes nothing for a change to the current values and keeps the version (and says so with -Verbose)' {
            $db = New-Seeded
            $verbose = Set-PrismNamespace orders -CacheTtlSeconds 300 -Tag prod, eu -Database $db -Verbose 4>&1 | Out-String
            $verbose | Should -Match 'stays at version 1'
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 1
            @(Get-PrismNamespaceHistory orders -Database $db).Count | Should -Be 1
            (Set-PrismNamespace orders -CacheTtlSeconds 300 -Database $db -PassThru).Version | Should -Be 1
        }

        It 'fails a stale -ExpectedVersion with VersionConflict naming both versions, changing nothing' {
            $db = New-Seeded
            Set-PrismNamespace orders -CacheTtlSeconds 1 -Database $db
            Set-PrismNamespace orders -CacheTtlSeconds 2 -ExpectedVersion 1 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'VersionConflict,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err[0].TargetObject | Should -Be 'orders'
            $err[0].Exception.Message | Should -Match 'version 2'
            $err[0].Exception.Message | Should -Match 'not version 1'
            $ns = Get-PrismNamespace orders -Database $db
            $ns.CacheTtlSeconds | Should -Be 1
            $ns.Version | Should -Be 2
            (Set-PrismNamespace orders -CacheTtlSeconds 3 -ExpectedVersion 2 -Database $db -PassThru).Version | Should -Be 3
        }

        It 'detects a change made by another process since the read' {
            $db = New-Seeded
            $read = Get-PrismNamespace orders -Database $db
            $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; Set-PrismNamespace orders -CacheTtlSeconds 7 -Database '$db'"
            $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
            Set-PrismNamespace orders -CacheTtlSeconds 8 -ExpectedVersion $read.Version -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'VersionConflict,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            (Get-PrismNamespace orders -Database $db).CacheTtlSeconds | Should -Be 7
        }

        It 'reports a missing namespace as ObjectNotFound and goes on with the pipeline' {
            $db = New-Seeded
            'nope', 'cache-a' | Set-PrismNamespace -CacheTtlSeconds 5 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nope'
            (Get-PrismNamespace cache-a -Database $db).CacheTtlSeconds | Should -Be 5
        }

        It 'reports invalid values as ValidationFailed/InvalidArgument naming the field' {
            $db = New-Seeded
            Set-PrismNamespace orders -Consistency sometimes -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be 'orders'
            $err[0].Exception.Message | Should -Match "'consistency'"
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 1
        }

        It 'takes only Name from piped namespaces: Get -Backend redis | Set -CacheTtlSeconds 60' {
            $db = New-Seeded
            Get-PrismNamespace -Backend redis -Database $db | Set-PrismNamespace -CacheTtlSeconds 60 -Database $db
            $all = Get-PrismNamespace -Database $db
            ($all | Where-Object Backend -EQ redis).CacheTtlSeconds | Should -Be @(60, 60)
            ($all | Where-Object Backend -EQ redis).Version | Should -Be @(2, 2)
            ($all | Where-Object Name -EQ cache-a).Tags | Should -Be @('dev')
            (Get-PrismNamespace orders -Database $db).CacheTtlSeconds | Should -Be 300
            $h = Get-PrismNamespaceHistory cache-a -Database $db
            $h[-1].Changes.Property | Should -Be @('CacheTtlSeconds')
        }

        It 'applies the edits made on a piped namespace, with its Version as the expected version' {
            $db = New-Seeded
            $n = Get-PrismNamespace orders -Database $db
            $n.RateLimitRps = 42
            $n.Tags = @('prod', 'eu', 'critical')
            $n.BackendConfig.host = 'db9'
            $n | Set-PrismNamespace -Reason 'edit in place' -Database $db
            $now = Get-PrismNamespace orders -Database $db
            $now.RateLimitRps | Should -Be 42
            $now.Tags | Should -Be @('critical', 'eu', 'prod')
            $now.BackendConfig.host | Should -Be 'db9'
            $now.BackendConfig.password | Should -Be 'hunter2'
            $now.CacheTtlSeconds | Should -Be 300
            $now.Version | Should -Be 2
            $h = Get-PrismNamespaceHistory orders -Version 2 -Database $db
            ($h.Changes.Property | Sort-Object) | Should -Be @('BackendConfig.host', 'RateLimitRps', 'Tags')
            $h.Reason | Should -Be 'edit in place'

            # An edit to null clears an optional number.
            $now.CacheTtlSeconds = $null
            ($now | Set-PrismNamespace -Database $db -PassThru).CacheTtlSeconds | Should -BeNullOrEmpty
            Set-PrismNamespace -InputObject (Get-PrismNamespace orders -Database $db) -RateLimitRps 7 -Database $db
            (Get-PrismNamespace orders -Database $db).RateLimitRps | Should -Be 7
        }

        It 'refuses a stale piped namespace with VersionConflict, changing nothing' {
            $db = New-Seeded
            $stale = Get-PrismNamespace orders -Database $db
            Set-PrismNamespace orders -CacheTtlSeconds 1 -Database $db
            $stale.RateLimitRps = 42
            $stale | Set-PrismNamespace -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'VersionConflict,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $now = Get-PrismNamespace orders -Database $db
            $now.RateLimitRps | Should -BeNullOrEmpty
            $now.CacheTtlSeconds | Should -Be 1
            $now.Version | Should -Be 2
            # A name alone (not the object) still takes no expected version.
            $stale.Name | Set-PrismNamespace -RateLimitRps 5 -Database $db
            (Get-PrismNamespace orders -Database $db).RateLimitRps | Should -Be 5
        }

        It 'refuses a call with neither -Name nor a piped namespace' {
            $db = New-Seeded
            $err = $null
            try { Set-PrismNamespace -RateLimitRps 1 -Database $db } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'NameRequired,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'takes arrays and wildcards for -Name' {
            $db = New-Seeded
            Set-PrismNamespace cache-* -RateLimitRps 9 -Database $db
            Set-PrismNamespace orders, cache-a -Description 'both' -Database $db
            $all = Get-PrismNamespace -Database $db
            ($all | Where-Object Name -Like 'cache-*').RateLimitRps | Should -Be @(9, 9)
            ($all | Where-Object Description -EQ 'both').Name | Should -Be @('cache-a', 'orders')
            Set-PrismNamespace nothing-* -RateLimitRps 1 -Database $db -ErrorVariable err
            $err | Should -BeNullOrEmpty
            Set-PrismNamespace orders, missing -RateLimitRps 3 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            (Get-PrismNamespace orders -Database $db).RateLimitRps | Should -Be 3
        }

        It 'merges -BackendConfigUpdate and removes -RemoveBackendConfigKey, keeping other keys' {
            $db = New-Seeded
            $ns = Set-PrismNamespace orders -BackendConfigUpdate @{ port = 5432; host = 'db2' } -Database $db -PassThru
            $ns.BackendConfig.host | Should -Be 'db2'
            $ns.BackendConfig.port | Should -Be 5432
            $ns.BackendConfig.password | Should -Be 'hunter2'
            $ns = Set-PrismNamespace orders -RemoveBackendConfigKey password -Database $db -PassThru
            $ns.BackendConfig.ContainsKey('password') | Should -BeFalse
            ($ns.BackendConfig.Keys | Sort-Object) | Should -Be @('host', 'port')
            (Get-PrismNamespaceHistory orders -Version 3 -Database $db).Changes.Property | Should -Be @('BackendConfig.password')
        }

        It 'applies key edits of a namespace with slots to its first slot, whose config backend_config is' {
            $db = New-TestDb
            New-PrismNamespace payments -Pattern keyvalue -Slots ([ordered]@{
                    state_store = @{ backend = 'postgres'; interfaces = 'keyvalue_basic'; config = @{ table = 'state'; password = 'pw' } }
                    queue       = @{ backend = 'kafka'; interfaces = 'queue_basic'; config = @{ topic = 't' } }
                }) -Database $db | Out-Null
            $ns = Set-PrismNamespace payments -BackendConfigUpdate @{ table = 'state2' } -RemoveBackendConfigKey password -Database $db -PassThru
            $ns.Slots['state_store'].Config.table | Should -Be 'state2'
            $ns.Slots['state_store'].Config.ContainsKey('password') | Should -BeFalse
            $ns.BackendConfig.table | Should -Be 'state2'
            $ns.Slots['queue'].Config.topic | Should -Be 't'
            # A whole replacement would drop the slot's other keys unseen, so it stays refused.
            Set-PrismNamespace payments -BackendConfig @{ table = 'x' } -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'stores hashtables and PSCustomObjects inside config values as mappings, and dates as ISO 8601' {
            $db = New-Seeded
            $when = [datetime]::new(2026, 3, 4, 5, 6, 7, [DateTimeKind]::Utc)
            $ns = Set-PrismNamespace orders -BackendConfigUpdate @{
                pool    = [pscustomobject]@{ min = 1; max = 8; inner = [pscustomobject]@{ a = 'b' } }
                retry   = @{ count = 3 }
                rotated = $when
            } -Database $db -PassThru
            $ns.BackendConfig.pool.max | Should -Be 8
            $ns.BackendConfig.pool.inner.a | Should -Be 'b'
            $ns.BackendConfig.retry.count | Should -Be 3
            $ns.BackendConfig.rotated | Should -Be '2026-03-04T05:06:07.0000000Z'
            $json = Get-PrismNamespace orders -Database $db | Export-PrismYaml -IncludeSecrets
            $json | Should -Match 'max: 8'
            $ns = Set-PrismNamespace orders -BackendConfig ([pscustomobject]@{ host = 'h'; nested = [pscustomobject]@{ x = 1 } }) -Database $db -PassThru
            $ns.BackendConfig.nested.x | Should -Be 1
        }

        It 'changes nothing under -WhatIf and creates no file for a missing database' {
            $db = New-Seeded
            Set-PrismNamespace orders -CacheTtlSeconds 1 -Database $db -WhatIf
            (Get-PrismNamespace orders -Database $db).CacheTtlSeconds | Should -Be 300
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 1

            $missing = New-TestDb
            $err = $null
            try { Set-PrismNamespace orders -CacheTtlSeconds 1 -Database $missing -WhatIf } catch { $err = $_ }
            # A mistyped -Database is reported as the missing database it is, not as a missing namespace.
            $err.FullyQualifiedErrorId | Should -Be 'DatabaseNotFound,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            "$err" | Should -BeLike "*$missing*"
            $missing | Should -Not -Exist
        }

        It 'names the namespace and the masked change in the ShouldProcess text' {
            $db = New-Seeded
            $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; Set-PrismNamespace orders -CacheTtlSeconds 60 -AddTag x -BackendConfig @{ host = 'db1'; password = 'newsecret' } -Database '$db' -WhatIf"
            $text = $r.Output -join ' '
            $text | Should -Match "Set CacheTtlSeconds 300 → 60"
            $text | Should -Match 'add tag x'
            $text | Should -Match 'BackendConfig.password \*{8} → \*{8}'
            $text | Should -Match "Namespace 'orders' in $([regex]::Escape($db))"
            $text | Should -Not -Match 'hunter2|newsecret'
        }

        It 'completes -Name from the database in use' {
            $db = New-Seeded
            $line = "Set-PrismNamespace -Database '$db' -Name cache"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('cache-a', 'cache-b')
        }

        It 'clears RateLimitRps and CacheTtlSeconds with -Clear, and refuses a field that cannot be cleared' {
            $db = New-Seeded
            Set-PrismNamespace orders -RateLimitRps 9 -CacheTtlSeconds 30 -Database $db
            $cleared = Set-PrismNamespace orders -Clear RateLimitRps, CacheTtlSeconds -Database $db -PassThru
            $cleared.RateLimitRps | Should -BeNullOrEmpty
            $cleared.CacheTtlSeconds | Should -BeNullOrEmpty
            (Get-PrismNamespaceHistory orders -Database $db -Last 1).Changes.Property | Should -Be @('CacheTtlSeconds', 'RateLimitRps')
            $err = { Set-PrismNamespace orders -Clear Backend -Database $db } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'ParameterArgumentValidationError,PrismConfig.PowerShell.Commands.SetPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
        }
    }
}

Describe 'Set-PrismNamespace on a slot namespace, <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'replaces a slot, removes one, records field-level changes and masks them' {
            $db = Join-Path $TestDrive 'slots-set.db'
            New-PrismNamespace payments -Pattern consumer -Slots ([ordered]@{
                    message_source    = @{ backend = 'kafka'; interfaces = 'pubsub_basic' }
                    state_store       = @{ backend = 'postgres'; interfaces = 'keyvalue_basic'; config = @{ table = 'state'; password = 'pw1' } }
                    dead_letter_queue = @{ backend = 'postgres'; interfaces = 'queue_basic' }
                }) -Database $db | Out-Null
            $verbose = Set-PrismNamespace payments -Slots @{ state_store = @{ backend = 'postgres'; interfaces = 'keyvalue_basic'; config = @{ table = 'state2'; password = 'pw2' } } } -RemoveSlot dead_letter_queue -PatternVersion v2 -Behavior @{ max_retries = 3 } -ExpectedVersion 1 -Database $db -Verbose 4>&1 | Out-String
            $verbose | Should -Not -Match 'pw2'
            $ns = Get-PrismNamespace payments -Database $db
            $ns.Version | Should -Be 2
            @($ns.Slots.Keys) | Should -Be @('message_source', 'state_store')
            $changes = (Get-PrismNamespaceHistory payments -Version 2 -Database $db).Changes.Property
            $changes | Should -Contain 'Slots.state_store.Config.table'
            $changes | Should -Contain 'Slots.dead_letter_queue'
            $changes | Should -Contain 'PatternVersion'
            Restore-PrismNamespace payments -Version 1 -Database $db -Confirm:$false | Out-Null
            (Get-PrismNamespace payments -Database $db).Slots.Count | Should -Be 3
        }

        It 'refuses -Backend on a slot namespace' {
            $db = Join-Path $TestDrive 'slots-set2.db'
            New-PrismNamespace payments -Pattern consumer -Slots @{ message_source = @{ backend = 'kafka' } } -Database $db | Out-Null
            Set-PrismNamespace payments -Backend redis -Database $db -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ValidationFailed*'
        }
    }
}

Describe 'Set-PrismNamespace on a SQLite file' {
    It 'works with a relative -Database and with $PSDefaultParameterValues' {
        $db = New-Seeded
        Push-Location $TestDrive
        try { Set-PrismNamespace orders -RateLimitRps 9 -Database (Split-Path $db -Leaf) }
        finally { Pop-Location }
        (Get-PrismNamespace orders -Database $db).RateLimitRps | Should -Be 9
        $PSDefaultParameterValues['*-Prism*:Database'] = $db
        try { Set-PrismNamespace orders -RateLimitRps 11 }
        finally { $PSDefaultParameterValues.Remove('*-Prism*:Database') }
        (Get-PrismNamespace orders -Database $db).RateLimitRps | Should -Be 11
    }
}
