# Compare-PrismNamespace: field-by-field diffs with masked values, between versions and between YAML files and the store.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-TestDb { New-TestStore $Engine $TestDrive }
    function New-Yaml([string] $Text) {
        $path = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.yaml')
        [IO.File]::WriteAllText($path, $Text)
        $path
    }
    function New-Seeded {
        $db = New-TestDb
        New-PrismNamespace orders -Backend postgres -Pattern keyvalue -CacheTtlSeconds 300 -Tag prod -BackendConfig @{ host = 'db1'; password = 'hunter2' } -Database $db | Out-Null
        Set-PrismNamespace orders -CacheTtlSeconds 60 -AddTag eu -Database $db
        Set-PrismNamespace orders -BackendConfigUpdate @{ host = 'db2'; password = 'swordfish' } -Description 'Orders' -Database $db
        $db
    }
}

Describe 'Compare-PrismNamespace on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        It 'emits one object per changed field between two versions, with old and new values' {
            $db = New-Seeded
            $diff = @(Compare-PrismNamespace orders -ReferenceVersion 1 -DifferenceVersion 2 -Database $db)
            ($diff.Path | Sort-Object) | Should -Be @('CacheTtlSeconds', 'Tags')
            $ttl = $diff | Where-Object Path -EQ CacheTtlSeconds
            $ttl.Name | Should -Be 'orders'
            $ttl.OldValue | Should -Be 300
            $ttl.NewValue | Should -Be 60
            $diff[0].PSObject.TypeNames[0] | Should -Be 'PrismConfig.FieldChange'
        }

        It 'compares with the current state when -DifferenceVersion is omitted, and masks secrets in the objects' {
            $db = New-Seeded
            $diff = @(Compare-PrismNamespace orders -ReferenceVersion 2 -Database $db)
            ($diff.Path | Sort-Object) | Should -Be @('BackendConfig.host', 'BackendConfig.password', 'Description')
            $pw = $diff | Where-Object Path -EQ 'BackendConfig.password'
            $pw.OldValue | Should -Be '********'
            $pw.NewValue | Should -Be '********'
            ($diff | Where-Object Path -EQ 'BackendConfig.host').NewValue | Should -Be 'db2'
            $text = $diff | Format-Table | Out-String
            $text | Should -Not -Match 'hunter2|swordfish'
            $text | Should -Match 'BackendConfig.host\s+db1\s+db2'
            $text | Should -Match 'Namespace: orders'
            @(Compare-PrismNamespace orders -ReferenceVersion 3 -Database $db).Count | Should -Be 0
        }

        It 'reports an unknown version and namespace as ObjectNotFound errors' {
            $db = New-Seeded
            Compare-PrismNamespace orders -ReferenceVersion 9 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'VersionNotFound,PrismConfig.PowerShell.Commands.ComparePrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            Compare-PrismNamespace nothing -ReferenceVersion 1 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.ComparePrismNamespaceCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $missing = New-TestDb
            $e = $null
            try { Compare-PrismNamespace orders -ReferenceVersion 1 -Database $missing } catch { $e = $_ }
            $e.FullyQualifiedErrorId | Should -Be 'DatabaseNotFound,PrismConfig.PowerShell.Commands.ComparePrismNamespaceCommand'
            $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $missing | Should -Not -Exist
        }

        It 'compares YAML files with the store: what an import would change, writing nothing' {
            $db = New-Seeded
            New-PrismNamespace stay -Backend redis -Pattern keyvalue -Database $db | Out-Null
            $yaml = New-Yaml @'
namespaces:
  - name: orders
    description: Orders
    backend: postgres
    pattern: keyvalue
    cache_ttl_seconds: 30
    tags: [eu, prod]
    backend_config:
      host: db3
      password: swordfish
  - name: fresh
    backend: redis
    pattern: keyvalue
    backend_config:
      url: redis://app:s3cret@cache:6379
'@
            $diff = @(Compare-PrismNamespace -Path $yaml -Database $db)
            $orders = @($diff | Where-Object Name -EQ orders)
            ($orders.Path | Sort-Object) | Should -Be @('BackendConfig.host', 'CacheTtlSeconds')
            ($orders | Where-Object Path -EQ CacheTtlSeconds).OldValue | Should -Be 60
            ($orders | Where-Object Path -EQ CacheTtlSeconds).NewValue | Should -Be 30
            $fresh = @($diff | Where-Object Name -EQ fresh)
            $fresh.Path | Should -Contain 'Backend'
            ($fresh | Where-Object Path -EQ 'BackendConfig.url').NewValue | Should -Be 'redis://app:********@cache:6379'
            ($fresh | Where-Object Path -EQ 'Backend').OldValue | Should -BeNullOrEmpty
            $diff.Name | Should -Not -Contain 'stay'
            (Get-PrismNamespace orders -Database $db).Version | Should -Be 3
            Get-PrismNamespace fresh -Database $db -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

            $missing = New-TestDb
            @(Compare-PrismNamespace -Path $yaml -Database $missing | Select-Object -ExpandProperty Name -Unique) | Should -Be @('orders', 'fresh')
            $missing | Should -Not -Exist
        }

        It 'refuses a bad file with its file and line, and a missing file' {
            $db = New-Seeded
            $bad = New-Yaml "namespaces:`n  - name: orders`n    bogus: 1`n"
            $e = $null
            try { Compare-PrismNamespace -Path $bad -Database $db } catch { $e = $_ }
            $e.FullyQualifiedErrorId | Should -Be 'YamlInvalid,PrismConfig.PowerShell.Commands.ComparePrismNamespaceCommand'
            $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
            "$e" | Should -Match ([regex]::Escape($bad) + ':3:')
            $e = $null
            try { Compare-PrismNamespace -Path (Join-Path $TestDrive 'none.yaml') -Database $db } catch { $e = $_ }
            $e.FullyQualifiedErrorId | Should -Be 'YamlFileNotFound,PrismConfig.PowerShell.Commands.ComparePrismNamespaceCommand'
            $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'completes -ReferenceVersion with the versions of the named namespace' {
            $db = New-Seeded
            $line = "Compare-PrismNamespace orders -Database '$db' -ReferenceVersion "
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r.CompletionMatches.CompletionText | Should -Be @('3', '2', '1')
        }
    }
}

Describe 'Compare-PrismNamespace on a SQLite file' {
    It 'skips a damaged namespace with a non-terminating NamespaceDamaged error and compares the rest' {
        Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force
        $db = New-Seeded
        New-PrismNamespace broken -Backend redis -Pattern keyvalue -Database $db | Out-Null
        Invoke-RawSql -Database $db -Sql "UPDATE namespaces SET backend_config = 'not json' WHERE name = 'broken'"
        $yaml = New-Yaml "namespaces:`n  - name: broken`n    backend: redis`n    pattern: keyvalue`n  - name: orders`n    backend: postgres`n    pattern: keyvalue`n    cache_ttl_seconds: 5`n    description: Orders`n    tags: [eu, prod]`n    backend_config:`n      host: db2`n      password: swordfish`n"
        $diff = @(Compare-PrismNamespace -Path $yaml -Database $db -ErrorAction SilentlyContinue -ErrorVariable err)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceDamaged,PrismConfig.PowerShell.Commands.ComparePrismNamespaceCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $diff.Path | Should -Be @('CacheTtlSeconds')
    }
}
