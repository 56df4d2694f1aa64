# New-PrismNamespace: creation, defaults, CSV pipelines, validation and -WhatIf.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-TestDb { New-TestStore $Engine $TestDrive }
}

Describe 'New-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'stores every given field, -ConnectionString as BackendConfig.connection_string, and records the reason' {
            $db = New-TestDb
            $ns = New-PrismNamespace users -Backend redis -Pattern keyvalue -Description 'User cache' -BackendConfig @{ db = 2 } `
                -ConnectionString 'redis://:pw@cache:6379' -Consistency strong -CacheTtlSeconds 60 -RateLimitRps 500 -Tag prod, eu `
                -Feature @{ shadow = $true } -Status migrating -Reason 'ticket 42' -Database $db
            $ns.Description | Should -Be 'User cache'
            $ns.BackendConfig.db | Should -Be 2
            $ns.BackendConfig.connection_string | Should -Be 'redis://:pw@cache:6379'
            $ns.Consistency | Should -Be 'strong'
            $ns.CacheTtlSeconds | Should -Be 60
            $ns.RateLimitRps | Should -Be 500
            $ns.Tags | Should -Be @('eu', 'prod')
            $ns.Features.shadow | Should -BeTrue
            $ns.Status | Should -Be 'migrating'
            $h = Get-PrismNamespaceHistory users -Database $db
            $h.Operation | Should -Be 'create'
            $h.Reason | Should -Be 'ticket 42'
        }

        It 'round-trips a whole store through Export-Csv and Import-Csv (config and features as JSON, tags joined)' {
            $source = Join-Path $TestDrive "csv-src-$([guid]::NewGuid()).db"
            $target = Join-Path $TestDrive "csv-dst-$([guid]::NewGuid()).db"
            Import-PrismYaml -Path (Join-Path $PSScriptRoot '../examples/namespaces.yaml') -Database $source | Out-Null
            $csv = Join-Path $TestDrive "store-$([guid]::NewGuid()).csv"
            Get-PrismNamespace -Database $source | Select-Object *, @{ n = 'Tags'; e = { $_.Tags -join ';' } } -ExcludeProperty Tags | Export-Csv $csv
            $row = Import-Csv $csv | Where-Object Name -eq 'invoice-archive'
            ($row.BackendConfig | ConvertFrom-Json).bucket | Should -Be 'invoices'
            $row.Tags | Should -Be 'production;team-payments'

            Import-Csv $csv | New-PrismNamespace -Database $target | Out-Null
            Export-PrismYaml -IncludeSecrets -Database $target | Should -BeExactly (Export-PrismYaml -IncludeSecrets -Database $source)
        }

        It 'creates one namespace per CSV row, with blank cells meaning not given and tag lists split on , or ;' {
            $db = New-TestDb
            $csv = Join-Path $TestDrive 'namespaces.csv'
            @'
Name,Backend,Pattern,Description,Consistency,CacheTtlSeconds,RateLimitRps,Tag,Status,BackendConfig,Feature
orders,postgres,keyvalue,Orders,strong,60,,prod;eu,,,
events,kafka,stream,,,,100,"prod,high-traffic",disabled,"{""brokers"":[""k1:9092""],""password"":""x""}",shadow=true
'@ | Set-Content $csv
            $out = Import-Csv $csv | New-PrismNamespace -Database $db
            $out.Name | Should -Be @('orders', 'events')
            $orders = Get-PrismNamespace orders -Database $db
            $orders.CacheTtlSeconds | Should -Be 60
            $orders.RateLimitRps | Should -BeNullOrEmpty
            $orders.Tags | Should -Be @('eu', 'prod')
            $orders.Consistency | Should -Be 'strong'
            $orders.Status | Should -Be 'active'
            $events = Get-PrismNamespace events -Database $db
            $events.Description | Should -BeNullOrEmpty
            $events.Consistency | Should -Be 'eventual'
            $events.CacheTtlSeconds | Should -BeNullOrEmpty
            $events.RateLimitRps | Should -Be 100
            $events.Tags | Should -Be @('high-traffic', 'prod')
            $events.Status | Should -Be 'disabled'
            $events.BackendConfig.brokers | Should -Be @('k1:9092')
            $events.Features.shadow | Should -BeTrue
        }

        It 'copies a namespace piped from Get-PrismNamespace under a new name' {
            $db = New-TestDb
            New-PrismNamespace source -Backend nats -Pattern pubsub -Tag a, b -CacheTtlSeconds 5 -Database $db | Out-Null
            $copy = Get-PrismNamespace source -Database $db | New-PrismNamespace -Name copy-of-source -Database $db
            $copy.Name | Should -Be 'copy-of-source'
            $copy.Backend | Should -Be 'nats'
            $copy.Tags | Should -Be @('a', 'b')
            $copy.CacheTtlSeconds | Should -Be 5
            $copy.Version | Should -Be 1
        }

        It 'reports an existing name as ResourceExists and goes on with the next item' {
            $db = New-TestDb
            New-PrismNamespace taken -Backend redis -Pattern keyvalue -Database $db | Out-Null
            $rows = @(
                [pscustomobject]@{ Name = 'taken'; Backend = 'redis'; Pattern = 'keyvalue' }
                [pscustomobject]@{ Name = 'fresh'; Backend = 'redis'; Pattern = 'keyvalue' }
            )
            $out = $rows | New-PrismNamespace -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $out.Name | Should -Be 'fresh'
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceExists,PrismConfig.PowerShell.Commands.NewPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].TargetObject | Should -Be 'taken'
            (Get-PrismNamespace taken -Database $db).Version | Should -Be 1
        }

        It 'reports invalid input as InvalidArgument naming the field: <Field>' -ForEach @(
            @{ Field = 'name'; Params = @{ Name = 'Bad_Name'; Backend = 'redis'; Pattern = 'keyvalue' }; Target = 'Bad_Name' }
            @{ Field = 'consistency'; Params = @{ Name = 'okname'; Backend = 'redis'; Pattern = 'keyvalue'; Consistency = 'sometimes' }; Target = 'okname' }
            @{ Field = 'rate_limit_rps'; Params = @{ Name = 'okname'; Backend = 'redis'; Pattern = 'keyvalue'; RateLimitRps = 0 }; Target = 'okname' }
            @{ Field = 'status'; Params = @{ Name = 'okname'; Backend = 'redis'; Pattern = 'keyvalue'; Status = 'paused' }; Target = 'okname' }
        ) {
            $db = New-TestDb
            New-PrismNamespace @Params -Database $db -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'ValidationFailed,PrismConfig.PowerShell.Commands.NewPrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be $Target
            $err[0].Exception.Message | Should -Match "'$Field'"
        }

        It 'does nothing under -WhatIf, creates no file, and masks secrets in the message' {
            $db = New-TestDb
            New-PrismNamespace orders -Backend postgres -Pattern keyvalue -BackendConfig @{ password = 'hunter2' } -Database $db -WhatIf | Should -BeNullOrEmpty
            $db | Should -Not -Exist

            # The What-if text goes to the host, so read it from a child process; -Verbose shows the same text in-process.
            $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; New-PrismNamespace orders -Backend postgres -Pattern keyvalue -BackendConfig @{ password = 'hunter2' } -Database '$db' -WhatIf"
            $text = $r.Output -join ' '
            $text | Should -Match "What if: .*Create with backend postgres.*password=\*{8}.*Namespace 'orders' in "
            $text | Should -Not -Match 'hunter2'
            $db | Should -Not -Exist
            $verbose = New-PrismNamespace orders -Backend postgres -Pattern keyvalue -BackendConfig @{ password = 'hunter2' } -Database $db -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String
            $verbose | Should -Match 'password=\*{8}'
            $verbose | Should -Not -Match 'hunter2'
            (Get-PrismNamespace orders -Database $db).BackendConfig.password | Should -Be 'hunter2'

            $db = New-TestDb
            New-PrismNamespace first -Backend redis -Pattern keyvalue -Database $db | Out-Null
            New-PrismNamespace second -Backend redis -Pattern keyvalue -Database $db -WhatIf
            (Get-PrismNamespace -Database $db).Name | Should -Be @('first')
        }

        It 'uses $env:PRISM_CONFIG_DB and $PSDefaultParameterValues when -Database is not given' {
            $db = New-TestDb
            $old = $env:PRISM_CONFIG_DB
            $env:PRISM_CONFIG_DB = $db
            try { New-PrismNamespace env-ns -Backend redis -Pattern keyvalue | Out-Null }
            finally { $env:PRISM_CONFIG_DB = $old }
            (Get-PrismNamespace env-ns -Database $db).Name | Should -Be 'env-ns'

            $db2 = New-TestDb
            $PSDefaultParameterValues['*-Prism*:Database'] = $db2
            try { New-PrismNamespace default-ns -Backend redis -Pattern keyvalue | Out-Null }
            finally { $PSDefaultParameterValues.Remove('*-Prism*:Database') }
            (Get-PrismNamespace -Database $db2).Name | Should -Be @('default-ns')
        }

        It 'completes -Consistency and -Status from the fixed sets' {
            $line = 'New-PrismNamespace x -Consistency s'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('strong')
            $line = 'New-PrismNamespace x -Status '
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('active', 'disabled', 'migrating')
        }
    }
}

