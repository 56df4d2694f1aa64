# Disable-PrismNamespace: status change to 'disabled', history operation 'disable', idempotence, pipelines, errors and -WhatIf.
BeforeDiscovery { . (Join-Path $PSScriptRoot 'StatusCommand.Shared.ps1') }

Describe 'Disable-PrismNamespace' -ForEach @(
    @{ Cmdlet = 'Disable-PrismNamespace'; Opposite = 'Enable-PrismNamespace'; Target = 'disabled'; From = 'active'; Operation = 'disable' }
) {
    Add-StatusCommandTests
}
