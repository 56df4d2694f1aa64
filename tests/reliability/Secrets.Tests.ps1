# Secrets: masked in the default views, in -Verbose, -Debug and -WhatIf output, in error messages and in the Changes
# a history view shows; never masked in the stored data (Export-PrismYaml) or in the objects. The example is the
# Prism project's object store on minio, with access_key and secret_key in its config.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
    $script:ModulePath = Get-PrismTestModulePath
    $script:Secrets = @{
        AccessKey    = 'AKIAPRISMACCESS7731'
        SecretKey    = 'wJalrXUtnPRISM/K7MDENG/bPxRfiSECRET'
        NewSecretKey = 'rotated-SECRET-9f8e7d6c5b4a'
        UriPassword  = 'M1n10-Adm1n-Pw'
    }
    $db = Join-Path $TestDrive 'secrets/config.db'
    $bad = Join-Path $TestDrive 'bad-secret.yaml'
    # Everything runs in one fresh pwsh whose whole output (every stream, the host included) is captured.
    $script:Run = Invoke-FreshPwsh -Command @"
`$ErrorActionPreference = 'Continue'
`$DebugPreference = 'Continue'
`$VerbosePreference = 'SilentlyContinue'
Import-Module '$ModulePath'
`$PSDefaultParameterValues['*-Prism*:Database'] = '$db'
`$config = @{
    endpoint   = 'http://minio-admin:$($Secrets.UriPassword)@minio.internal:9000'
    bucket     = 'prism-objects'
    access_key = '$($Secrets.AccessKey)'
    secret_key = '$($Secrets.SecretKey)'
}
'=== new -Verbose -Debug'
New-PrismNamespace -Name object-store -Backend minio -Pattern objectstore -BackendConfig `$config -Tag storage -Verbose -Debug *>&1 | Out-String -Width 400
'=== default view'
Get-PrismNamespace -Name object-store | Out-String -Width 400
'=== Format-Table'
Get-PrismNamespace -Name object-store | Format-Table | Out-String -Width 400
'=== Format-List'
Get-PrismNamespace -Name object-store | Format-List | Out-String -Width 400
# Not checked on purpose: 'Format-Table Name, BackendConfig' names the property, so PowerShell formats the object's
# own Hashtable, which is unmasked by design (the objects carry the real values).
'=== set -WhatIf -Verbose -Debug'
Set-PrismNamespace -Name object-store -BackendConfig @{ secret_key = '$($Secrets.NewSecretKey)' } -WhatIf -Verbose -Debug *>&1 | Out-String -Width 400
'=== set -Verbose -Debug'
Set-PrismNamespace -Name object-store -BackendConfig (`$config.Clone() + @{}) -Verbose -Debug -PassThru *>&1 | Out-String -Width 400
`$rotated = `$config.Clone(); `$rotated.secret_key = '$($Secrets.NewSecretKey)'
Set-PrismNamespace -Name object-store -BackendConfig `$rotated -Reason 'rotate the key' -PassThru -Verbose *>&1 | Out-String -Width 400
'=== history views'
Get-PrismNamespaceHistory -Name object-store | Out-String -Width 400
Get-PrismNamespaceHistory -Name object-store | Format-List | Out-String -Width 400
(Get-PrismNamespaceHistory -Name object-store -Last 1).Changes | Out-String -Width 400
(Get-PrismNamespaceHistory -Name object-store -Last 1).Changes | Format-List | Out-String -Width 400
'=== restore preview and restore'
Restore-PrismNamespace -Name object-store -Version 1 -WhatIf -Verbose *>&1 | Out-String -Width 400
Restore-PrismNamespace -Name object-store -Version 1 -PassThru -Verbose *>&1 | Out-String -Width 400
'=== errors'
Set-PrismNamespace -Name object-store -BackendConfig @{ secret_key = '$($Secrets.NewSecretKey)' } -ExpectedVersion 99 2>&1 | Out-String -Width 400
New-PrismNamespace -Name 'Bad Name' -Backend minio -Pattern objectstore -BackendConfig `$config 2>&1 | Out-String -Width 400
New-PrismNamespace -Name object-store -Backend minio -Pattern objectstore -BackendConfig `$config 2>&1 | Out-String -Width 400
Set-PrismNamespace -Name object-store -Feature @{ versioning = 'maybe' } -BackendConfig `$rotated 2>&1 | Out-String -Width 400
Set-Content -Path '$bad' -Value "namespaces:`n  - name: object-store`n    backend: minio`n    pattern: objectstore`n    backend_config:`n      access_key: $($Secrets.AccessKey)`n      secret_key: $($Secrets.SecretKey)`n      endpoint: http://u:$($Secrets.UriPassword)@h:9000`n    rate_limit_rps: -1`n"
Import-PrismYaml -Path '$bad' 2>&1 | Out-String -Width 400
Set-Content -Path '$bad' -Value "namespaces:`n  - name: object-store`n    backend: minio`n    pattern: objectstore`n    backend_config:`n      secret_key: $($Secrets.SecretKey)`n      secret_key: $($Secrets.NewSecretKey)`n"
Import-PrismYaml -Path '$bad' 2>&1 | Out-String -Width 400
`$Error | Out-String -Width 400
'=== objects and stored data (flags only, never the values)'
`$ns = Get-PrismNamespace -Name object-store
'OBJECT-UNMASKED=' + (`$ns.BackendConfig.secret_key -eq '$($Secrets.SecretKey)' -and `$ns.BackendConfig.access_key -eq '$($Secrets.AccessKey)' -and `$ns.BackendConfig.endpoint -like '*$($Secrets.UriPassword)*')
`$change = (Get-PrismNamespaceHistory -Name object-store -Version 2).Changes | Where-Object Property -like '*secret_key*'
'CHANGE-UNMASKED=' + (`$change.OldValue -eq '$($Secrets.SecretKey)' -and `$change.NewValue -eq '$($Secrets.NewSecretKey)')
`$yaml = Export-PrismYaml -IncludeSecrets
'EXPORT-UNMASKED=' + (`$yaml.Contains('$($Secrets.SecretKey)') -and `$yaml.Contains('$($Secrets.AccessKey)') -and `$yaml.Contains('$($Secrets.UriPassword)'))
"@
    $script:Text = $Run.Output -join "`n"
    $script:Sections = @{}
    $current = 'start'
    foreach ($line in $Run.Output) {
        if ($line -like '=== *') { $current = $line.Substring(4); continue }
        $Sections[$current] += "$line`n"
    }
}