Describe 'New-PrismNamespace with slots on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        BeforeAll {
            $script:slots = [ordered]@{
                message_source = @{ backend = 'kafka'; interfaces = 'pubsub_basic', 'pubsub_persistent'; config = @{ topic = 'payments.pending'; servers = @('a:9092', 'b:9092') } }
                state_store    = @{ backend = 'postgres'; interfaces = @('KeyValueBasicInterface'); config = @{ connection = 'postgresql://prism:s3cret@db:5432/prism'; table = 'consumer_state' } }
            }
        }

        It 'creates a slot namespace whose Backend is its first slot''s' {
            $db = Join-Path $TestDrive 'slots-new.db'
            $ns = New-PrismNamespace payments -Pattern consumer -PatternVersion v1 -Slots $slots -Behavior @{ max_retries = 5; retry = @{ backoff = 1, 2 } } -Database $db
            $ns.Backend | Should -Be 'kafka'
            $ns.Backends | Should -Be @('kafka', 'postgres')
            $ns.PatternVersion | Should -Be 'v1'
            @($ns.Slots.Keys) | Should -Be @('message_source', 'state_store')
            $ns.Slots['state_store'].Interfaces | Should -Be @('KeyValueBasicInterface')
            $ns.Behavior.retry.backoff | Should -Be @(1, 2)
        }

        It 'masks slot secrets in -WhatIf and -Verbose text and in the list view' {
            $db = Join-Path $TestDrive 'slots-mask.db'
            $whatIf = New-PrismNamespace payments -Pattern consumer -Slots $slots -Database $db -WhatIf 6>&1 | Out-String
            $whatIf | Should -Not -Match 's3cret'
            $ns = New-PrismNamespace payments -Pattern consumer -Slots $slots -Database $db
            ($ns | Format-List | Out-String) | Should -Not -Match 's3cret'
            ($ns | Format-List | Out-String) | Should -Match 'postgresql://prism:\*\*\*\*\*\*\*\*@db'
            ($ns | Format-Table | Out-String) | Should -Match 'kafka, postgres'
        }

        It 'copies a slot namespace through the pipeline and through Export-Csv / Import-Csv' {
            $db = Join-Path $TestDrive 'slots-copy.db'
            New-PrismNamespace payments -Pattern consumer -Slots $slots -Behavior @{ group = 'g' } -Database $db | Out-Null
            $copy = Get-PrismNamespace payments -Database $db | New-PrismNamespace -Name payments-copy -Database $db
            @($copy.Slots.Keys) | Should -Be @('message_source', 'state_store')
            $csv = Join-Path $TestDrive 'slots.csv'
            Get-PrismNamespace payments -Database $db | Select-Object Name, Pattern, Slots, Behavior | Export-Csv $csv
            (Get-Content $csv -Raw) | Should -Match '"backend"'
            $row = Import-Csv $csv
            $row.Name = 'payments-csv'
            $fromCsv = $row | New-PrismNamespace -Database $db
            $fromCsv.Slots['state_store'].Config.table | Should -Be 'consumer_state'
            $fromCsv.Behavior.group | Should -Be 'g'
            $json = Get-PrismNamespace payments -Database $db | ConvertTo-Json -Depth 6 | ConvertFrom-Json
            $json.Slots.PSObject.Properties.Name | Should -Be @('message_source', 'state_store')
            $json.Slots.state_store.Backend | Should -Be 'postgres'
            $json.Behavior.group | Should -Be 'g'
        }

        It 'refuses a bad slot name with ValidationFailed' {
            $db = Join-Path $TestDrive 'slots-bad.db'
            New-PrismNamespace bad-ns -Pattern consumer -Slots @{ 'Bad-Name' = @{ backend = 'redis' } } -Database $db -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ValidationFailed*'
        }
    }
}

