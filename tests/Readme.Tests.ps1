# The README's runnable PowerShell blocks run, in order, in one fresh pwsh in a temporary folder; any one that throws
# fails this test, so the tour a newcomer follows stays true.
BeforeDiscovery {
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../README.md')
    $script:Blocks = @([regex]::Matches($readme, '(?ms)^```powershell runnable\s*$\n(?<code>.*?)^```\s*$') | ForEach-Object { $_.Groups['code'].Value })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'README.md' {
    It 'has runnable blocks' {
        $Blocks.Count | Should -BeGreaterOrEqual 5
    }

    It 'runs every runnable block without an error' {
        $work = Join-Path $TestDrive 'readme'
        New-Item -ItemType Directory -Force (Join-Path $work 'examples') | Out-Null
        Copy-Item (Join-Path $PSScriptRoot '../examples/namespaces.yaml') (Join-Path $work 'examples')
        $script = [System.Text.StringBuilder]::new()
        [void]$script.AppendLine("`$ErrorActionPreference = 'Stop'")
        [void]$script.AppendLine("Import-Module '$(Get-PrismTestModulePath)'")
        for ($i = 0; $i -lt $Blocks.Count; $i++) {
            [void]$script.AppendLine("'--- block $($i + 1)'")
            [void]$script.AppendLine("try {`n$($Blocks[$i])`n} catch { 'BLOCK-FAILED $($i + 1): ' + `$_.Exception.Message; exit 1 }")
        }
        [void]$script.AppendLine("'README-DONE'")
        $result = Invoke-FreshPwsh -Command $script.ToString() -WorkingDirectory $work
        $text = $result.Output -join "`n"
        $text | Should -Not -Match 'BLOCK-FAILED' -Because $text
        $result.ExitCode | Should -Be 0 -Because $text
        $result.Output | Should -Contain 'README-DONE'
    }
}
