# Get-PrismNamespace: lookup, filters, wildcards, errors, database selection, views and completion.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-TestDb { New-TestStore $Engine $TestDrive }
    function New-Seeded {
        $db = New-TestDb
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Tag prod, eu -BackendConfig @{ host = 'db1'; password = 'hunter2'; url = 'postgres://app:pw123@db1/orders' } -Database $db | Out-Null
        New-PrismNamespace order-events -Backend kafka -Pattern stream -Tag prod -Database $db | Out-Null
        New-PrismNamespace cache -Backend redis -Pattern keyvalue -Tag dev -Status disabled -Database $db | Out-Null
        $db
    }
}

Describe 'Get-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'returns one namespace by literal name with every field' {
            $db = New-Seeded
            $ns = Get-PrismNamespace orders -Database $db
            $ns.GetType().FullName | Should -Be 'PrismConfig.NamespaceConfig'
            $ns.Name | Should -Be 'orders'
            $ns.Backend | Should -Be 'postgres'
            $ns.Version | Should -Be 1
            $ns.Status | Should -Be 'active'
            $ns.Consistency | Should -Be 'eventual'
            $ns.Tags | Should -Be @('eu', 'prod')
            $ns.BackendConfig.password | Should -Be 'hunter2'
        }

        It 'lists all namespaces sorted by name, all statuses' {
            $db = New-Seeded
            (Get-PrismNamespace -Database $db).Name | Should -Be @('cache', 'order-events', 'orders')
        }

        It 'filters by backend, pattern, status and every tag' {
            $db = New-Seeded
            (Get-PrismNamespace -Backend redis, kafka -Database $db).Name | Should -Be @('cache', 'order-events')
            (Get-PrismNamespace -Pattern keyvalue -Database $db).Name | Should -Be @('cache', 'orders')
            (Get-PrismNamespace -Status disabled -Database $db).Name | Should -Be @('cache')
            (Get-PrismNamespace -Tag prod -Database $db).Name | Should -Be @('order-events', 'orders')
            (Get-PrismNamespace -Tag prod, eu -Database $db).Name | Should -Be @('orders')
            (Get-PrismNamespace 'order*' -Backend kafka -Database $db).Name | Should -Be @('order-events')
        }

        It 'expands wildcards; a wildcard matching nothing is silent' {
            $db = New-Seeded
            (Get-PrismNamespace 'order*' -Database $db).Name | Should -Be @('order-events', 'orders')
            (Get-PrismNamespace 'c?che' -Database $db).Name | Should -Be 'cache'
            $out = Get-PrismNamespace 'zzz*' -Database $db -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err | Should -BeNullOrEmpty
        }

        It 'finds a literal name in any case, in every cmdlet, as wildcards and filters do' {
            $db = New-Seeded
            (Get-PrismNamespace ORDERS -Database $db).Name | Should -Be 'orders'
            (Get-PrismNamespace Orders -Backend POSTGRES -Database $db).Name | Should -Be 'orders'
            @(Get-PrismNamespace 'ORDER*' -Database $db).Count | Should -Be 2
            (Set-PrismNamespace ORDERS -RateLimitRps 5 -Database $db -PassThru).Name | Should -Be 'orders'
            Disable-PrismNamespace Orders -Database $db
            Enable-PrismNamespace ORDERS -Database $db
            (Restore-PrismNamespace ORDERS -Version 1 -Database $db -PassThru).RateLimitRps | Should -BeNullOrEmpty
            @(Get-PrismNamespaceHistory ORDERS -Database $db).Count | Should -Be 5
            $err = $null
            try { New-PrismNamespace ORDERS -Backend redis -Pattern keyvalue -Database $db -ErrorAction Stop } catch { $err = $_ }
            # Names are lower case: an upper-case new name is refused as invalid, never created beside the existing one.
            $err.FullyQualifiedErrorId | Should -BeLike 'ValidationFailed,*'
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 5
        }

        It 'reports a missing literal name as a non-terminating NamespaceNotFound and goes on' {
            $db = New-Seeded
            $out = Get-PrismNamespace nope, orders -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $out.Name | Should -Be 'orders'
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.GetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nope'
        }

        It 'takes names from the pipeline as strings and as objects with Name' {
            $db = New-Seeded
            ('cache', 'orders' | Get-PrismNamespace -Database $db).Version | Should -Be @(1, 1)
            ([pscustomobject]@{ Name = 'order-events' } | Get-PrismNamespace -Database $db).Backend | Should -Be 'kafka'
            (Get-PrismNamespace cache -Database $db | Get-PrismNamespace -Database $db).Name | Should -Be 'cache'
        }

        It 'never creates a database: a missing file is a terminating DatabaseNotFound' {
            $db = New-TestDb
            { Get-PrismNamespace -Database $db -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound,PrismConfig.PowerShell.Commands.GetPrismNamespaceCommand'
            try { Get-PrismNamespace -Database $db -ErrorAction Stop } catch { $_.CategoryInfo.Category | Should -Be 'ObjectNotFound'; $_.TargetObject | Should -Be $db }
            $db | Should -Not -Exist
        }

        It 'honours $PSDefaultParameterValues and $env:PRISM_CONFIG_DB' {
            $db = New-Seeded
            $PSDefaultParameterValues['*-Prism*:Database'] = $db
            try { (Get-PrismNamespace).Count | Should -Be 3 }
            finally { $PSDefaultParameterValues.Remove('*-Prism*:Database') }

            $old = $env:PRISM_CONFIG_DB
            $env:PRISM_CONFIG_DB = $db
            try { (Get-PrismNamespace cache).Backend | Should -Be 'redis' }
            finally { $env:PRISM_CONFIG_DB = $old }
        }

        It 'sees a change written by another process on the next call' {
            $db = New-Seeded
            # Several lookups first, so that the later ones skip data_version while the wal-index header is unchanged.
            1..3 | ForEach-Object { (Get-PrismNamespace orders -Database $db).CacheTtlSeconds | Should -BeNullOrEmpty }
            $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; Set-PrismNamespace orders -CacheTtlSeconds 42 -Database '$db'; New-PrismNamespace from-child -Backend nats -Pattern pubsub -Database '$db' | Out-Null"
            $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
            $ns = Get-PrismNamespace orders -Database $db
            $ns.CacheTtlSeconds | Should -Be 42
            $ns.Version | Should -Be 2
            (Get-PrismNamespace from-child -Database $db).Backend | Should -Be 'nats'
        }

        It 'shows the default table with its columns and masks secrets in table and list views' {
            $db = New-Seeded
            $ns = Get-PrismNamespace orders -Database $db
            $table = $ns | Out-String
            $table | Should -Match 'Name\s+Backends\s+Pattern\s+Status\s+Consistency\s+Version\s+UpdatedAt'
            $table | Should -Match 'orders\s+postgres\s+keyvalue\s+active\s+eventual\s+1'
            $list = $ns | Format-List | Out-String
            $list | Should -Match 'BackendConfig\s+:.*password=\*{8}'
            $list | Should -Match 'postgres://app:\*{8}@db1/orders'
            $list | Should -Not -Match 'hunter2'
            $list | Should -Not -Match 'pw123'
            $list | Should -Match 'Tags\s+: eu, prod'
            ($ns | Format-Table * | Out-String) | Should -Not -Match 'hunter2'
            $ns.BackendConfig.password | Should -Be 'hunter2'
        }

        It 'exports sensibly with Export-Csv, ConvertTo-Json and Group-Object' {
            $db = New-Seeded
            $all = Get-PrismNamespace -Database $db
            $csv = Join-Path $TestDrive 'ns.csv'
            { $all | Export-Csv $csv -NoTypeInformation } | Should -Not -Throw
            $rows = Import-Csv $csv
            $rows.Name | Should -Be @('cache', 'order-events', 'orders')
            $rows.Backend | Should -Be @('redis', 'kafka', 'postgres')

            $json = Get-PrismNamespace orders -Database $db | ConvertTo-Json -Depth 5 | ConvertFrom-Json
            $json.Name | Should -Be 'orders'
            $json.BackendConfig.host | Should -Be 'db1'
            $json.Tags | Should -Be @('eu', 'prod')
            $json.Version | Should -Be 1

            $groups = $all | Group-Object Backend | Sort-Object Name
            $groups.Name | Should -Be @('kafka', 'postgres', 'redis')
            $groups[0].Group[0].Name | Should -Be 'order-events'
        }

        It 'completes from the database in $PSDefaultParameterValues, and completes -Tag' {
            $db = New-Seeded
            $PSDefaultParameterValues['*-Prism*:Database'] = $db
            try {
                $line = 'Get-PrismNamespace -Name ord'
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('order-events', 'orders')
                $line = 'Get-PrismNamespace -Tag '
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('dev', 'eu', 'prod')
                $line = 'Set-PrismNamespace orders -RemoveTag '
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('eu', 'prod')
            }
            finally { $PSDefaultParameterValues.Remove('*-Prism*:Database') }
            # A typed -Database still wins over the default.
            $PSDefaultParameterValues['*-Prism*:Database'] = (New-TestDb)
            try {
                $line = "Get-PrismNamespace -Database '$db' -Tag d"
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('dev')
            }
            finally { $PSDefaultParameterValues.Remove('*-Prism*:Database') }
        }

        It 'completes -Name, -Backend, -Pattern and -Status' {
            $db = New-Seeded
            $line = "Get-PrismNamespace -Database '$db' -Name ord"
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r.CompletionMatches.CompletionText | Should -Be @('order-events', 'orders')

            $line = "Get-PrismNamespace -Database '$db' -Backend "
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('kafka', 'postgres', 'redis')
            $line = "Get-PrismNamespace -Database '$db' -Pattern k"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('keyvalue')
            $line = 'Get-PrismNamespace -Status d'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('disabled')
        }
    }
}

