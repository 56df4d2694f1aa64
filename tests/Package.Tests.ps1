# The module installs, loads, helps and uninstalls the way a user's copy does: packed by build/Publish-Package.ps1
# (what ./build.ps1 -Task Package runs), installed with PSResourceGet from a file repository, into a CurrentUser
# scope whose HOME, XDG folders and PSModulePath all live in $TestDrive.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-PrismTestModulePath
    $script:Version = (Import-PowerShellDataFile (Join-Path $ModulePath 'PrismConfig.psd1')).ModuleVersion
    $script:PackageFolder = Join-Path $TestDrive 'package'
    $script:Package = & (Join-Path $PSScriptRoot '../build/Publish-Package.ps1') -ModulePath $ModulePath -OutputPath $PackageFolder

    $script:UserHome = Join-Path $TestDrive 'home'
    $data = Join-Path $UserHome '.local/share'
    $script:UserModules = Join-Path $data 'powershell/Modules'
    $script:UserEnvironment = [ordered]@{
        HOME            = $UserHome
        XDG_DATA_HOME   = $data
        XDG_CONFIG_HOME = Join-Path $UserHome '.config'
        XDG_CACHE_HOME  = Join-Path $UserHome '.cache'
        PSModulePath    = $UserModules
    }
    # .NET reports a special folder that does not exist yet as '', and PSResourceGet then writes into the current
    # folder; a real user's home has these folders.
    foreach ($folder in $UserEnvironment.Values) { New-Item -ItemType Directory -Force -Path $folder | Out-Null }
    $script:Database = Join-Path $TestDrive 'installed.db'

    # What the real user has, to prove afterwards that none of it changed.
    function Get-RealUserState {
        $store = Join-Path ([Environment]::GetFolderPath('LocalApplicationData', 'DoNotVerify')) 'PSResourceGet/PSResourceRepository.xml'
        $modules = Join-Path ([Environment]::GetFolderPath('LocalApplicationData', 'DoNotVerify')) 'powershell/Modules/PrismConfig'
        [pscustomobject]@{
            Store   = if (Test-Path $store) { (Get-FileHash $store).Hash } else { 'absent' }
            Modules = if (Test-Path $modules) { (Get-ChildItem $modules -Recurse -Force -Name) -join ',' } else { 'absent' }
        }
    }
    $script:RealUserBefore = Get-RealUserState

    function Invoke-AsUser([string] $Command) {
        # A child pwsh inherits this process's environment, so it is swapped for the call and put back after.
        $saved = @{}
        foreach ($name in $UserEnvironment.Keys) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
            [Environment]::SetEnvironmentVariable($name, $UserEnvironment[$name])
        }
        try {
            Invoke-FreshPwsh -Command "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'`n$Command" -WorkingDirectory $UserHome
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}

Describe 'The package' {
    It 'is PrismConfig.<version>.nupkg, written by Publish-PSResource' {
        $Package.Name | Should -Be "PrismConfig.$Version.nupkg"
        @(Get-ChildItem $PackageFolder).Name | Should -Be @("PrismConfig.$Version.nupkg")
    }

    It 'carries the description, author, license, project and release-notes URIs and tags' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($Package.FullName)
        try {
            $entry = $zip.GetEntry('PrismConfig.nuspec')
            $reader = [IO.StreamReader]::new($entry.Open())
            [xml] $nuspec = $reader.ReadToEnd()
            $reader.Dispose()
            $files = @($zip.Entries.FullName)
        }
        finally { $zip.Dispose() }
        $meta = $nuspec.package.metadata
        $meta.id | Should -Be 'PrismConfig'
        $meta.version | Should -Be $Version
        $meta.description | Should -Match 'SQLite'
        $meta.authors | Should -Be 'PrismConfig contributors'
        $meta.licenseUrl | Should -Be 'https://github.com/prismconfig/PrismConfig/blob/main/LICENSE'
        $meta.projectUrl | Should -Be 'https://github.com/prismconfig/PrismConfig'
        $meta.releaseNotes | Should -Be 'https://github.com/prismconfig/PrismConfig/blob/main/CHANGELOG.md'
        $meta.tags -split ' ' | Should -Contain 'PSEdition_Core'
        $files | Should -Contain 'PrismConfig.psd1'
        $files | Should -Contain 'en-US/PrismConfig.PowerShell.dll-Help.xml'
        $files | Should -Contain 'runtimes/linux-x64/native/libe_sqlite3.so'
    }
}

