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
    # Splatting a lone string passes it character by character; an array splats element by element.
    $rest = @($rest | Where-Object { $_ })
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
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    $arguments = @($rest) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) | Where-Object { $_ }
    $params = @{ FilePath = $exe; ArgumentList = $arguments; PassThru = $true }
    if ($StdOut) { $params.RedirectStandardOutput = $StdOut }
    if ($StdErr) { $params.RedirectStandardError = $StdErr }
    Start-Process @params
}


function Start-InteractivePwsh {
    <#
    .SYNOPSIS
        Starts a pwsh process running a script file, with stdin and stdout redirected, so a test can wait for one
        of its prompts and answer it. Its stdout is copied, as it arrives, into the file in OutputFile.
    #>
    param([Parameter(Mandatory)][string] $ScriptPath)
    $pwsh = $env:PRISM_TEST_PWSH -split [IO.Path]::PathSeparator
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-File', $ScriptPath)) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($info)
    # A prompt ends without a newline, so the bytes are copied as they come (an unbuffered file), not by line; the
    # copy runs in .NET, with no PowerShell on its thread.
    $file = "$ScriptPath.out"
    $sink = [IO.FileStream]::new($file, 'Create', 'Write', 'ReadWrite', 1)
    $copy = $process.StandardOutput.BaseStream.CopyToAsync($sink, 1)
    [pscustomobject]@{ Process = $process; OutputFile = $file; Copy = $copy; Sink = $sink }
}

function Wait-InteractiveText {
    <# .SYNOPSIS Waits until what an interactive pwsh has written so far contains -Text; returns all of it. #>
    param([Parameter(Mandatory)] $Child, [Parameter(Mandatory)][string] $Text, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $seen = ''
    while ([DateTime]::UtcNow -lt $deadline) {
        $stream = [IO.FileStream]::new($Child.OutputFile, 'Open', 'Read', 'ReadWrite')
        $reader = [IO.StreamReader]::new($stream)
        try { $seen = $reader.ReadToEnd() } finally { $reader.Dispose() }
        if ($seen.Contains($Text)) { return $seen }
        if ($Child.Process.HasExited -and $Child.Copy.IsCompleted) { break }
        Start-Sleep -Milliseconds 100
    }
    throw "The child pwsh did not write '$Text' within $TimeoutSeconds s. It wrote: $seen"
}

function Stop-InteractivePwsh($Child) {
    # Always in a finally: a failed wait must not leave the child holding the test's database.
    if (-not $Child.Process.HasExited) { $Child.Process.Kill($true) }
    $Child.Process.WaitForExit()
    $null = $Child.Copy.Wait(10000)
    $Child.Sink.Dispose()
}

Export-ModuleMember -Function Get-PrismTestModulePath, Invoke-FreshPwsh, Start-FreshPwsh, Start-InteractivePwsh, Wait-InteractiveText, Stop-InteractivePwsh
