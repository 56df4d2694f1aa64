<#
.SYNOPSIS
    Moves one host's SQLite store to a shared PostgreSQL database: namespaces, versions, features, the registry and
    the whole history, with every row id and revision kept.
.DESCRIPTION
    A PrismConfig backup is a SQLite file whichever engine it comes from, and Restore-PrismConfig restores one into
    either engine in one transaction. So a move is: back the host's store up (online, integrity-checked), restore
    that file into the PostgreSQL database, and check that both say the same.

    1. Create the database and a user for it (once, as a PostgreSQL administrator):
           createuser --pwprompt prism && createdb --owner prism prism
    2. Give this host the password without putting it in a command line: a ~/.pgpass line
       (db.internal:5432:prism:prism:<password> for the -Target below, as host:port:database:user:password, mode 0600) or $env:PGPASSWORD.
    3. Run this runbook with -WhatIf to see what it would do, then without.
    4. Point the proxies' tooling at the new locator ($env:PRISM_CONFIG_DB) and stop writing to the old file.

    The target must hold no namespaces yet, unless -Force: a move never merges two stores.
.PARAMETER Source
    The host's SQLite store. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.
.PARAMETER Target
    The PostgreSQL database: postgresql://user@host:5432/dbname (passwords belong in ~/.pgpass or PGPASSWORD).
.PARAMETER BackupFolder
    Where the backup that moves is kept (owner-only). A new folder under the temporary folder by default.
.PARAMETER Force
    Replace a target that already holds namespaces.
.EXAMPLE
    ./Move-PrismStoreToPostgres.ps1 -Source /var/lib/prism/config.db -Target postgresql://prism@db.internal:5432/prism -WhatIf

    Says what it would copy, and changes nothing.
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
param(
    [string] $Source,
    [Parameter(Mandatory)][string] $Target,
    [string] $BackupFolder,
    [switch] $Force
)
$ErrorActionPreference = 'Stop'
$common = @{}
if ($Source) { $common.Database = $Source }

$health = Test-PrismConfig @common
if (-not $health.IsHealthy) { throw "The source store $($health.Path) is not healthy; repair it before moving it: $($health.Problems -join '; ')" }

# A database with no store yet is what a move expects; any other failure (unreachable, refused) stops it here.
$existing = try { @(Get-PrismNamespace -Database $Target).Count } catch {
    if ($_.FullyQualifiedErrorId -like 'DatabaseNotFound*') { 0 } else { throw }
}
if ($existing -gt 0 -and -not $Force) {
    throw "The target already holds $existing namespaces. A move never merges stores: choose an empty database, or add -Force to replace them."
}

if (-not $PSCmdlet.ShouldProcess($Target, "Copy $($health.Namespaces) namespaces and $($health.HistoryEntries) history entries from $($health.Path)")) {
    return
}
if (-not $BackupFolder) { $BackupFolder = Join-Path ([IO.Path]::GetTempPath()) ("prism-move-" + [guid]::NewGuid().ToString('N')) }
$backup = Backup-PrismConfig @common -Destination (Join-Path $BackupFolder ([IO.Path]::DirectorySeparatorChar))
$null = Restore-PrismConfig -Path $backup.FullName -Database $Target -Force -Confirm:$false

$after = Test-PrismConfig -Database $Target
if (-not $after.IsHealthy) { throw "The target $($after.Path) failed its health check after the move: $($after.Problems -join '; ')" }
$before = Get-PrismNamespace @common | ForEach-Object { "$($_.Name)@$($_.Version)" }
$moved = Get-PrismNamespace -Database $Target | ForEach-Object { "$($_.Name)@$($_.Version)" }
if (($before -join ',') -ne ($moved -join ',')) { throw 'The target does not hold the same namespaces at the same versions as the source.' }
[pscustomobject]@{
    Source         = $health.Path
    Target         = $after.Path
    Namespaces     = $after.Namespaces
    HistoryEntries = $after.HistoryEntries
    Backup         = $backup.FullName
}