Describe 'Installing the package as a user would' -Skip:$IsWindows {
    # On Windows the CurrentUser scope is the real Documents folder, which HOME does not move.
    It 'installs with Install-PSResource from a registered file repository into the CurrentUser scope' {
        $result = Invoke-AsUser @"
Register-PSResourceRepository -Name PrismTest -Uri '$PackageFolder' -Trusted
Install-PSResource PrismConfig -Repository PrismTest -Scope CurrentUser
'INSTALLED=' + (Get-InstalledPSResource PrismConfig -Scope CurrentUser).Version
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain "INSTALLED=$Version"
        Join-Path $UserModules "PrismConfig/$Version/PrismConfig.psd1" | Should -Exist
    }

    It 'is loaded by name in a fresh pwsh, with no Import-Module' {
        $result = Invoke-AsUser @"
'LOADED=' + @(Get-Module PrismConfig).Count
'CREATED=' + (New-PrismNamespace -Name installed-check -Backend redis -Pattern keyvalue -Database '$Database').Version
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'LOADED=0'
        $result.Output | Should -Contain 'CREATED=1'

        $result = Invoke-AsUser @"
`$ns = Get-PrismNamespace -Database '$Database'
'READ=' + `$ns.Name + '/' + `$ns.Backend
'FROM=' + (Get-Module PrismConfig).ModuleBase
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'READ=installed-check/redis'
        $result.Output | Should -Contain ('FROM=' + (Join-Path $UserModules "PrismConfig/$Version"))
    }

    It 'answers Get-Help Get-PrismNamespace -Examples from the installed copy' {
        $result = Invoke-AsUser @"
`$help = Get-Help Get-PrismNamespace -Examples
'EXAMPLES=' + @(`$help.Examples.Example).Count
'HELPFILE=' + (Get-Command Get-PrismNamespace).HelpFile
(`$help | Out-String -Width 120) -split '\r?\n'
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $examples = ($result.Output | Where-Object { $_ -like 'EXAMPLES=*' }) -replace '^EXAMPLES=', ''
        [int]$examples | Should -BeGreaterOrEqual 2
        $result.Output | Should -Contain ('HELPFILE=' + (Join-Path $UserModules "PrismConfig/$Version/en-US/PrismConfig.PowerShell.dll-Help.xml"))
        ($result.Output -join "`n") | Should -Match 'Get-PrismNamespace -Backend redis -Tag production'
    }

    It 'uninstalls with Uninstall-PSResource and leaves nothing behind' {
        $result = Invoke-AsUser @"
Uninstall-PSResource PrismConfig -Scope CurrentUser
'LEFT=' + @(Get-InstalledPSResource PrismConfig -ErrorAction SilentlyContinue).Count
'AVAILABLE=' + @(Get-Module -ListAvailable PrismConfig).Count
Unregister-PSResourceRepository -Name PrismTest
'REPOSITORIES=' + ((Get-PSResourceRepository).Name -join ',')
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'LEFT=0'
        $result.Output | Should -Contain 'AVAILABLE=0'
        $result.Output | Should -Not -Match 'PrismTest'
        @(Get-ChildItem $UserModules -Recurse -Force) | Should -BeNullOrEmpty
    }
}

Describe 'The real user' {
    It 'keeps the same PSResourceGet repository list and module folder' {
        $after = Get-RealUserState
        $after.Store | Should -Be $RealUserBefore.Store
        $after.Modules | Should -Be $RealUserBefore.Modules
    }
}
