# Hostile YAML, bounded: 1,000 seeded mutations of valid files through Import-PrismYaml in one pwsh. Every case
# imports, or fails with an error naming the file and leaves the store's content unchanged; none takes long.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
    $script:ModulePath = Get-PrismTestModulePath
}

Describe 'Import-PrismYaml under hostile input' {
    It 'imports or cleanly rejects 1,000 mutated files, each within 5 s, leaving the store unchanged on failure' {
        $seed = Get-Random -Maximum 1000000
        Write-Host "yaml-fuzz: seed $seed"
        $result = Invoke-YamlFuzzSuite -ModulePath $ModulePath -WorkFolder (Join-Path $TestDrive 'fuzz') -Cases 1000 -Seed $seed
        $result.Problems | Should -BeNullOrEmpty -Because "seed $seed"
        $result.Cases | Should -Be 1000
        $result.MaxMs | Should -BeLessThan 5000
        Write-ReliabilityFigure -Suite 'yaml-fuzz' -Text ("{0} fuzz cases run ({1} imported, {2} rejected with an error naming the file, store unchanged), slowest case {3} ms: {4}; seed {5}, {6} s" -f
            $result.Cases, $result.Imported, $result.Rejected, $result.MaxMs, $result.MaxCase, $result.Seed, $result.Seconds)
    }
}
