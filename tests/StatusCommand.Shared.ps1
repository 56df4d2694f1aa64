# The tests Disable-PrismNamespace and Enable-PrismNamespace share: the two cmdlets differ only in the status they set,
# so one body, run by each cmdlet's own test file with its own data, keeps them from drifting apart.
# Data each caller passes: Cmdlet, Opposite (the other cmdlet), Target and From (statuses), Operation (history), and
# Engine for the tests that run on both engines (see Add-StatusDescribes).

function Add-StatusDescribes {
    <# The cmdlet's Describes: its tests once per engine (Engine and Skip from Get-TestEngine), and its file cases. #>
    param([Parameter(Mandatory)][hashtable] $Data)
    Describe "$($Data.Cmdlet) on <Engine>" -ForEach @(Get-TestEngine | ForEach-Object { $_ + $Data }) {
        Context 'on <Engine>' -Skip:$Skip {
            Add-StatusCommandTests
        }
    }
    Describe "$($Data.Cmdlet) on a SQLite file" -ForEach @($Data) {
        Add-StatusFileTests
    }
}

function Add-StatusTestSetup {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        Import-Module (Get-PrismTestModulePath)
        $script:ErrorSuffix = 'PrismConfig.PowerShell.Commands.' + ($Cmdlet -replace '-', '') + 'Command'
        # $Engine is empty in the SQLite-file Describe, which New-TestStore takes as SQLite.
        function New-TestDb { New-TestStore $Engine $TestDrive }
        function New-Seeded {
            $db = New-TestDb
            foreach ($n in 'orders', 'cache-a', 'cache-b') {
                New-PrismNamespace $n -Backend redis -Pattern keyvalue -Status $From -Database $db | Out-Null
            }
            $db
        }
    }
}

function Add-StatusCommandTests {
    Add-StatusTestSetup

    It 'sets the status with its history entry and the reason' {
        $db = New-Seeded
        & $Cmdlet orders -Reason 'maintenance' -Database $db | Should -BeNullOrEmpty
        $ns = Get-PrismNamespace orders -Database $db
        $ns.Status | Should -Be $Target
        $ns.Version | Should -Be 2
        $h = Get-PrismNamespaceHistory orders -Database $db
        $h[-1].Operation | Should -Be $Operation
        $h[-1].Reason | Should -Be 'maintenance'
        (Get-PrismNamespace cache-a -Database $db).Status | Should -Be $From
    }

    It 'outputs the namespace with -PassThru' {
        $db = New-Seeded
        $ns = & $Cmdlet orders -PassThru -Database $db
        $ns.GetType().FullName | Should -Be 'PrismConfig.NamespaceConfig'
        $ns.Status | Should -Be $Target
        $ns.Version | Should -Be 2
    }

    It 'leaves a namespace already in that state alone, without an error' {
        $db = New-Seeded
        & $Cmdlet orders -Database $db
        & $Cmdlet orders -Database $db -ErrorVariable err
        $err | Should -BeNullOrEmpty
        (Get-PrismNamespace orders -Database $db).Version | Should -Be 2
        @(Get-PrismNamespaceHistory orders -Database $db).Count | Should -Be 2
    }

    It 'takes names from the pipeline, as strings, wildcards and namespaces' {
        $db = New-Seeded
        'cache-a' | & $Cmdlet -Database $db
        (Get-PrismNamespace cache-a -Database $db).Status | Should -Be $Target
        Get-PrismNamespace cache-b -Database $db | & $Cmdlet -Database $db
        (Get-PrismNamespace cache-b -Database $db).Status | Should -Be $Target
        & $Opposite 'cache-*' -Database $db
        (Get-PrismNamespace 'cache-*' -Database $db).Status | Should -Be @($From, $From)
        & $Cmdlet 'cache-*' -Database $db
        (Get-PrismNamespace 'cache-*' -Database $db).Status | Should -Be @($Target, $Target)
    }

    It 'reports a missing namespace as ObjectNotFound and goes on' {
        $db = New-Seeded
        & $Cmdlet nope, orders -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be "NamespaceNotFound,$ErrorSuffix"
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nope'
        (Get-PrismNamespace orders -Database $db).Status | Should -Be $Target
    }

    It 'fails a stale -ExpectedVersion with VersionConflict' {
        $db = New-Seeded
        Set-PrismNamespace orders -CacheTtlSeconds 5 -Database $db
        & $Cmdlet orders -ExpectedVersion 1 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Be "VersionConflict,$ErrorSuffix"
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].TargetObject | Should -Be 'orders'
        (Get-PrismNamespace orders -Database $db).Status | Should -Be $From
    }

    It 'changes nothing under -WhatIf' {
        $db = New-Seeded
        & $Cmdlet orders -WhatIf -Database $db
        $ns = Get-PrismNamespace orders -Database $db
        $ns.Status | Should -Be $From
        $ns.Version | Should -Be 1
        @(Get-PrismNamespaceHistory orders -Database $db).Count | Should -Be 1
    }

    It 'works with $env:PRISM_CONFIG_DB, and is seen by another process' {
        $db = New-Seeded
        $old = $env:PRISM_CONFIG_DB
        $env:PRISM_CONFIG_DB = $db
        try { & $Cmdlet cache-b }
        finally { $env:PRISM_CONFIG_DB = $old }
        & $Cmdlet cache-a -Database $db
        $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; (Get-PrismNamespace 'cache-*' -Database '$db').Status -join ','"
        $r.Output | Should -Contain "$Target,$Target"
    }
}

# What is about a file: a missing one under -WhatIf, and a path relative to the current folder.
function Add-StatusFileTests {
    Add-StatusTestSetup

    It 'reports a missing file under -WhatIf as DatabaseNotFound and creates none' {
        $missing = New-TestDb
        $err = $null
        try { & $Cmdlet orders -WhatIf -Database $missing } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DatabaseNotFound,*'
        "$($err.CategoryInfo.Category)" | Should -Be 'ObjectNotFound'
        $missing | Should -Not -Exist
    }

    It 'works with a relative -Database' {
        $db = New-Seeded
        Push-Location $TestDrive
        try { & $Cmdlet cache-a -Database (Split-Path $db -Leaf) }
        finally { Pop-Location }
        (Get-PrismNamespace cache-a -Database $db).Status | Should -Be $Target
    }
}
