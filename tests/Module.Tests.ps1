# Quality gates for the built module: what ships, what it exports, and that it loads cleanly and in isolation.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-PrismTestModulePath
    $script:Manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'PrismConfig.psd1')
}

Describe 'The built module' {
    It 'has a manifest that Test-ModuleManifest accepts, with a stamped version' {
        $info = Test-ModuleManifest (Join-Path $ModulePath 'PrismConfig.psd1') -ErrorAction Stop
        $info.Version | Should -Not -Be ([version]'0.0.0')
        [xml] $props = Get-Content -Raw (Join-Path $PSScriptRoot '../Directory.Build.props')
        $expected = @($props.Project.PropertyGroup.PrismConfigVersion | Where-Object { $_ })[0]
        $info.Version | Should -Be ([version]$expected)
    }

    It 'targets PowerShell 7.4 on Core only' {
        $Manifest.PowerShellVersion | Should -Be '7.4'
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'exports an explicit list of cmdlets and nothing else' {
        $Manifest.CmdletsToExport | Should -Not -Contain '*'
        $Manifest.CmdletsToExport.Count | Should -BeGreaterThan 0
        $Manifest.FunctionsToExport | Should -BeNullOrEmpty
        $Manifest.AliasesToExport | Should -BeNullOrEmpty
        $Manifest.VariablesToExport | Should -BeNullOrEmpty
    }

    It 'ships every file the manifest names' {
        $named = @($Manifest.RootModule) + $Manifest.FormatsToProcess + $Manifest.TypesToProcess + @($Manifest.RequiredAssemblies | Where-Object { $_ })
        foreach ($file in $named) {
            Join-Path $ModulePath $file | Should -Exist -Because "the manifest names $file"
        }
    }

    It 'ships the native SQLite library for <_>' -ForEach @('linux-x64', 'linux-arm64', 'linux-musl-x64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64') {
        $rid = $_  # switch rebinds $_ below
        $file = switch -Wildcard ($rid) { 'win-*' { 'e_sqlite3.dll' } 'osx-*' { 'libe_sqlite3.dylib' } default { 'libe_sqlite3.so' } }
        $path = Join-Path $ModulePath "runtimes/$rid/native/$file"
        $path | Should -Exist
        (Get-Item $path).Length | Should -BeGreaterThan 100KB
    }

    It 'keeps Core and its packages out of the module root, where the default load context would find them' {
        $rootDlls = Get-ChildItem $ModulePath -Filter '*.dll' | ForEach-Object Name
        $rootDlls | Should -Be @('PrismConfig.PowerShell.dll')
        foreach ($dll in 'PrismConfig.Core.dll', 'Microsoft.Data.Sqlite.dll', 'YamlDotNet.dll', 'Dapper.dll') {
            Join-Path $ModulePath "dependencies/$dll" | Should -Exist
        }
    }

    It 'does not ship PowerShell itself' {
        Get-ChildItem $ModulePath -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }
}

Describe 'Loading the module in a fresh pwsh' {
    It 'imports with no errors and no warnings, and exports exactly the cmdlets the assembly defines' {
        $result = Invoke-FreshPwsh -Command @"
`$ErrorActionPreference = 'Stop'
`$m = Import-Module '$ModulePath' -PassThru -WarningVariable w 3>`$null
'WARNINGS=' + @(`$w).Count
'ERRORS=' + `$Error.Count
'EXPORTED=' + ((`$m.ExportedCmdlets.Keys | Sort-Object) -join ',')
`$defined = `$m.ImplementingAssembly.GetTypes() | ForEach-Object {
    `$a = `$_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], `$false) | Select-Object -First 1
    if (`$a) { '{0}-{1}' -f `$a.VerbName, `$a.NounName }
}
'DEFINED=' + ((`$defined | Sort-Object) -join ',')
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'WARNINGS=0'
        $result.Output | Should -Contain 'ERRORS=0'
        $exported = ($result.Output | Where-Object { $_ -like 'EXPORTED=*' }) -replace '^EXPORTED=', ''
        $defined = ($result.Output | Where-Object { $_ -like 'DEFINED=*' }) -replace '^DEFINED=', ''
        $exported | Should -Be $defined
        $exported | Should -Be ((@($Manifest.CmdletsToExport) | Sort-Object) -join ',')
    }

    It 'works after a session already loaded older YamlDotNet and Microsoft.Data.Sqlite' {
        $env:PRISM_TEST_CONFLICT_YAML | Should -Exist
        $env:PRISM_TEST_CONFLICT_SQLITE | Should -Exist
        $db = Join-Path $TestDrive 'isolation.db'
        $yaml = Join-Path $TestDrive 'isolation.yaml'
        $result = Invoke-FreshPwsh -Command @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$env:PRISM_TEST_CONFLICT_YAML'
Add-Type -Path '$env:PRISM_TEST_CONFLICT_SQLITE'
Import-Module '$ModulePath'
New-PrismNamespace -Name iso-check -Backend redis -Pattern keyvalue -Tag demo -Database '$db' | Out-Null
Set-Content -Path '$yaml' -Value "namespaces:``n  - name: iso-yaml``n    backend: nats``n    pattern: pubsub"
Import-PrismYaml -Path '$yaml' -Database '$db' | Out-Null
'YAML=' + (Get-PrismNamespace -Name iso-yaml -Database '$db').Backend
`$ns = Get-PrismNamespace -Name iso-check -Database '$db'
'READ=' + `$ns.Name + '/' + `$ns.Backend + '/' + `$ns.Version
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'YamlDotNet', 'Microsoft.Data.Sqlite' } | ForEach-Object {
    'LOADED={0}@{1}@{2}' -f `$_.GetName().Name, `$_.GetName().Version.Major, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name
}
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'READ=iso-check/redis/1'
        $result.Output | Should -Contain 'YAML=nats'
        # Both versions live side by side: the session's old ones in Default, ours in PrismConfig's context.
        $result.Output | Should -Contain 'LOADED=YamlDotNet@13@Default'
        $result.Output | Should -Contain 'LOADED=Microsoft.Data.Sqlite@8@Default'
        $result.Output | Should -Contain 'LOADED=YamlDotNet@18@PrismConfig'
        $result.Output | Should -Contain 'LOADED=Microsoft.Data.Sqlite@10@PrismConfig'
    }

    It 'is auto-loaded from PSModulePath on first use of a cmdlet' {
        $db = Join-Path $TestDrive 'autoload.db'
        $parent = Split-Path $ModulePath -Parent
        $result = Invoke-FreshPwsh -Command @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$parent' + [IO.Path]::PathSeparator + `$env:PSModulePath
New-PrismNamespace -Name auto-load -Backend nats -Pattern pubsub -Database '$db' | Out-Null
'COUNT=' + @(Get-PrismNamespace -Database '$db').Count
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'COUNT=1'
    }
}