Describe 'Secret masking' {
    It 'runs the whole scenario' {
        $Run.ExitCode | Should -Be 0 -Because $Text
        foreach ($s in 'new -Verbose -Debug', 'default view', 'Format-Table', 'Format-List', 'history views', 'errors') {
            $Sections[$s] | Should -Not -BeNullOrEmpty -Because "section '$s' must produce output"
        }
        $Sections['errors'] | Should -Match 'VersionConflict|version 99|expected version'
        $Sections['errors'] | Should -Match 'bad-secret\.yaml'
    }

    It 'never shows <_> in any view, stream or error' -ForEach @('AccessKey', 'SecretKey', 'NewSecretKey', 'UriPassword') {
        foreach ($section in $Sections.Keys) {
            $Sections[$section] | Should -Not -BeLike "*$($Secrets[$_])*" -Because "section '$section' leaked the $_"
        }
    }

    It 'shows the mask where a secret was' {
        $Sections['Format-List'] | Should -BeLike '*access_key=`*`*`*`*`*`*`*`**secret_key=`*`*`*`*`*`*`*`**'
        $Sections['Format-List'] | Should -BeLike '*minio-admin:`*`*`*`*`*`*`*`*@*'
        $Sections['history views'] | Should -BeLike '*BackendConfig.secret_key: `*`*`*`*`*`*`*`* → `*`*`*`*`*`*`*`**'
    }

    It 'keeps the real values in the objects, in the history objects and in the stored data' {
        $Run.Output | Should -Contain 'OBJECT-UNMASKED=True'
        $Run.Output | Should -Contain 'CHANGE-UNMASKED=True'
        $Run.Output | Should -Contain 'EXPORT-UNMASKED=True'
    }

    AfterAll {
        Write-ReliabilityFigure -Suite 'secrets' -Text ("{0} views, streams and errors checked: access_key, secret_key and URI passwords masked; objects and stored data unmasked" -f $Sections.Count)
    }
}
