# Every cmdlet and every parameter has real help: a missing page or description fails here, not in a user's terminal.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $manifest = Import-PowerShellDataFile (Join-Path (Get-PrismTestModulePath) 'PrismConfig.psd1')
    $script:Cmdlets = @($manifest.CmdletsToExport)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath) -Force
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help for <_>' -ForEach $Cmdlets {
    BeforeAll {
        $script:Name = $_
        $script:Help = Get-Help $Name -Full
        $script:Command = Get-Command $Name
    }

    It 'has a real synopsis' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        # Without a help file PowerShell fills Synopsis with the generated syntax line.
        $Help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
        $Help.Synopsis.Trim() | Should -Not -Be $Name
    }

    It 'has a description' {
        ($Help.Description | Out-String).Trim().Length | Should -BeGreaterThan 40
    }

    It 'has at least two examples, each with code and an explanation' {
        $examples = @($Help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.Code | Should -Not -BeNullOrEmpty
            ($example.Remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter' {
        $parameters = @($Command.Parameters.Keys | Where-Object { $_ -notin $Common })
        foreach ($parameter in $parameters) {
            $entry = @($Help.Parameters.Parameter | Where-Object Name -eq $parameter)
            $entry.Count | Should -Be 1 -Because "-$parameter of $Name needs a help entry"
            ($entry[0].Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs a description"
        }
    }

    It 'shows -WhatIf and -Confirm in SYNTAX when it supports them' {
        $syntax = (Get-Help $Name).Syntax | Out-String -Width 400
        if ($Command.Parameters.ContainsKey('WhatIf')) {
            $syntax | Should -Match '\[-WhatIf\]'
            $syntax | Should -Match '\[-Confirm\]'
        }
        else {
            $syntax | Should -Not -Match 'WhatIf'
        }
    }

    It 'links to its page in the public repository first, which Get-Help -Online opens' {
        $expected = "https://github.com/prismconfig/PrismConfig/blob/main/docs/$Name.md"
        @($Help.relatedLinks.navigationLink)[0].uri | Should -Be $expected
        Join-Path $PSScriptRoot "../docs/$Name.md" | Should -Exist
        # What Get-Help -Online itself reads from the help, without starting a browser.
        $lookup = [psobject].Assembly.GetType('System.Management.Automation.BaseCommandHelpInfo').GetMethod(
            'GetUriFromCommandPSObject', [Reflection.BindingFlags]'NonPublic, Static')
        $arguments = [object[]]::new(1)
        $arguments[0] = [psobject]$Help  # assigned to an element, so it stays a PSObject rather than being unwrapped
        $lookup.Invoke($null, $arguments).AbsoluteUri | Should -Be $expected
    }

    It 'declares its output type' {
        $Command.OutputType.Count | Should -BeGreaterThan 0
    }
}

Describe 'about_PrismConfig' {
    It 'gives an overview that names every cmdlet' {
        $text = Get-Help about_PrismConfig | Out-String
        $text | Should -Match 'ADR-036'
        $manifest = Import-PowerShellDataFile (Join-Path (Get-PrismTestModulePath) 'PrismConfig.psd1')
        foreach ($name in $manifest.CmdletsToExport) {
            $text | Should -Match ([regex]::Escape($name))
        }
    }
}