Describe 'Closing the stores' {
    It 'leaves no -wal file after a normal exit, so a copy of config.db alone holds every namespace' {
        $folder = Join-Path $TestDrive 'exit'
        $null = New-Item -ItemType Directory -Path $folder
        $db = Join-Path $folder 'config.db'
        $result = Invoke-FreshPwsh -Command @"
Import-Module '$ModulePath'
foreach (`$n in 'exit-one', 'exit-two', 'exit-three') { New-PrismNamespace -Name `$n -Backend redis -Pattern keyvalue -Database '$db' | Out-Null }
Set-PrismNamespace exit-two -RateLimitRps 9 -Database '$db'
if (Test-Path '$db-wal') { 'WAL-WHILE-OPEN' }
"@
        $result.ExitCode | Should -Be 0
        # While the session ran, the data sat in the -wal: the test proves the exit is what moved it.
        $result.Output | Should -Contain 'WAL-WHILE-OPEN'
        "$db-wal" | Should -Not -Exist
        "$db-shm" | Should -Not -Exist
        $copy = Join-Path $TestDrive 'copy/config.db'
        $null = New-Item -ItemType Directory -Path (Split-Path $copy)
        Copy-Item $db $copy
        Import-Module $ModulePath
        $names = @(Get-PrismNamespace -Database $copy).Name
        $names | Should -Be @('exit-one', 'exit-three', 'exit-two')
        (Get-PrismNamespace exit-two -Database $copy).RateLimitRps | Should -Be 9
    }

    It 'closes its stores when the module is removed' {
        $db = Join-Path $TestDrive 'remove/config.db'
        $result = Invoke-FreshPwsh -Command @"
Import-Module '$ModulePath'
New-PrismNamespace -Name removed-one -Backend redis -Pattern keyvalue -Database '$db' | Out-Null
'BEFORE=' + (Test-Path '$db-wal')
Remove-Module PrismConfig
'AFTER=' + (Test-Path '$db-wal')
"@
        $result.Output | Should -Contain 'BEFORE=True'
        $result.Output | Should -Contain 'AFTER=False'
    }

    It 'closes the stores at Remove-Module even after another runspace imported the module and closed without removing it' {
        $db = Join-Path $TestDrive 'closed-runspace/config.db'
        $result = Invoke-FreshPwsh -Command @"
Import-Module '$ModulePath'
New-PrismNamespace -Name closed-one -Backend redis -Pattern keyvalue -Database '$db' | Out-Null
`$other = [powershell]::Create()
`$null = `$other.AddScript({ param(`$Module, `$Db) Import-Module `$Module; Set-PrismNamespace closed-one -RateLimitRps 3 -Database `$Db }).AddArgument('$ModulePath').AddArgument('$db')
`$null = `$other.Invoke()
`$other.Runspace.Close(); `$other.Dispose()
'BEFORE=' + (Test-Path '$db-wal')
Remove-Module PrismConfig
'AFTER=' + (Test-Path '$db-wal')
"@
        $result.Output | Should -Contain 'BEFORE=True'
        $result.Output | Should -Contain 'AFTER=False'
    }

    It 'leaves another runspace''s stores open when one runspace removes the module, and still closes them at exit' {
        $folder = Join-Path $TestDrive 'runspaces'
        $null = New-Item -ItemType Directory -Path $folder
        $db = Join-Path $folder 'config.db'
        $result = Invoke-FreshPwsh -Command @"
Import-Module '$ModulePath'
New-PrismNamespace -Name shared-one -Backend redis -Pattern keyvalue -Database '$db' | Out-Null
`$other = [powershell]::Create()
`$null = `$other.AddScript({
    param(`$Module, `$Db)
    Import-Module `$Module
    Set-PrismNamespace shared-one -RateLimitRps 1 -Database `$Db
})
`$null = `$other.AddArgument('$ModulePath').AddArgument('$db')
`$null = `$other.Invoke()
Remove-Module PrismConfig
# The other runspace goes on with the module the first one removed.
`$other.Commands.Clear()
`$null = `$other.AddScript({
    param(`$Db)
    Set-PrismNamespace shared-one -RateLimitRps 7 -Database `$Db
    'OTHER=' + (Get-PrismNamespace shared-one -Database `$Db).RateLimitRps
}).AddArgument('$db')
`$other.Invoke()
'ERRORS=' + `$other.Streams.Error.Count
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'OTHER=7'
        $result.Output | Should -Contain 'ERRORS=0'
        "$db-wal" | Should -Not -Exist
        $copy = Join-Path $TestDrive 'runspaces-copy/config.db'
        $null = New-Item -ItemType Directory -Path (Split-Path $copy)
        Copy-Item $db $copy
        Import-Module $ModulePath
        (Get-PrismNamespace shared-one -Database $copy).RateLimitRps | Should -Be 7
    }
}
