# Permissions: the database, its WAL and SHM, and backups are created 0600 on Unix; every folder PrismConfig creates
# (the store's, a backup's, a restore's safety copy's, and each missing parent on the way) is 0700.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
    Import-Module (Get-PrismTestModulePath) -Force
    $script:Private = [IO.UnixFileMode]'UserRead, UserWrite'
    $script:PrivateFolder = [IO.UnixFileMode]'UserRead, UserWrite, UserExecute'
    function script:Get-Mode([string] $Path) { [IO.File]::GetUnixFileMode($Path) }
}

Describe 'File and folder modes' -Skip:$IsWindows {
    BeforeAll {
        $script:Root = Join-Path $TestDrive 'modes'
        $null = New-Item -ItemType Directory -Path $Root
        $script:Db = Join-Path $Root 'new/deeper/config.db'
        New-PrismNamespace -Name mode-check -Backend redis -Pattern keyvalue -Database $Db | Out-Null
        # A second write keeps the WAL non-empty while the store is open in this session.
        Set-PrismNamespace -Name mode-check -RateLimitRps 10 -Database $Db
    }

    It 'creates the database 0600' {
        Get-Mode $Db | Should -Be $Private
    }

    It 'creates the WAL and SHM files 0600' {
        foreach ($suffix in '-wal', '-shm') {
            "$Db$suffix" | Should -Exist
            Get-Mode "$Db$suffix" | Should -Be $Private -Because "$Db$suffix"
        }
    }

    It 'creates the store folder and every missing parent 0700' {
        Get-Mode (Join-Path $Root 'new/deeper') | Should -Be $PrivateFolder
        Get-Mode (Join-Path $Root 'new') | Should -Be $PrivateFolder
    }

    It 'creates backups 0600, in new folders (and their missing parents) 0700' {
        $backup = Backup-PrismConfig -Database $Db -Destination (Join-Path $Root 'backups/daily/') -ErrorAction Stop
        Get-Mode $backup.FullName | Should -Be $Private
        Get-Mode (Join-Path $Root 'backups/daily') | Should -Be $PrivateFolder
        Get-Mode (Join-Path $Root 'backups') | Should -Be $PrivateFolder
        $named = Backup-PrismConfig -Database $Db -Destination (Join-Path $Root 'named/one/copy.db') -ErrorAction Stop
        Get-Mode $named.FullName | Should -Be $Private
        Get-Mode (Join-Path $Root 'named/one') | Should -Be $PrivateFolder
        Get-Mode (Join-Path $Root 'named') | Should -Be $PrivateFolder
    }

    It 'keeps 0600 on the files that Restore-PrismConfig writes' {
        $backup = Backup-PrismConfig -Database $Db -Destination (Join-Path $Root 'restore-source/') -ErrorAction Stop
        $target = Join-Path $Root 'restored/config.db'
        New-PrismNamespace -Name restore-me -Backend redis -Pattern keyvalue -Database $target | Out-Null
        Restore-PrismConfig -Path $backup.FullName -Database $target -Force -Confirm:$false -ErrorAction Stop | Out-Null
        Get-ChildItem -Recurse -File (Join-Path $Root 'restored') | ForEach-Object {
            Get-Mode $_.FullName | Should -Be $Private -Because $_.FullName
        }
        Get-ChildItem -Recurse -Directory (Join-Path $Root 'restored') | ForEach-Object {
            Get-Mode $_.FullName | Should -Be $PrivateFolder -Because $_.FullName
        }
    }

    AfterAll {
        Write-ReliabilityFigure -Suite 'permissions' -Text 'database, WAL, SHM, backup and restored files 0600; every created folder, parents included, 0700'
    }
}
