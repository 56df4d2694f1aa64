# Disable-PrismNamespace: status change to 'disabled', history operation 'disable', idempotence, pipelines, errors and -WhatIf.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    function New-TestDb { Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db') }
    function New-Seeded {
        $db = New-TestDb
        foreach ($n in 'orders', 'cache-a', 'cache-b') {
            New-PrismNamespace $n -Backend redis -Pattern keyvalue -Status active -Database $db | Out-Null
        }
        $db
    }
}

Describe 'Disable-PrismNamespace' {
    It 'sets the status to disabled with a disable history entry and the reason' {
        $db = New-Seeded
        Disable-PrismNamespace orders -Reason 'maintenance' -Database $db | Should -BeNullOrEmpty
        $ns = Get-PrismNamespace orders -Database $db
        $ns.Status | Should -Be 'disabled'
        $ns.Version | Should -Be 2
        $h = Get-PrismNamespaceHistory orders -Database $db
        $h[-1].Operation | Should -Be 'disable'
        $h[-1].Reason | Should -Be 'maintenance'
        (Get-PrismNamespace cache-a -Database $db).Status | Should -Be 'active'
    }

    It 'outputs the namespace with -PassThru' {
        $db = New-Seeded
        $ns = Disable-PrismNamespace orders -PassThru -Database $db
        $ns.GetType().FullName | Should -Be 'PrismConfig.NamespaceConfig'
        $ns.Status | Should -Be 'disabled'
        $ns.Version | Should -Be 2
    }

    It 'leaves a namespace that is already disabled alone, without an error' {
        $db = New-Seeded
        Disable-PrismNamespace orders -Database $db
        Disable-PrismNamespace orders -Database $db -ErrorVariable err
        $err | Should -BeNullOrEmpty
        (Get-PrismNamespace orders -Database $db).Version | Should -Be 2
        @(Get-PrismNamespaceHistory orders -Database $db).Count | Should -Be 2
    }

    It 'takes names from the pipeline, as strings, wildcards and namespaces' {
        $db = New-Seeded
        'cache-a' | Disable-PrismNamespace -Database $db
        (Get-PrismNamespace cache-a -Database $db).Status | Should -Be 'disabled'
        Get-PrismNamespace cache-b -Database $db | Disable-PrismNamespace -Database $db
        (Get-PrismNamespace cache-b -Database $db).Status | Should -Be 'disabled'
        Enable-PrismNamespace 'cache-*' -Database $db
        (Get-PrismNamespace 'cache-*' -Database $db).Status | Should -Be @('active', 'active')
        Disable-PrismNamespace 'cache-*' -Database $db
        (Get-PrismNamespace 'cache-*' -Database $db).Status | Should -Be @('disabled', 'disabled')
    }

    It 'reports a missing namespace as ObjectNotFound and goes on' {
        $db = New-Seeded
        Disable-PrismNamespace nope, orders -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,PrismConfig.PowerShell.Commands.DisablePrismNamespaceCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'nope'
        (Get-PrismNamespace orders -Database $db).Status | Should -Be 'disabled'
    }

    It 'fails a stale -ExpectedVersion with VersionConflict' {
        $db = New-Seeded
        Set-PrismNamespace orders -CacheTtlSeconds 5 -Database $db
        Disable-PrismNamespace orders -ExpectedVersion 1 -Database $db -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].FullyQualifiedErrorId | Should -Be 'VersionConflict,PrismConfig.PowerShell.Commands.DisablePrismNamespaceCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].TargetObject | Should -Be 'orders'
        (Get-PrismNamespace orders -Database $db).Status | Should -Be 'active'
    }

    It 'changes nothing under -WhatIf and creates no file' {
        $db = New-Seeded
        Disable-PrismNamespace orders -WhatIf -Database $db
        (Get-PrismNamespace orders -Database $db).Status | Should -Be 'active'
        $missing = New-TestDb
        Disable-PrismNamespace orders -WhatIf -Database $missing -ErrorAction SilentlyContinue
        $missing | Should -Not -Exist
    }

    It 'works with a relative -Database and with $env:PRISM_CONFIG_DB, and is seen by another process' {
        $db = New-Seeded
        Push-Location $TestDrive
        try { Disable-PrismNamespace cache-a -Database (Split-Path $db -Leaf) }
        finally { Pop-Location }
        $old = $env:PRISM_CONFIG_DB
        $env:PRISM_CONFIG_DB = $db
        try { Disable-PrismNamespace cache-b }
        finally { $env:PRISM_CONFIG_DB = $old }
        $r = Invoke-FreshPwsh -Command "Import-Module '$(Get-PrismTestModulePath)'; (Get-PrismNamespace 'cache-*' -Database '$db').Status -join ','"
        $r.Output | Should -Contain 'disabled,disabled'
    }
}