Describe 'Get-PrismNamespace -Slot on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It '-Backend matches any slot, -Slot narrows it to that slot' {
            $db = New-Seeded
            New-PrismNamespace payments -Pattern consumer -Slots ([ordered]@{
                    message_source = @{ backend = 'kafka'; interfaces = 'pubsub_basic' }
                    state_store    = @{ backend = 'postgres'; interfaces = 'keyvalue_basic' }
                }) -Database $db | Out-Null
            (Get-PrismNamespace -Backend postgres -Database $db).Name | Should -Be @('orders', 'payments')
            (Get-PrismNamespace -Slot state_store -Backend postgres -Database $db).Name | Should -Be @('payments')
            Get-PrismNamespace -Slot message_source -Backend postgres -Database $db | Should -BeNullOrEmpty
            (Get-PrismNamespace pay*, orders -Slot state_store -Database $db).Name | Should -Be @('payments')
        }
    }
}

Describe 'Get-PrismNamespace with one damaged row on <Engine>' -ForEach (Get-TestEngine) {
    BeforeAll { Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force }

    Context 'on <Engine>' -Skip:$Skip {
        It 'lists every other namespace and reports the damaged one as one non-terminating NamespaceDamaged error' {
            $db = New-Seeded
            Invoke-StoreSql -Database $db -Sql "UPDATE namespaces SET backend_config = 'not json' WHERE name = 'order-events'"
            $all = @(Get-PrismNamespace -Database $db -ErrorAction SilentlyContinue -ErrorVariable err)
            $all.Name | Should -Be @('cache', 'orders')
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceDamaged,PrismConfig.PowerShell.Commands.GetPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -Be 'order-events'
            "$($err[0])" | Should -Match "order-events"
            $err[0].ErrorDetails.RecommendedAction | Should -Match 'Restore-PrismNamespace -Name order-events'

            Get-PrismNamespace order-events, orders -Database $db -ErrorAction SilentlyContinue -ErrorVariable err | ForEach-Object Name | Should -Be 'orders'
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceDamaged,PrismConfig.PowerShell.Commands.GetPrismNamespaceCommand'
            # The others stay writable.
            (Set-PrismNamespace orders -RateLimitRps 5 -Database $db -PassThru).Version | Should -Be 2
            (Get-PrismNamespace -Backend redis -Database $db).Name | Should -Be 'cache'
        }
    }
}

