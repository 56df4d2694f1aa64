# Initialize-PrismConfig: the ADR's start-up sequence, idempotent, on both engines.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force

    # $Engine resolves when a test calls it, from the -ForEach data of its Describe (or a Describe's BeforeAll). A
    # SQLite store goes in a folder that does not exist yet, which Initialize-PrismConfig must create.
    function script:New-Db {
        if ($Engine -eq 'Postgres') { return New-TestStore Postgres }
        Join-Path $TestDrive ("init-{0}/config.db" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
    }
    # Whether a store was created: a SQLite store is its file; a PostgreSQL database exists before the first
    # write, so there it is the schema.
    function script:Test-StoreCreated([string] $Db) {
        if ($Engine -eq 'Postgres') {
            [long](Invoke-TestPsql -Uri $Db -Sql "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')") -gt 0
        }
        else { Test-Path -LiteralPath $Db }
    }
    function script:New-Yaml([string] $Text) {
        $path = Join-Path $TestDrive ("{0}.yaml" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        [IO.File]::WriteAllText($path, $Text)
        $path
    }
    $script:Seed = New-Yaml @'
namespaces:
  - name: user-profiles
    backend: postgres
    pattern: keyvalue
    consistency: strong
    connection_string: postgres://db:5432/profiles
'@
}

Describe 'Initialize-PrismConfig on <Engine>' -ForEach (Get-TestEngine) {
    Context 'start-up' -Skip:$Skip {
        It 'creates the store and reports the status' {
            $db = New-Db
            $status = Initialize-PrismConfig -Database $db
            $status.GetType().FullName | Should -Be 'PrismConfig.StoreStatus'
            $status.Path | Should -Be $db
            $status.SchemaVersion | Should -Be 4
            $status.Namespaces | Should -Be 0
            $status.Imported | Should -BeFalse
            $status.Created | Should -BeTrue
            Test-StoreCreated $db | Should -BeTrue
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
        }

        It 'imports -FromYaml into an empty store, and is idempotent' {
            $db = New-Db
            $first = Initialize-PrismConfig -Database $db -FromYaml $Seed
            $first.Imported | Should -BeTrue
            $first.Namespaces | Should -Be 1
            $before = Export-PrismYaml -Database $db
            $second = Initialize-PrismConfig -Database $db -FromYaml $Seed
            $second.Imported | Should -BeFalse
            $second.Created | Should -BeFalse
            $second.Namespaces | Should -Be 1
            Export-PrismYaml -Database $db | Should -BeExactly $before
            @(Get-PrismTestHistory $db).Count | Should -Be 1
        }

        It 'does not import (or even read) the YAML when the store already has namespaces' {
            $db = New-Db
            Initialize-PrismConfig -Database $db -FromYaml $Seed | Out-Null
            $other = New-Yaml (New-RandomNamespaceYaml -Count 4 -Seed 1)
            $status = Initialize-PrismConfig -Database $db -FromYaml $other
            $status.Imported | Should -BeFalse
            $status.Namespaces | Should -Be 1
            # A missing or broken file does not matter once the store is seeded: start-up must still succeed.
            (Initialize-PrismConfig -Database $db -FromYaml (Join-Path $TestDrive 'gone.yaml')).Namespaces | Should -Be 1
        }

        It 'imports into an existing but empty store' {
            $db = New-Db
            Initialize-PrismConfig -Database $db | Out-Null
            $status = Initialize-PrismConfig -Database $db -FromYaml (New-Yaml (New-RandomNamespaceYaml -Count 6 -Seed 6))
            $status.Imported | Should -BeTrue
            $status.Namespaces | Should -Be 6
        }

        It 'creates nothing when the YAML is bad, and names file and line' {
            $db = New-Db
            $bad = New-Yaml "namespaces:`n  - name: bad-one`n    backend: redis`n    pattern: keyvalue`n    colour: blue`n"
            $err = { Initialize-PrismConfig -Database $db -FromYaml $bad } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'
            $err.Exception.Message | Should -Match ([regex]::Escape($bad) + ':5:')
            Test-StoreCreated $db | Should -BeFalse
        }

        It 'refuses a missing -FromYaml file as YamlFileNotFound, like Import-PrismYaml, and creates nothing' {
            $db = New-Db
            $missing = Join-Path $TestDrive 'no-such-file.yaml'
            { Initialize-PrismConfig -Database $db -FromYaml $missing -ErrorAction Stop } | Should -Throw -ErrorId 'YamlFileNotFound,*'
            $err = $null
            try { Initialize-PrismConfig -Database $db -FromYaml $missing -ErrorAction Stop } catch { $err = $_ }
            "$($err.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
            $err.TargetObject | Should -Be $missing
            Test-StoreCreated $db | Should -BeFalse
        }

        It 'refuses a folder as -FromYaml as YamlPathIsFolder, as the README says, and creates nothing' {
            $db = New-Db
            $folder = Join-Path $TestDrive "yaml-folder-$([guid]::NewGuid())"
            $null = New-Item -ItemType Directory -Path $folder
            { Initialize-PrismConfig -Database $db -FromYaml $folder -ErrorAction Stop } | Should -Throw -ErrorId 'YamlPathIsFolder,*'
            Test-StoreCreated $db | Should -BeFalse
        }

        It 'creates nothing under -WhatIf' {
            $db = New-Db
            Initialize-PrismConfig -Database $db -FromYaml $Seed -WhatIf
            Test-StoreCreated $db | Should -BeFalse
            # Nor the folder a SQLite file would have gone in.
            if ($Engine -eq 'Sqlite') { Split-Path $db | Should -Not -Exist }
        }

        It 'imports nothing under -WhatIf into an existing empty store' {
            $db = New-Db
            Initialize-PrismConfig -Database $db | Out-Null
            Initialize-PrismConfig -Database $db -FromYaml $Seed -WhatIf
            (Initialize-PrismConfig -Database $db).Namespaces | Should -Be 0
            @(Get-PrismTestHistory $db).Count | Should -Be 0
        }

        It 'follows $env:PRISM_CONFIG_DB when -Database is not given' {
            $db = New-Db
            $saved = $env:PRISM_CONFIG_DB
            try {
                $env:PRISM_CONFIG_DB = $db
                (Initialize-PrismConfig).Path | Should -Be $db
            }
            finally { $env:PRISM_CONFIG_DB = $saved }
            Test-StoreCreated $db | Should -BeTrue
        }
    }
}

# Inherently about a file: its folder, its mode, and bytes that are not a database.
Describe 'Initialize-PrismConfig on a SQLite file' {
    BeforeAll { $Engine = 'Sqlite' }

    # The status it reports is the engine Describe's to check; here, only what is about the file.
    It 'creates the database and its folder, readable by its owner only' {
        $db = New-Db
        (Initialize-PrismConfig -Database $db).Created | Should -BeTrue
        $db | Should -Exist
        if (-not $IsWindows) {
            [IO.File]::GetUnixFileMode($db) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        }
        (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
    }

    It 'refuses a corrupt file as InvalidData and never overwrites it' {
        $db = Join-Path $TestDrive 'corrupt-init.db'
        $bytes = [byte[]]::new(4096); [Random]::new(3).NextBytes($bytes)
        [IO.File]::WriteAllBytes($db, $bytes)
        $hash = (Get-FileHash $db).Hash
        $err = { Initialize-PrismConfig -Database $db -FromYaml $Seed } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $db
        (Get-FileHash $db).Hash | Should -Be $hash
    }
}