Describe 'New-PrismNamespace on a SQLite file' {
    It 'creates the database and outputs the namespace at version 1 with defaults' {
        $db = New-TestDb
        $ns = New-PrismNamespace orders -Backend postgres -Pattern keyvalue -Database $db
        $db | Should -Exist
        $ns.GetType().FullName | Should -Be 'PrismConfig.NamespaceConfig'
        $ns.Version | Should -Be 1
        $ns.Consistency | Should -Be 'eventual'
        $ns.Status | Should -Be 'active'
        $ns.CreatedAt.Offset | Should -Be ([timespan]::Zero)
        (Get-PrismNamespace orders -Database $db).Backend | Should -Be 'postgres'
    }

    It 'creates the database relative to the current location' {
        Push-Location $TestDrive
        try {
            $leaf = [guid]::NewGuid().ToString() + '.db'
            New-PrismNamespace rel-ns -Backend redis -Pattern keyvalue -Database $leaf | Out-Null
            Join-Path $TestDrive $leaf | Should -Exist
        }
        finally { Pop-Location }
    }

    It 'warns, naming the full path, when it creates a new database, and only then' {
        $db = New-TestDb
        $warnings = @(New-PrismNamespace orders -Backend redis -Pattern keyvalue -Database $db 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Be "Created a new PrismConfig database at '$db'."
        @(New-PrismNamespace orders2 -Backend redis -Pattern keyvalue -Database $db 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count | Should -Be 0
        # Under -Debug a warning would ask to continue (and fail in a non-interactive host); the creation note must not.
        $debugDb = New-TestDb
        $result = Invoke-FreshPwsh -Command "`$DebugPreference = 'Continue'; `$WarningPreference = 'Continue'; Import-Module '$(Get-PrismTestModulePath)'; New-PrismNamespace orders -Backend redis -Pattern keyvalue -Database '$debugDb' -Debug -Confirm:`$false 5>`$null | Out-Null; 'DONE'"
        $result.Output | Should -Contain 'DONE'
        ($result.Output -join "`n") | Should -Not -Match 'Continue with this operation'
        $debugDb | Should -Exist
    }

    It 'reports a folder that takes no new files as PermissionDenied naming the database asked for' -Skip:(-not $IsLinux) {
        $err = $null
        try { New-PrismNamespace orders -Backend redis -Pattern keyvalue -Database /proc/prism-test.db } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'PermissionDenied,PrismConfig.PowerShell.Commands.NewPrismNamespaceCommand'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.TargetObject | Should -Be '/proc/prism-test.db'
        "$err" | Should -Match "'/proc/prism-test.db'"
        "$err" | Should -Not -Match '\.init-'
    }

    It 'reports a read-only folder as PermissionDenied naming the database asked for' -Skip:($IsWindows -or (id -u) -eq '0') {
        $folder = Join-Path $TestDrive 'read-only'
        New-Item -ItemType Directory $folder | Out-Null
        [IO.File]::SetUnixFileMode($folder, [IO.UnixFileMode]'UserRead, UserExecute')
        try {
            $err = $null
            try { New-PrismNamespace orders -Backend redis -Pattern keyvalue -Database (Join-Path $folder 'config.db') } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'PermissionDenied,PrismConfig.PowerShell.Commands.NewPrismNamespaceCommand'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            "$err" | Should -Match ([regex]::Escape((Join-Path $folder 'config.db')))
            "$err" | Should -Not -Match '\.init-'
        }
        finally { [IO.File]::SetUnixFileMode($folder, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
    }
}
