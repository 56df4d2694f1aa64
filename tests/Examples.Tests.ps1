# Every example and runbook runs against a throwaway database, so the examples in the repository keep working.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath) -Force
    $script:Examples = Join-Path $PSScriptRoot '../examples'
    $script:Runbooks = Join-Path $Examples 'runbooks'
    $script:Yaml = Join-Path $Examples 'namespaces.yaml'

    function New-ExampleStore {
        $db = Join-Path $TestDrive "$([guid]::NewGuid()).db"
        Import-PrismYaml -Path $Yaml -Database $db | Out-Null
        $db
    }
}

Describe 'examples/namespaces.yaml' {
    It 'imports cleanly and is realistic' {
        $db = New-ExampleStore
        $all = Get-PrismNamespace -Database $db
        $all.Count | Should -BeGreaterOrEqual 15
        $all.Count | Should -BeLessOrEqual 25
        foreach ($backend in 'postgres', 'redis', 'kafka', 'nats', 's3', 'minio', 'memstore') {
            $all.Backend | Should -Contain $backend
        }
        foreach ($pattern in 'keyvalue', 'pubsub', 'stream', 'queue', 'objectstore', 'multicast-registry') {
            $all.Pattern | Should -Contain $pattern
        }
        ($all.Features | ForEach-Object Keys) | Should -Contain 'shadow_traffic'
        ($all.Features | ForEach-Object Keys) | Should -Contain 'cache_enabled'
        ($all | Where-Object { $_.BackendConfig.Contains('secret_key') }).Name | Should -Be 'invoice-archive'
    }
}

