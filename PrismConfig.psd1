# The source of the module manifest. build.ps1 copies it to out/PrismConfig/ and stamps ModuleVersion there from
# Directory.Build.props, the version's only source; this file is never rewritten.
@{
    RootModule           = 'PrismConfig.PowerShell.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '5b0c6d8e-2f4a-4d61-9c3e-7a1f0e2b8d45'
    Author               = 'PrismConfig contributors'
    CompanyName          = 'PrismConfig'
    Copyright            = 'Copyright (c) 2026 PrismConfig contributors. MIT License.'
    Description          = 'Versioned, audited configuration for Prism namespaces in an embedded SQLite store (ADR-036): query, change, import, export, back up and roll back with PowerShell cmdlets.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')

    FormatsToProcess     = @('PrismConfig.format.ps1xml', 'PrismConfig.Store.format.ps1xml')
    TypesToProcess       = @('PrismConfig.types.ps1xml')

    CmdletsToExport      = @(
        'Get-PrismNamespace'
        'New-PrismNamespace'
        'Set-PrismNamespace'
        'Disable-PrismNamespace'
        'Enable-PrismNamespace'
        'Get-PrismNamespaceHistory'
        'Watch-PrismNamespace'
        'Restore-PrismNamespace'
        'Remove-PrismNamespace'
        'Rename-PrismNamespace'
        'Compare-PrismNamespace'
        'Import-PrismYaml'
        'Export-PrismYaml'
        'Initialize-PrismConfig'
        'Backup-PrismConfig'
        'Restore-PrismConfig'
        'Test-PrismConfig'
        'Sync-PrismConfig'
        'Get-PrismConfigStatus'
        'Import-PrismRegistry'
        'Get-PrismRegistry'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    PrivateData          = @{
        # What Publish-PSResource writes into the package's nuspec, and what a gallery shows.
        PSData = @{
            Tags         = @('Prism', 'Configuration', 'SQLite', 'YAML', 'GitOps', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://github.com/prismconfig/PrismConfig/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/prismconfig/PrismConfig'
            ReleaseNotes = 'https://github.com/prismconfig/PrismConfig/blob/main/CHANGELOG.md'
        }
    }
}
