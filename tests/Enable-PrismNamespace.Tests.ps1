# Enable-PrismNamespace: status change to 'active', history operation 'enable', idempotence, pipelines, errors and -WhatIf.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    . (Join-Path $PSScriptRoot 'StatusCommand.Shared.ps1')
}

Add-StatusDescribes @{ Cmdlet = 'Enable-PrismNamespace'; Opposite = 'Disable-PrismNamespace'; Target = 'active'; From = 'disabled'; Operation = 'enable' }
