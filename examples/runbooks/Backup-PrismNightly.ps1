<#
.SYNOPSIS
    Nightly backup of the PrismConfig store with 30-day retention: the ADR's cron job, done right.
.DESCRIPTION
    The ADR's job checkpoints the WAL and then copies the file with cp; a commit between the two produces a copy that
    mixes old and new pages. Backup-PrismConfig uses SQLite's online backup API instead, checks the copy with
    integrity_check, makes it owner-only, and deletes only its own backups older than -RetainDays.

    Run it from a systemd timer:

        # /etc/systemd/system/prism-config-backup.service
        [Unit]
        Description=Back up the Prism configuration store
        [Service]
        Type=oneshot
        ExecStart=/usr/bin/pwsh -NoProfile -File /opt/prism/runbooks/Backup-PrismNightly.ps1 -Destination /var/backups/prism

        # /etc/systemd/system/prism-config-backup.timer
        [Unit]
        Description=Nightly Prism configuration backup
        [Timer]
        OnCalendar=*-*-* 02:30:00
        RandomizedDelaySec=15m
        Persistent=true
        [Install]
        WantedBy=timers.target

    or from cron:

        30 2 * * * root /usr/bin/pwsh -NoProfile -File /opt/prism/runbooks/Backup-PrismNightly.ps1 -Destination /var/backups/prism
.PARAMETER Destination
    The backup folder. Created (owner-only) if missing.
.PARAMETER RetainDays
    Delete this runbook's backups older than this many days. 30 by default.
.PARAMETER Database
    The PrismConfig database. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.
.EXAMPLE
    ./Backup-PrismNightly.ps1 -Destination /var/backups/prism

    Backs up the default store and prunes backups older than 30 days.
.EXAMPLE
    ./Backup-PrismNightly.ps1 -Destination ./backups -RetainDays 7 -WhatIf

    Shows what it would back up and delete.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)][string] $Destination,
    [ValidateRange(1, 3650)][int] $RetainDays = 30,
    [string] $Database
)
$ErrorActionPreference = 'Stop'
$common = @{}
if ($Database) { $common.Database = $Database }

if (-not (Test-Path $Destination) -and $PSCmdlet.ShouldProcess($Destination, 'Create backup folder')) {
    $folder = New-Item -ItemType Directory -Path $Destination
    if (-not $IsWindows) { $folder.UnixFileMode = 'UserRead, UserWrite, UserExecute' }
}
# A trailing separator tells Backup-PrismConfig that the destination is a folder even before it exists.
$target = Join-Path $Destination ([IO.Path]::DirectorySeparatorChar)
$backup = Backup-PrismConfig -Destination $target -RetainDays $RetainDays @common
if ($backup) {
    $health = Test-PrismConfig -Database $backup.FullName
    if (-not $health.IsHealthy) { throw "The backup $($backup.FullName) failed its health check: $($health.Problems -join '; ')" }
    $backup
}
