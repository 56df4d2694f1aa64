# The README's runnable PowerShell blocks run, in order, in one fresh pwsh in a temporary folder; any one that throws
# fails this test, so the tour a newcomer follows stays true. The plain ``` block right after a runnable block is
# that block's output as the README shows it: it must equal what the block really prints, once the temporary
# folder, the user name and the times are written the way the README writes them.
BeforeDiscovery {
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../README.md')
    $fence = '^```[ \t]*\r?\n'
    $pattern = "(?ms)^``````powershell runnable[ \t]*\r?\n(?<code>.*?)$fence(?:[ \t]*\r?\n)*(?:$fence(?<output>.*?)^``````[ \t]*$)?"
    $index = 0
    $script:Blocks = @([regex]::Matches($readme, $pattern) | ForEach-Object {
            $index++
            @{
                Index    = $index
                Code     = $_.Groups['code'].Value
                Expected = if ($_.Groups['output'].Success) { $_.Groups['output'].Value } else { $null }
            }
        })
    $script:Shown = @($Blocks | Where-Object { $null -ne $_.Expected })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Invoke-ReadmeBlock([hashtable[]] $Blocks) {
        # Each top-level statement runs and is formatted on its own, as it is when typed at a prompt (one
        # pipeline's table would otherwise swallow the next statement's objects), at a width of 120. What-if
        # lines go to the host, not to a stream, so the output is read from the child's stdout, between markers.
        $work = Join-Path $TestDrive 'readme'
        New-Item -ItemType Directory -Force (Join-Path $work 'examples') | Out-Null
        Copy-Item (Join-Path $PSScriptRoot '../examples/namespaces.yaml') (Join-Path $work 'examples')
        $script = [System.Text.StringBuilder]::new()
        [void]$script.AppendLine("`$ErrorActionPreference = 'Stop'")
        [void]$script.AppendLine("`$PSStyle.OutputRendering = 'PlainText'")
        [void]$script.AppendLine("Import-Module '$(Get-PrismTestModulePath)'")
        [void]$script.AppendLine("'USER=' + [Environment]::UserName")
        [void]$script.AppendLine("'FOLDER=' + (Get-Location).ProviderPath")
        foreach ($block in $Blocks) {
            $encoded = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($block.Code))
            [void]$script.AppendLine(@"
`$Host.UI.WriteLine('<<<README-BLOCK $($block.Index)>>>')
try {
    `$__readmeAst = [System.Management.Automation.Language.Parser]::ParseInput([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('$encoded')), [ref]`$null, [ref]`$null)
    foreach (`$__readmeStatement in `$__readmeAst.EndBlock.Statements) {
        `$Host.UI.Write((. ([scriptblock]::Create(`$__readmeStatement.Extent.Text)) | Out-String -Width 120))
    }
} catch { 'BLOCK-FAILED $($block.Index): ' + `$_.Exception.Message; exit 1 }
"@)
        }
        [void]$script.AppendLine("'README-DONE'")
        $result = Invoke-FreshPwsh -Command $script.ToString() -WorkingDirectory $work

        $outputs = @{}
        $current = $null
        foreach ($line in $result.Output) {
            if ($line -match '^<<<README-BLOCK (\d+)>>>$') { $current = [int]$Matches[1]; $outputs[$current] = [Collections.Generic.List[string]]::new(); continue }
            if ($line -eq 'README-DONE') { $current = $null; continue }
            if ($null -ne $current) { $outputs[$current].Add($line) }
        }
        [pscustomobject]@{
            Result  = $result
            User    = ($result.Output | Where-Object { $_ -like 'USER=*' } | Select-Object -First 1) -replace '^USER=', ''
            Folder  = ($result.Output | Where-Object { $_ -like 'FOLDER=*' } | Select-Object -First 1) -replace '^FOLDER=', ''
            Outputs = $outputs
        }
    }

    function ConvertTo-ReadmeText([string[]] $Lines, [string] $Folder, [string] $User, [switch] $IgnorePadding) {
        # How the README writes what varies from run to run: the folder the tour runs in is <folder>, the user is
        # ops (padded to the real name's width, so table columns keep their places), and every time is one
        # pattern. Trailing spaces and runs of blank lines are not compared.
        $text = ($Lines -join "`n") -replace '\r', ''
        if ($Folder) { $text = $text.Replace($Folder, '<folder>') }
        if ($User -and $User -ne 'ops') {
            $text = [regex]::Replace($text, "(?<![\w-])$([regex]::Escape($User))(?![\w-])", 'ops'.PadRight($User.Length))
        }
        if ($IgnorePadding) { $text = $text -replace '(?m)(?<=\S) {2,}', ' ' }
        $text = $text -replace '\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ', 'yyyy-MM-dd HH:mm:ssZ'
        $text = $text -replace 'config-\d{8}-\d{6}', 'config-yyyyMMdd-HHmmss'
        $lines = @($text -split "`n" | ForEach-Object { $_.TrimEnd() })
        (($lines -join "`n") -replace '\n{3,}', "`n`n").Trim("`n")
    }
}

Describe 'README.md' -ForEach @(@{ Blocks = $Blocks }) {
    BeforeAll {
        $script:Run = Invoke-ReadmeBlock $Blocks
    }

    It 'has runnable blocks' {
        $Blocks.Count | Should -BeGreaterOrEqual 5
    }

    It 'runs every runnable block without an error' {
        $text = $Run.Result.Output -join "`n"
        $text | Should -Not -Match 'BLOCK-FAILED' -Because $text
        $Run.Result.ExitCode | Should -Be 0 -Because $text
        $Run.Result.Output | Should -Contain 'README-DONE'
    }

    It 'shows what runnable block <Index> really prints' -ForEach $Shown {
        $Run.Outputs.ContainsKey($Index) | Should -BeTrue -Because 'the block must have run'
        # A user name longer than the ChangedBy header widens that column; only then is column padding ignored.
        $loose = $Run.User.Length -gt 'ChangedBy'.Length
        $actual = ConvertTo-ReadmeText $Run.Outputs[$Index] $Run.Folder $Run.User -IgnorePadding:$loose
        $expected = ConvertTo-ReadmeText ($Expected -split '\r?\n') -IgnorePadding:$loose
        $actual | Should -BeExactly $expected
    }
}

Describe 'Links in README.md' {
    It 'point at files that exist in the repository, and never outside it' {
        $root = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath
        $readme = Get-Content -Raw (Join-Path $root 'README.md')
        $links = @([regex]::Matches($readme, '\]\((?<target>[^)\s]+)\)') | ForEach-Object { $_.Groups['target'].Value })
        $links.Count | Should -BeGreaterThan 0
        $links | Should -Contain 'https://github.com/jrepp/prism-data-layer/blob/main/docs-cms/adr/adr-036-sqlite-config-storage.md'
        foreach ($link in $links | Where-Object { $_ -notmatch '^(https?://|#|mailto:)' }) {
            $path = [IO.Path]::GetFullPath((Join-Path $root ($link -replace '#.*$', '')))
            $path.StartsWith($root, [StringComparison]::Ordinal) | Should -BeTrue -Because "$link must stay inside the repository"
            $path | Should -Exist -Because "README.md links to $link"
        }
    }
}
