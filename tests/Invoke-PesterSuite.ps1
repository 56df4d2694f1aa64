<#
.SYNOPSIS
    Runs the Pester suites against the built module. build.ps1 starts it in a fresh pwsh.
.DESCRIPTION
    Run.Exit stays off: it would end the process inside Invoke-Pester, before the result object can be read.
    The caller reads the JUnit file this writes and combines it with xUnit's.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $PesterPath,
    [Parameter(Mandatory)][string] $TestsPath,
    [Parameter(Mandatory)][string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.7.0 -MaximumVersion 5.99.99

$config = New-PesterConfiguration
# The example policy suite runs too: it is what teams copy into their CI, so it must keep passing.
$config.Run.Path = @($TestsPath, (Join-Path $TestsPath '../examples/config-policy.Tests.ps1'))
$config.Run.Exit = $false
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
if ([Console]::IsOutputRedirected) {
    # A log file gets plain text: neither Pester nor pwsh's own formatting writes colour codes into it.
    $PSStyle.OutputRendering = 'PlainText'
    $config.Output.RenderMode = 'Plaintext'
}
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'JUnitXml'
$config.TestResult.OutputPath = $OutputPath
$result = Invoke-Pester -Configuration $config
exit ([int]($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount -gt 0))
