<#
    A configuration policy suite to copy into your CI. It checks a PrismConfig store against rules every team
    should hold itself to. Point it at a store with $env:PRISM_POLICY_DB; without it, it imports
    examples/namespaces.yaml (or $env:PRISM_POLICY_YAML) into a throwaway store first, after the Prism registry in
    examples/registry (or $env:PRISM_POLICY_REGISTRY), which is how you test a pull request that changes the YAML
    or the registry before it reaches a real store.

        Invoke-Pester ./config-policy.Tests.ps1 -Output Detailed
#>
BeforeAll {
    $module = if ($env:PRISM_TEST_MODULE) { $env:PRISM_TEST_MODULE } else { 'PrismConfig' }
    Import-Module $module -ErrorAction Stop

    if ($env:PRISM_POLICY_DB) {
        $script:Db = $env:PRISM_POLICY_DB
    }
    else {
        $script:Db = Join-Path $TestDrive 'policy.db'
        $registry = if ($env:PRISM_POLICY_REGISTRY) { $env:PRISM_POLICY_REGISTRY } else { Join-Path $PSScriptRoot 'registry' }
        Import-PrismRegistry -Path $registry -Database $Db | Out-Null
        $yaml = if ($env:PRISM_POLICY_YAML) { $env:PRISM_POLICY_YAML } else { Join-Path $PSScriptRoot 'namespaces.yaml' }
        # Strict: a name the registry does not define fails the import here, not a proxy later.
        Import-PrismYaml -Path $yaml -Database $Db -Strict | Out-Null
    }
    $script:All = @(Get-PrismNamespace -Database $Db)
    # The allowed tags are policy: extend the list in review, not by editing a namespace.
    $script:AllowedTags = @(
        'production', 'staging', 'dev', 'high-traffic', 'pci',
        'team-identity', 'team-commerce', 'team-engagement', 'team-payments', 'team-content', 'team-ml',
        'team-platform', 'team-iot', 'team-search', 'team-qa', 'team-analytics'
    )
}

Describe 'PrismConfig policy' {
    It 'has namespaces to check' {
        $All.Count | Should -BeGreaterThan 0
    }

    It 'gives every production namespace a rate limit' {
        $missing = $All | Where-Object { $_.Tags -contains 'production' -and -not $_.RateLimitRps } | ForEach-Object Name
        $missing | Should -BeNullOrEmpty -Because 'an unlimited production namespace can take the backend down'
    }

    It 'gives every active namespace connection settings' {
        $missing = $All | Where-Object { $_.Status -eq 'active' -and $_.BackendConfig.Count -eq 0 } | ForEach-Object Name
        $missing | Should -BeNullOrEmpty -Because 'a proxy cannot serve a namespace it cannot connect'
    }

    It 'uses only allowed tags' {
        $unknown = $All | ForEach-Object { $ns = $_; $ns.Tags | Where-Object { $_ -notin $AllowedTags } | ForEach-Object { "$($ns.Name): $_" } }
        $unknown | Should -BeNullOrEmpty -Because 'tags drive routing and dashboards; add new ones to the allowed list in review'
    }

    It 'is registry-valid: every namespace satisfies the registry and uses only names it defines' {
        $registry = @(Get-PrismRegistry -Database $Db)
        $registry | Should -Not -BeNullOrEmpty -Because 'namespaces are checked against the Prism registry; import it with Import-PrismRegistry'
        $refused = @((Test-PrismConfig -Database $Db).Problems) -like 'registry:*'
        $refused | Should -BeNullOrEmpty -Because 'the registry would refuse these namespaces at their next change'
        $patterns = $registry | Where-Object Kind -EQ 'pattern' | ForEach-Object Name
        $backends = $registry | Where-Object Kind -EQ 'backend' | ForEach-Object Name
        $unknown = $All | ForEach-Object {
            $ns = $_
            if ($ns.Pattern -notin $patterns) { "$($ns.Name): pattern $($ns.Pattern)" }
            $ns.Backends | Where-Object { $_ -notin $backends } | ForEach-Object { "$($ns.Name): backend $_" }
        }
        $unknown | Should -BeNullOrEmpty -Because 'a name the registry does not know is usually a typo'
    }

    It 'keeps the store healthy' {
        $health = Test-PrismConfig -Database $Db
        $health.Problems | Should -BeNullOrEmpty
        $health.IsHealthy | Should -BeTrue
    }
}