Describe 'Runbooks' {
    It 'Update-BackendConnectionString previews with -WhatIf, then rotates with a reason' {
        $db = New-ExampleStore
        $old = 'nats://nats.internal:4222'
        $users = @(Get-PrismNamespace -Database $db -Backend nats | Where-Object { $_.BackendConfig.connection_string -eq $old })
        $users.Count | Should -BeGreaterThan 1

        & (Join-Path $Runbooks 'Update-BackendConnectionString.ps1') -Database $db -Backend nats -OldConnectionString $old -NewConnectionString 'nats://nats-new.internal:4222' -Reason 'CHG-1 rotate' -WhatIf
        (Get-PrismNamespace -Database $db -Name $users[0].Name).BackendConfig.connection_string | Should -Be $old

        $changed = & (Join-Path $Runbooks 'Update-BackendConnectionString.ps1') -Database $db -Backend nats -OldConnectionString $old -NewConnectionString 'nats://nats-new.internal:4222' -Reason 'CHG-1 rotate' -Confirm:$false
        @($changed).Count | Should -Be $users.Count
        foreach ($ns in $users) {
            $now = Get-PrismNamespace -Database $db -Name $ns.Name
            $now.BackendConfig.connection_string | Should -Be 'nats://nats-new.internal:4222'
            $now.Version | Should -Be ($ns.Version + 1)
            (Get-PrismNamespaceHistory -Database $db -Name $ns.Name -Last 1).Reason | Should -Be 'CHG-1 rotate'
        }
    }

    It 'Switch-NamespaceMigration moves a namespace to migrating and back, showing history' {
        $db = New-ExampleStore
        $history = & (Join-Path $Runbooks 'Switch-NamespaceMigration.ps1') -Database $db -Name order-events -Reason 'new cluster'
        (Get-PrismNamespace -Database $db -Name order-events).Status | Should -Be 'migrating'
        $history[-1].Version | Should -Be 2

        & (Join-Path $Runbooks 'Switch-NamespaceMigration.ps1') -Database $db -Name order-events -Complete -Reason 'done' | Out-Null
        (Get-PrismNamespace -Database $db -Name order-events).Status | Should -Be 'active'
        (Get-PrismNamespaceHistory -Database $db -Name order-events).Operation | Should -Be @('create', 'update', 'enable')
    }

    It 'Backup-PrismNightly makes a healthy backup and keeps only its own recent files' {
        $db = New-ExampleStore
        $dest = Join-Path $TestDrive "backups-$([guid]::NewGuid())"
        New-Item -ItemType Directory $dest | Out-Null
        $old = New-Item -ItemType File (Join-Path $dest 'config-20000101-000000.db')
        $old.LastWriteTimeUtc = [datetime]::UtcNow.AddDays(-400)
        $decoy = New-Item -ItemType File (Join-Path $dest 'notes.txt')
        $decoy.LastWriteTimeUtc = [datetime]::UtcNow.AddDays(-400)

        $backup = & (Join-Path $Runbooks 'Backup-PrismNightly.ps1') -Database $db -Destination $dest
        $backup.FullName | Should -Exist
        (Test-PrismConfig -Database $backup.FullName).IsHealthy | Should -BeTrue
        $old.FullName | Should -Not -Exist
        $decoy.FullName | Should -Exist
    }

    It 'Undo-PrismChange shows the last change and restores the version before it' {
        $db = New-ExampleStore
        Set-PrismNamespace -Database $db -Name user-sessions -CacheTtlSeconds 1 -Reason 'oops'
        $restored = & (Join-Path $Runbooks 'Undo-PrismChange.ps1') -Database $db -Name user-sessions -Reason 'undo oops' 6>$null
        $restored.CacheTtlSeconds | Should -Be 30
        $restored.Version | Should -Be 3
        (Get-PrismNamespaceHistory -Database $db -Name user-sessions -Last 1).Operation | Should -Be 'restore'
    }

    It 'Sync-PrismGitOps previews with -WhatIf, then applies the desired file' {
        $db = New-ExampleStore
        $desired = Join-Path $TestDrive "desired-$([guid]::NewGuid()).yaml"
        (Get-Content -Raw $Yaml) -replace 'cache_ttl_seconds: 300', 'cache_ttl_seconds: 600' | Set-Content $desired

        # Its temporary folder is one of the test's own, so a copy of the store left there would be seen.
        $temp = Join-Path $TestDrive "tmp-$([guid]::NewGuid())"
        New-Item -ItemType Directory $temp | Out-Null
        $savedTemp = $env:TMPDIR
        $env:TMPDIR = $temp
        try {
            $shown = & (Join-Path $Runbooks 'Sync-PrismGitOps.ps1') -Database $db -DesiredPath $desired -WhatIf 6>&1 | Out-String
            @(Get-ChildItem -Force $temp).Count | Should -Be 0
            (Get-PrismNamespace -Database $db -Name user-profiles).CacheTtlSeconds | Should -Be 300
            $shown | Should -Match 'CacheTtlSeconds\s+300\s+600'
            # The example store holds credentials; the diff shows them masked.
            $shown | Should -Not -Match 'wJalr'

            $result = & (Join-Path $Runbooks 'Sync-PrismGitOps.ps1') -Database $db -DesiredPath $desired -Reason 'deploy abc123' 6>$null
            ($result | Where-Object Action -eq 'Updated').Name | Should -Be 'user-profiles'
            (Get-PrismNamespace -Database $db -Name user-profiles).CacheTtlSeconds | Should -Be 600
            @(Get-ChildItem -Force $temp).Count | Should -Be 0
        }
        finally {
            $env:TMPDIR = $savedTemp
        }
    }
}

Describe 'The demo' {
    It 'runs end to end against a throwaway folder' {
        $work = Join-Path $TestDrive "demo-$([guid]::NewGuid())"
        $result = Invoke-FreshPwsh -Command "& '$Examples/demo.ps1' -ModulePath '$(Get-PrismTestModulePath)' -WorkFolder '$work'"
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        ($result.Output -join "`n") | Should -Match 'Demo finished'
        Join-Path $work 'config.db' | Should -Exist
    }

    It 'never shows a credential from the example file, and lays the namespace table out whole in a log' {
        $work = Join-Path $TestDrive "demo-$([guid]::NewGuid())"
        $result = Invoke-FreshPwsh -Command "& '$Examples/demo.ps1' -ModulePath '$(Get-PrismTestModulePath)' -WorkFolder '$work'"
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $text = $result.Output -join "`n"
        # The example file's secrets: a URI password, a connection string's and a minio key pair.
        foreach ($secret in 'Pr1smState', 'Sup3r-S3cret', 'AKIAPRISMEXAMPLE', 'wJalrXUtnFEMI') {
            $text | Should -Not -Match ([regex]::Escape($secret)) -Because 'the demo says credentials are masked in every view'
        }
        $text | Should -Match 'Consistency Version UpdatedAt'
    }
}
