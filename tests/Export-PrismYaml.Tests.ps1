# Export-PrismYaml: the import format, to the pipeline as one string or to a private file.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force

    function script:New-Db { New-TestStore $Engine $TestDrive }
    function script:New-Yaml([string] $Text) {
        $path = Join-Path $TestDrive ("{0}.yaml" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        [IO.File]::WriteAllText($path, $Text)
        $path
    }
}

Describe 'Export-PrismYaml on <Engine>' -ForEach (Get-TestEngine) {
    Context 'on <Engine>' -Skip:$Skip {
        BeforeAll {
            $script:Seeded = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 30 -Seed 4242)) -Database $Seeded -WarningAction SilentlyContinue | Out-Null
        }

        It 'outputs one string, sorted by name' {
            $out = @(Export-PrismYaml -Database $Seeded)
            $out.Count | Should -Be 1
            $out[0] | Should -BeOfType [string]
            $names = [regex]::Matches($out[0], '(?m)^  - name: (\S+)') | ForEach-Object { $_.Groups[1].Value }
            $names.Count | Should -Be 30
            $sorted = [string[]]$names.Clone(); [Array]::Sort($sorted, [StringComparer]::Ordinal)
            $names | Should -Be $sorted
        }

        It 'is stable: two exports are identical' {
            Export-PrismYaml -Database $Seeded | Should -BeExactly (Export-PrismYaml -Database $Seeded)
        }

        It 'round-trips random namespaces through an empty database (seed <_>)' -ForEach @(1, 2, 3, 4) {
            $source = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 15 -Seed $_)) -Database $source | Out-Null
            $exported = Export-PrismYaml -Database $source
            $target = New-Db
            Import-PrismYaml (New-Yaml $exported) -Database $target | Out-Null
            Export-PrismYaml -Database $target | Should -BeExactly $exported
            $back = Import-PrismYaml (New-Yaml $exported) -Database $source
            ($back | ForEach-Object Action | Select-Object -Unique) | Should -Be 'Unchanged'
        }

        It 'filters by -Name wildcard, -Backend and -Status' {
            $db = New-Db
            Import-PrismYaml (New-Yaml @'
namespaces:
  - name: orders-pg
    backend: postgres
    pattern: keyvalue
  - name: orders-cache
    backend: redis
    pattern: keyvalue
    status: disabled
  - name: users-pg
    backend: postgres
    pattern: keyvalue
'@) -Database $db | Out-Null
            $byName = Export-PrismYaml -Database $db -Name 'orders-*'
            $byName | Should -Match 'orders-pg'
            $byName | Should -Match 'orders-cache'
            $byName | Should -Not -Match 'users-pg'
            $byBackend = Export-PrismYaml -Database $db -Backend postgres
            $byBackend | Should -Match 'users-pg'
            $byBackend | Should -Not -Match 'orders-cache'
            $byStatus = Export-PrismYaml -Database $db -Status disabled
            ([regex]::Matches($byStatus, '(?m)^  - name: ')).Count | Should -Be 1
            $byStatus | Should -Match 'orders-cache'
        }

        It 'exports exactly the piped namespaces, and nothing for an empty pipeline' {
            $db = New-Db
            New-PrismNamespace app-1 -Backend redis -Pattern keyvalue -Tag production -Database $db | Out-Null
            New-PrismNamespace app-2 -Backend redis -Pattern keyvalue -Tag staging -Database $db | Out-Null
            New-PrismNamespace app-3 -Backend redis -Pattern keyvalue -Tag production -Database $db | Out-Null
            $out = @(Get-PrismNamespace -Tag production -Database $db | Export-PrismYaml -Database $db -ErrorVariable err)
            $err | Should -BeNullOrEmpty
            $out.Count | Should -Be 1
            $names = [regex]::Matches($out[0], '(?m)^  - name: (\S+)') | ForEach-Object { $_.Groups[1].Value }
            $names | Should -Be @('app-1', 'app-3')
            $none = Get-PrismNamespace -Tag nothing -Database $db | Export-PrismYaml -Database $db
            $none | Should -Not -Match 'name:'
            'app-2' | Export-PrismYaml -Database $db -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
            $err[0].FullyQualifiedErrorId | Should -Be 'InputNotANamespace,PrismConfig.PowerShell.Commands.ExportPrismYamlCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidType'
        }

        It 'refuses to write values that look like secrets, naming each namespace and key, and writes nothing' {
            $db = New-Db
            New-PrismNamespace pay-db -Backend postgres -Pattern keyvalue -BackendConfig @{ host = 'db1'; password = 'hunter2'; url = 'postgres://app:pw@db1/pay' } -Database $db | Out-Null
            New-PrismNamespace pay-cache -Backend redis -Pattern keyvalue -BackendConfig @{ api_token = 'abc' } -Database $db | Out-Null
            New-PrismNamespace pay-ok -Backend redis -Pattern keyvalue -BackendConfig @{ host = 'cache' } -Database $db | Out-Null
            $file = Join-Path $TestDrive 'secrets.yaml'
            foreach ($call in @({ Export-PrismYaml -Path $file -Database $db }, { Export-PrismYaml -Database $db })) {
                $e = $null
                try { & $call } catch { $e = $_ }
                $e.FullyQualifiedErrorId | Should -Be 'ExportContainsSecrets,PrismConfig.PowerShell.Commands.ExportPrismYamlCommand'
                $e.CategoryInfo.Category | Should -Be 'SecurityError'
                "$e" | Should -Match 'pay-db: backend_config.password'
                "$e" | Should -Match 'pay-db: backend_config.url'
                "$e" | Should -Match 'pay-cache: backend_config.api_token'
                "$e" | Should -Not -Match 'pay-ok|hunter2|abc'
                $e.ErrorDetails.RecommendedAction | Should -Match 'IncludeSecrets'
            }
            $file | Should -Not -Exist
            @(Get-ChildItem -Force $TestDrive -Filter '.secrets.yaml*').Count | Should -Be 0
            Export-PrismYaml -Database $db -Name pay-ok | Should -Match 'pay-ok'
            Export-PrismYaml -Path $file -Database $db -IncludeSecrets
            Get-Content -Raw $file | Should -Match 'hunter2'
        }

        It 'writes vault://, secret:// and env: references as they are, and they import verbatim' {
            $db = New-Db
            $refs = @{ password = 'vault://kv/pay#password'; api_token = 'secret://prism/pay-token'; secret_key = 'env:PAY_SECRET_KEY' }
            New-PrismNamespace pay-refs -Backend postgres -Pattern keyvalue -BackendConfig $refs -Database $db | Out-Null
            $yaml = Export-PrismYaml -Database $db
            $yaml | Should -Match 'password: "?vault://kv/pay#password"?'
            $yaml | Should -Match 'api_token: secret://prism/pay-token'
            $yaml | Should -Match 'secret_key: env:PAY_SECRET_KEY'
            $copy = New-Db
            Import-PrismYaml (New-Yaml $yaml) -Database $copy | Out-Null
            $ns = Get-PrismNamespace pay-refs -Database $copy
            foreach ($k in $refs.Keys) { $ns.BackendConfig[$k] | Should -BeExactly $refs[$k] }
            # Masking leaves references visible: they say where a secret is, not what it is.
            $shown = $ns | Format-List | Out-String
            $shown | Should -Match 'vault://kv/pay#password'
            $shown | Should -Match 'env:PAY_SECRET_KEY'
            # A reference with a password in it is not one.
            Set-PrismNamespace pay-refs -BackendConfigUpdate @{ password = 'vault://user:pw@vault/kv' } -Database $copy
            { Export-PrismYaml -Database $copy } | Should -Throw -ErrorId 'ExportContainsSecrets,PrismConfig.PowerShell.Commands.ExportPrismYamlCommand'
        }

        It 'writes a UTF-8 file without BOM, owner-only on Unix, relative to $PWD' {
            Push-Location $TestDrive
            try {
                $file = Export-PrismYaml 'export.yaml' -Database $Seeded -PassThru
            }
            finally { Pop-Location }
            $file | Should -BeOfType [IO.FileInfo]
            $file.FullName | Should -Be (Join-Path $TestDrive 'export.yaml')
            $bytes = [IO.File]::ReadAllBytes($file.FullName)
            $bytes[0..2] | Should -Not -Be @(0xEF, 0xBB, 0xBF)
            [Text.Encoding]::UTF8.GetString($bytes) | Should -BeExactly (Export-PrismYaml -Database $Seeded)
            if (-not $IsWindows) {
                [IO.File]::GetUnixFileMode($file.FullName) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
            }
            Get-ChildItem $TestDrive -Filter '.export.yaml.*' -Force | Should -BeNullOrEmpty -Because 'no temporary file is left behind'
        }

        It 'replaces an existing file by default, and refuses with -NoClobber' {
            $path = Join-Path $TestDrive 'clobber.yaml'
            Set-Content $path 'old content'
            Export-PrismYaml $path -Database $Seeded
            Get-Content -Raw $path | Should -BeExactly (Export-PrismYaml -Database $Seeded)
            Set-Content $path 'keep me'
            $err = { Export-PrismYaml $path -Database $Seeded -NoClobber } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ExportFileExists,*'
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.TargetObject | Should -Be $path
            (Get-Content -Raw $path).Trim() | Should -Be 'keep me'
        }

        It 'completes -Name, -Backend and -Status from the database in use' {
            $first = (Get-PrismNamespace -Database $Seeded)[0]
            $prefix = $first.Name.Substring(0, [Math]::Min(4, $first.Name.Length))
            $expected = @((Get-PrismNamespace -Database $Seeded -Name "$prefix*").Name)
            $line = "Export-PrismYaml -Database '$Seeded' -Name $prefix"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be $expected
            $line = "Export-PrismYaml -Database '$Seeded' -Backend "
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
                Should -Be @((Get-PrismNamespace -Database $Seeded).Backend | Sort-Object -Unique -CaseSensitive)
            $line = 'Export-PrismYaml -Status m'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('migrating')
        }

        It 'writes nothing under -WhatIf' {
            $path = Join-Path $TestDrive 'whatif.yaml'
            Export-PrismYaml $path -Database $Seeded -WhatIf
            $path | Should -Not -Exist
        }

        It 'never creates a database: a missing one is DatabaseNotFound' {
            $db = Join-Path $TestDrive 'missing.db'
            $err = { Export-PrismYaml -Database $db } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'DatabaseNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.TargetObject | Should -Be $db
            $db | Should -Not -Exist
        }

        It 'fails cleanly when the target folder does not exist' {
            $path = Join-Path $TestDrive 'no/such/folder/x.yaml'
            $err = { Export-PrismYaml $path -Database $Seeded } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ExportFolderNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }
}

Describe 'Export-PrismYaml from a SQLite file' {
    It 'refuses a corrupt database as InvalidData and does not change it' {
        $db = Join-Path $TestDrive 'corrupt.db'
        $bytes = [byte[]]::new(8192); [Random]::new(8).NextBytes($bytes)
        [IO.File]::WriteAllBytes($db, $bytes)
        $hash = (Get-FileHash $db).Hash
        $err = { Export-PrismYaml -Database $db } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $db
        (Get-FileHash $db).Hash | Should -Be $hash
    }
}