Describe 'Get-PrismNamespace on a SQLite file' {
    It 'serves what is at the path now, after another store is moved over the file or the file is deleted' -Skip:$IsWindows {
        $db = New-Seeded
        (Get-PrismNamespace orders -Database $db).Name | Should -Be 'orders'
        $other = Join-Path $TestDrive "other-$([guid]::NewGuid().ToString('N')).db"
        New-PrismNamespace moved-in -Backend redis -Pattern keyvalue -Database $other -WarningAction SilentlyContinue | Out-Null
        # A backup is one complete file, as a store copied in from elsewhere would be.
        $file = Backup-PrismConfig -Database $other -Destination "$other.bak"
        Move-Item -Force $file.FullName $db

        (Get-PrismNamespace moved-in -Database $db).Name | Should -Be 'moved-in'
        Get-PrismNamespace orders -Database $db -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'

        Remove-Item $db
        { Get-PrismNamespace moved-in -Database $db -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound,*'
    }

    It 'resolves a relative -Database against the current location' {
        $db = New-Seeded
        Push-Location $TestDrive
        try {
            (Get-PrismNamespace orders -Database (Split-Path $db -Leaf)).Name | Should -Be 'orders'
        }
        finally { Pop-Location }
    }

    It 'completes names from a relative -Database and from $env:PRISM_CONFIG_DB, and never creates a file' {
        $db = New-Seeded
        Push-Location $TestDrive
        try {
            $line = "Get-PrismNamespace -Database $(Split-Path $db -Leaf) -Name ca"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('cache')
        }
        finally { Pop-Location }

        $old = $env:PRISM_CONFIG_DB
        $env:PRISM_CONFIG_DB = $db
        try {
            $line = 'Get-PrismNamespace -Name order-'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('order-events')
        }
        finally { $env:PRISM_CONFIG_DB = $old }

        $missing = New-TestDb
        $line = "Get-PrismNamespace -Database '$missing' -Name o"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | Should -BeNullOrEmpty
        $missing | Should -Not -Exist
    }
}
