# Literal matching: SQL and wildcard metacharacters (' " % _ ; -- [ * and non-ASCII) are stored and matched literally
# wherever validation allows them, and rejected with a ValidationFailed error naming the field where it does not.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
    Import-Module (Get-PrismTestModulePath) -Force
    $script:Db = Join-Path $TestDrive 'literal/config.db'
    $script:Hostile = @(
        "'; DROP TABLE namespaces; --"
        'Robert"); DELETE FROM namespace_history; --'
        '100% _sure_ [not] *all* ?one? \back\slash'
        "O'Brien's ""quoted"" value; -- comment /* block */"
        'naïve café — 東京 — ключ — 🔥 — ﷽'
        "tab`there, newline`nthere, nul-free"
        '%'
        '_'
        '*'
        '['
    )
    $script:Checked = 0
    New-PrismNamespace -Name abc -Backend redis -Pattern keyvalue -Tag prod -Database $Db -ErrorAction Stop | Out-Null
    New-PrismNamespace -Name abcd -Backend redis -Pattern keyvalue -Tag non-prod -Database $Db -ErrorAction Stop | Out-Null
    New-PrismNamespace -Name ab-c -Backend redis -Pattern keyvalue -Tag prod-eu -Database $Db -ErrorAction Stop | Out-Null
}

Describe 'Values full of metacharacters' {
    It 'round-trips a description exactly: <_>' -ForEach @(
        "'; DROP TABLE namespaces; --"
        'Robert"); DELETE FROM namespace_history; --'
        '100% _sure_ [not] *all* ?one? \back\slash'
        "O'Brien's ""quoted"" value; -- comment /* block */"
        'naïve café — 東京 — ключ — 🔥 — ﷽'
    ) {
        $value = $_
        Set-PrismNamespace -Name abc -Description $value -Reason "why: $value" -Database $Db -ErrorAction Stop
        (Get-PrismNamespace -Name abc -Database $Db).Description | Should -BeExactly $value
        $last = Get-PrismNamespaceHistory -Name abc -Last 1 -Database $Db
        $last.Reason | Should -BeExactly "why: $value"
        $last.NewConfig.Description | Should -BeExactly $value
        $script:Checked++
    }

    It 'round-trips backend_config keys and values exactly, through the store and through YAML' {
        $config = @{}
        $i = 0
        foreach ($v in $Hostile) { $config["key $v $i"] = $v; $i++ }
        $config['nested'] = @{ "inner'%_" = @($Hostile) }
        New-PrismNamespace -Name hostile-config -Backend postgres -Pattern keyvalue -BackendConfig $config -Description $Hostile[0] -Database $Db -ErrorAction Stop | Out-Null
        $stored = (Get-PrismNamespace -Name hostile-config -Database $Db).BackendConfig
        foreach ($k in $config.Keys | Where-Object { $_ -ne 'nested' }) {
            $stored.ContainsKey($k) | Should -BeTrue -Because "key [$k]"
            $stored[$k] | Should -BeExactly $config[$k]
            $script:Checked++
        }
        $stored.nested["inner'%_"] | Should -BeExactly $Hostile

        # Export, import into a fresh store, export again: the text is identical.
        $yaml = Join-Path $TestDrive 'hostile.yaml'
        Export-PrismYaml -IncludeSecrets -Path $yaml -Name hostile-config -Database $Db -ErrorAction Stop | Out-Null
        $other = Join-Path $TestDrive 'literal-copy/config.db'
        Import-PrismYaml -Path $yaml -Database $other -ErrorAction Stop | Out-Null
        $copy = Get-PrismNamespace -Name hostile-config -Database $other
        foreach ($k in $config.Keys | Where-Object { $_ -ne 'nested' }) { $copy.BackendConfig[$k] | Should -BeExactly $config[$k] }
        $copy.Description | Should -BeExactly $Hostile[0]
        Export-PrismYaml -IncludeSecrets -Database $other | Should -BeExactly (Export-PrismYaml -IncludeSecrets -Name hostile-config -Database $Db)
    }

    It 'leaves every table in place' {
        (Test-PrismConfig -Database $Db).IsHealthy | Should -BeTrue
        @(Get-PrismNamespace -Database $Db).Count | Should -Be 4
        @(Get-PrismNamespaceHistory -Database $Db).Count | Should -BeGreaterThan 5
    }
}

