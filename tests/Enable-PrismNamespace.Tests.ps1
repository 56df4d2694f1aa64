# Enable-PrismNamespace: status change to 'active', history operation 'enable', idempotence, pipelines, errors and -WhatIf.
BeforeDiscovery { . (Join-Path $PSScriptRoot 'StatusCommand.Shared.ps1') }

Describe 'Enable-PrismNamespace' -ForEach @(
    @{ Cmdlet = 'Enable-PrismNamespace'; Opposite = 'Disable-PrismNamespace'; Target = 'active'; From = 'disabled'; Operation = 'enable' }
) {
    Add-StatusCommandTests
}
