# Shared helpers for the Pester suites. Every suite imports the built module from out/, never the sources.

function Get-PrismTestModulePath {
    if (-not $env:PRISM_TEST_MODULE) {
        throw 'PRISM_TEST_MODULE is not set: run the tests through ./build.ps1 -Task Test, which builds out/PrismConfig first.'
    }
    return $env:PRISM_TEST_MODULE
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
        Runs a script block's text in a new pwsh process and returns its output lines and exit code.
    #>
    param(
        [Parameter(Mandatory)][string] $Command,
        [string] $WorkingDirectory = (Get-Location).ProviderPath
    )
    $pwsh = $env:PRISM_TEST_PWSH -split [IO.Path]::PathSeparator
    $exe, $rest = $pwsh
    $rest = @($rest)
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    Push-Location $WorkingDirectory
    try {
        $output = & $exe @rest -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ Output = @($output); ExitCode = $LASTEXITCODE }
    }
    finally {
        Pop-Location
    }
}

function Start-FreshPwsh {
    <#
    .SYNOPSIS
        Starts a pwsh process in the background running the given command; returns the Process.
    #>
    param([Parameter(Mandatory)][string] $Command, [string] $StdOut, [string] $StdErr)
    $pwsh = $env:PRISM_TEST_PWSH -split [IO.Path]::PathSeparator
    $exe, $rest = $pwsh
    $rest = @($rest)
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    $arguments = @($rest) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) | Where-Object { $_ }
    $params = @{ FilePath = $exe; ArgumentList = $arguments; PassThru = $true }
    if ($StdOut) { $params.RedirectStandardOutput = $StdOut }
    if ($StdErr) { $params.RedirectStandardError = $StdErr }
    Start-Process @params
}

Export-ModuleMember -Function Get-PrismTestModulePath, Invoke-FreshPwsh, Start-FreshPwsh
