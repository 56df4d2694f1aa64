# Get-PrismNamespaceHistory: order, filters, -Last, pipelines, errors and the masked views.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-TestDb { New-TestStore $Engine $TestDrive }
    function New-Seeded {
        $db = New-TestDb
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -CacheTtlSeconds 300 -BackendConfig @{ password = 'hunter2' } -Database $db | Out-Null
        New-PrismNamespace cache -Backend redis -Pattern keyvalue -Database $db | Out-Null
        Set-PrismNamespace orders -CacheTtlSeconds 60 -AddTag prod, eu -Reason 'tune' -Database $db
        Set-PrismNamespace orders -BackendConfig @{ password = 'topsecret2' } -Database $db
        Disable-PrismNamespace orders -Database $db
        $db
    }
}

Describe 'Get-PrismNamespaceHistory on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'returns every entry of every namespace, oldest first' {
            $db = New-Seeded
            $h = Get-PrismNamespaceHistory -Database $db
            $h[0].GetType().FullName | Should -Be 'PrismConfig.HistoryEntry'
            $h.Count | Should -Be 5
            ($h | ForEach-Object { "$($_.Name)/$($_.Version)/$($_.Operation)" }) | Should -Be @('orders/1/create', 'cache/1/create', 'orders/2/update', 'orders/3/update', 'orders/4/disable')
            $h[2].Reason | Should -Be 'tune'
            $h[2].OldConfig.CacheTtlSeconds | Should -Be 300
            $h[2].NewConfig.CacheTtlSeconds | Should -Be 60
        }

        It 'filters by name, operation, version, changed-by and -Last (still oldest first)' {
            $db = New-Seeded
            (Get-PrismNamespaceHistory orders -Database $db).Version | Should -Be @(1, 2, 3, 4)
            (Get-PrismNamespaceHistory 'ca*' -Database $db).Name | Should -Be @('cache')
            (Get-PrismNamespaceHistory -Operation create -Database $db).Name | Should -Be @('orders', 'cache')
            (Get-PrismNamespaceHistory orders -Version 3 -Database $db).Operation | Should -Be 'update'
            (Get-PrismNamespaceHistory orders -Last 2 -Database $db).Version | Should -Be @(3, 4)
            $me = (Get-PrismNamespaceHistory orders -Version 1 -Database $db).ChangedBy
            $me | Should -Not -BeNullOrEmpty
            @(Get-PrismNamespaceHistory -ChangedBy $me -Database $db).Count | Should -Be 5
            @(Get-PrismNamespaceHistory -ChangedBy 'someone-else' -Database $db).Count | Should -Be 0
        }

        It 'filters by -Since and -Until, reading a DateTime of unspecified kind as local time' {
            $db = New-Seeded
            $future = [datetime]::SpecifyKind((Get-Date).AddMinutes(5), 'Unspecified')
            $past = [datetime]::SpecifyKind((Get-Date).AddMinutes(-5), 'Unspecified')
            @(Get-PrismNamespaceHistory -Since $future -Database $db).Count | Should -Be 0
            @(Get-PrismNamespaceHistory -Since $past -Database $db).Count | Should -Be 5
            @(Get-PrismNamespaceHistory -Until $past -Database $db).Count | Should -Be 0
            @(Get-PrismNamespaceHistory -Until ([datetime]::UtcNow.AddMinutes(5)) -Database $db).Count | Should -Be 5
        }

        It 'takes Name from a piped namespace and from strings' {
            $db = New-Seeded
            (Get-PrismNamespace cache -Database $db | Get-PrismNamespaceHistory -Database $db).Operation | Should -Be 'create'
            ('orders' | Get-PrismNamespaceHistory -Last 1 -Database $db).Operation | Should -Be 'disable'
        }

        It 'reports a literal name that never existed as ObjectNotFound' {
            $db = New-Seeded
            Get-PrismNamespaceHistory nope -Database $db -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.GetPrismNamespaceHistoryCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -Be 'nope'
            Get-PrismNamespaceHistory 'nope*' -Database $db -ErrorVariable err2 | Should -BeNullOrEmpty
            $err2 | Should -BeNullOrEmpty
        }

        It 'never creates a database' {
            $missing = New-TestDb
            { Get-PrismNamespaceHistory -Database $missing -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseNotFound,PrismConfig.PowerShell.Commands.GetPrismNamespaceHistoryCommand'
            $missing | Should -Not -Exist
        }

        It 'shows a table with a short change summary and masks secrets in every view' {
            $db = New-Seeded
            $h = Get-PrismNamespaceHistory orders -Database $db
            $table = $h | Out-String -Width 200
            $table | Should -Match 'Name\s+Version\s+Operation\s+ChangedAt\s+ChangedBy\s+Changes'
            $table | Should -Match 'orders\s+2\s+update\s+.*CacheTtlSeconds, Tags \(\+2\)'
            $table | Should -Match 'orders\s+4\s+disable\s+.*Status'
            $list = $h | Format-List | Out-String -Width 200
            $list | Should -Match 'CacheTtlSeconds: 300 → 60'
            $list | Should -Match 'BackendConfig\.password: \*{8} → \*{8}'
            $list | Should -Not -Match 'hunter2|topsecret2'
            ($h[2].Changes | Out-String) | Should -Not -Match 'hunter2|topsecret2'
            ($h[2].Changes | Format-List | Out-String) | Should -Match '\*{8}'
            ($h[2].OldConfig | Format-List | Out-String) | Should -Not -Match 'hunter2'
            $h[2].OldConfig.BackendConfig.password | Should -Be 'hunter2'
            ($h[2].Changes | Where-Object Property -Like 'BackendConfig*').NewValue | Should -Be 'topsecret2'
        }

        It 'exports with ConvertTo-Json, Export-Csv and Group-Object' {
            $db = New-Seeded
            $h = Get-PrismNamespaceHistory -Database $db
            $json = $h | ConvertTo-Json -Depth 5 | ConvertFrom-Json
            $json.Count | Should -Be 5
            $json[2].NewConfig.CacheTtlSeconds | Should -Be 60
            $csv = Join-Path $TestDrive 'history.csv'
            { $h | Export-Csv $csv -NoTypeInformation } | Should -Not -Throw
            (Import-Csv $csv).Operation | Should -Be @('create', 'create', 'update', 'update', 'disable')
            ($h | Group-Object Name | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) | Should -Be @('cache=1', 'orders=4')
        }

        It 'works with $env:PRISM_CONFIG_DB and sees another process''s writes' {
            $db = New-Seeded
            $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; Enable-PrismNamespace orders -Reason child -Database '$db'"
            $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
            $old = $env:PRISM_CONFIG_DB
            $env:PRISM_CONFIG_DB = $db
            try { $last = Get-PrismNamespaceHistory orders -Last 1 }
            finally { $env:PRISM_CONFIG_DB = $old }
            $last.Operation | Should -Be 'enable'
            $last.Reason | Should -Be 'child'
            $last.Version | Should -Be 5
        }

        It 'completes -Version with the versions of the named namespace, newest first' {
            $db = New-Seeded
            $line = "Get-PrismNamespaceHistory orders -Database '$db' -Version "
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('4', '3', '2', '1')
            $line = "Restore-PrismNamespace -Name orders -Database '$db' -Version 2"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('2')
        }
    }
}
