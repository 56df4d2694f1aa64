# Disable-PrismNamespace: status change to 'disabled', history operation 'disable', idempotence, pipelines, errors and -WhatIf.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    . (Join-Path $PSScriptRoot 'StatusCommand.Shared.ps1')
}

Add-StatusDescribes @{ Cmdlet = 'Disable-PrismNamespace'; Opposite = 'Enable-PrismNamespace'; Target = 'disabled'; From = 'active'; Operation = 'disable' }