Describe 'Filters with metacharacters match literally' {
    It "Get-PrismNamespace -Name '<Pattern>' returns <Expected>" -ForEach @(
        @{ Pattern = 'ab%'; Expected = '' }
        @{ Pattern = 'abc_'; Expected = '' }
        @{ Pattern = 'ab_c'; Expected = '' }
        @{ Pattern = '%'; Expected = '' }
        @{ Pattern = "abc'"; Expected = '' }
        @{ Pattern = "abc' OR '1'='1"; Expected = '' }
        @{ Pattern = 'ab%*'; Expected = '' }
        @{ Pattern = 'abc_*'; Expected = '' }
        @{ Pattern = "abc'*"; Expected = '' }
        @{ Pattern = 'a[b]*'; Expected = '' }
        @{ Pattern = 'abc*'; Expected = 'abc,abcd' }
        @{ Pattern = 'ab?c'; Expected = 'ab-c' }
        @{ Pattern = 'ab-*'; Expected = 'ab-c' }
        @{ Pattern = '*'; Expected = 'ab-c,abc,abcd,hostile-config' }
    ) {
        $found = @(Get-PrismNamespace -Name $Pattern -Database $Db -ErrorAction SilentlyContinue -ErrorVariable problems)
        (@($found.Name) | Sort-Object) -join ',' | Should -Be ((@($Expected -split ',' | Where-Object { $_ }) | Sort-Object) -join ',')
        # A literal name that does not exist may be reported as not found; nothing else, and never SQLite's words.
        foreach ($p in $problems) {
            $p.FullyQualifiedErrorId | Should -BeLike 'NamespaceNotFound,*'
            "$p" | Should -Not -Match 'SQLite|syntax error|unrecognized token'
        }
        $script:Checked++
    }

    It "Get-PrismNamespace -Tag '<Tag>' returns <Expected>" -ForEach @(
        @{ Tag = 'prod'; Expected = 'abc' }
        @{ Tag = 'non-prod'; Expected = 'abcd' }
        @{ Tag = 'prod%'; Expected = '' }
        @{ Tag = '%prod%'; Expected = '' }
        @{ Tag = 'prod_eu'; Expected = '' }
        @{ Tag = 'prod*'; Expected = '' }
        @{ Tag = "prod' OR '1'='1"; Expected = '' }
        @{ Tag = '"prod"'; Expected = '' }
    ) {
        $found = @(Get-PrismNamespace -Tag $Tag -Database $Db -ErrorAction SilentlyContinue -ErrorVariable problems)
        (@($found.Name) | Sort-Object) -join ',' | Should -Be ((@($Expected -split ',' | Where-Object { $_ }) | Sort-Object) -join ',')
        foreach ($p in $problems) {
            $p.FullyQualifiedErrorId | Should -BeLike 'ValidationFailed,*'
            "$p" | Should -BeLike "*'tags'*"
        }
        $script:Checked++
    }

    It 'Get-PrismNamespaceHistory matches names and authors literally' {
        @(Get-PrismNamespaceHistory -Name 'ab%' -Database $Db -ErrorAction SilentlyContinue).Count | Should -Be 0
        @(Get-PrismNamespaceHistory -Name 'abc_' -Database $Db -ErrorAction SilentlyContinue).Count | Should -Be 0
        @(Get-PrismNamespaceHistory -Name 'abc_*' -Database $Db -ErrorAction SilentlyContinue).Count | Should -Be 0
        @(Get-PrismNamespaceHistory -ChangedBy "x' OR '1'='1" -Database $Db -ErrorAction SilentlyContinue).Count | Should -Be 0
        @(Get-PrismNamespaceHistory -ChangedBy '%' -Database $Db -ErrorAction SilentlyContinue).Count | Should -Be 0
        @(Get-PrismNamespaceHistory -Name 'abc' -Database $Db).Name | Sort-Object -Unique | Should -Be 'abc'
        $script:Checked += 4
    }
}

Describe 'Metacharacters where validation forbids them' {
    It "rejects <Field> '<Value>' with ValidationFailed naming the field, writing nothing" -ForEach @(
        @{ Field = 'name'; Value = "x'; DROP TABLE namespaces; --"; Call = { param($v, $db) New-PrismNamespace -Name $v -Backend redis -Pattern keyvalue -Database $db } }
        @{ Field = 'name'; Value = 'abc%'; Call = { param($v, $db) New-PrismNamespace -Name $v -Backend redis -Pattern keyvalue -Database $db } }
        @{ Field = 'name'; Value = 'a_b'; Call = { param($v, $db) New-PrismNamespace -Name $v -Backend redis -Pattern keyvalue -Database $db } }
        @{ Field = 'name'; Value = 'café'; Call = { param($v, $db) New-PrismNamespace -Name $v -Backend redis -Pattern keyvalue -Database $db } }
        @{ Field = 'tags'; Value = "prod'--"; Call = { param($v, $db) New-PrismNamespace -Name tag-test -Backend redis -Pattern keyvalue -Tag $v -Database $db } }
        @{ Field = 'tags'; Value = 'pro%d'; Call = { param($v, $db) Set-PrismNamespace -Name abc -AddTag $v -Database $db } }
        @{ Field = 'tags'; Value = 'a_b'; Call = { param($v, $db) Set-PrismNamespace -Name abc -Tag $v -Database $db } }
        @{ Field = 'backend'; Value = "redis'; --"; Call = { param($v, $db) Set-PrismNamespace -Name abc -Backend $v -Database $db } }
        @{ Field = 'features'; Value = "flag';--"; Call = { param($v, $db) Set-PrismNamespace -Name abc -Feature @{ $v = $true } -Database $db } }
    ) {
        $before = Export-PrismYaml -IncludeSecrets -Database $Db
        $err = $null
        # The script block runs in this scope: make its errors terminating.
        $ErrorActionPreference = 'Stop'
        try { & $Call $Value $Db } catch { $err = $_ }
        $ErrorActionPreference = 'Continue'
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ValidationFailed,*'
        "$err" | Should -BeLike "*'$Field*"
        "$err" | Should -Not -Match 'SQLite'
        Export-PrismYaml -IncludeSecrets -Database $Db | Should -BeExactly $before
        $script:Checked++
    }

    AfterAll {
        Write-ReliabilityFigure -Suite 'literal-matching' -Text "$script:Checked literal checks: metacharacters stored and matched literally, or rejected as ValidationFailed naming the field"
    }
}
