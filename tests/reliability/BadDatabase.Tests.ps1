# Bad database files: each gives a clear error (the right category, the path in the message), never a crash, and
# changes no file. A store another process holds in a write transaction fails within the busy timeout as StoreBusy.
BeforeDiscovery {
    $script:IsRoot = -not $IsWindows -and (& id -u) -eq '0'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Reliability.psm1') -Force
    Import-Module (Get-PrismTestModulePath) -Force
    $script:IsRoot = -not $IsWindows -and (& id -u) -eq '0'

    # A clean single-file database to damage: a backup of a small store.
    $source = Join-Path $TestDrive 'source/config.db'
    New-PrismNamespace -Name bad-file-one -Backend redis -Pattern keyvalue -Database $source | Out-Null
    New-PrismNamespace -Name bad-file-two -Backend kafka -Pattern stream -Description ('padding ' * 50) -Database $source | Out-Null
    foreach ($i in 1..20) { Set-PrismNamespace -Name bad-file-two -RateLimitRps $i -Database $source }
    $script:Template = (Backup-PrismConfig -Database $source -Destination (Join-Path $TestDrive 'template/') -ErrorAction Stop).FullName
    $script:Yaml = Join-Path $TestDrive 'one.yaml'
    Set-Content -Path $Yaml -Value "namespaces:`n  - name: from-yaml`n    backend: redis`n    pattern: keyvalue`n"
    $script:Cases = 0

    function script:Get-FolderState([string] $Folder) {
        # Every file's name and hash: a bad database must leave all of them, and no new one, behind.
        (Get-ChildItem -Force -Recurse -File $Folder | Sort-Object FullName | ForEach-Object { '{0}={1}' -f $_.FullName, (Get-FileHash $_.FullName).Hash }) -join "`n"
    }

    function script:Invoke-Each([string] $Database) {
        # Every cmdlet that opens a store, against the bad database; returns one result per cmdlet.
        $calls = [ordered]@{
            'Get-PrismNamespace'        = { Get-PrismNamespace -Database $Database }
            'Get-PrismNamespaceHistory' = { Get-PrismNamespaceHistory -Database $Database }
            'New-PrismNamespace'        = { New-PrismNamespace -Name new-one -Backend redis -Pattern keyvalue -Database $Database }
            'Set-PrismNamespace'        = { Set-PrismNamespace -Name bad-file-one -RateLimitRps 5 -Database $Database }
            'Disable-PrismNamespace'    = { Disable-PrismNamespace -Name bad-file-one -Database $Database }
            'Restore-PrismNamespace'    = { Restore-PrismNamespace -Name bad-file-one -Version 1 -Database $Database }
            'Import-PrismYaml'          = { Import-PrismYaml -Path $Yaml -Database $Database }
            'Export-PrismYaml'          = { Export-PrismYaml -Database $Database }
            'Backup-PrismConfig'        = { Backup-PrismConfig -Destination (Join-Path $TestDrive "bk-$(Get-Random)/") -Database $Database }
            'Initialize-PrismConfig'    = { Initialize-PrismConfig -Database $Database }
        }
        # The script blocks run in this scope, so this makes every error in them terminating.
        $ErrorActionPreference = 'Stop'
        foreach ($name in $calls.Keys) {
            $script:Cases++
            try {
                $null = & $calls[$name]
                [pscustomobject]@{ Cmdlet = $name; Error = $null }
            }
            catch {
                [pscustomobject]@{ Cmdlet = $name; Error = $_ }
            }
        }
    }
}

Describe 'A bad database file' {
    It 'is a clear error, changing nothing: <Case>' -ForEach @(
        @{ Case = 'truncated'; Category = 'InvalidData' }
        @{ Case = 'random bytes'; Category = 'InvalidData' }
        @{ Case = 'zero-length'; Category = 'InvalidData' }
        @{ Case = 'a directory'; Category = 'InvalidArgument' }
    ) {
        $folder = Join-Path $TestDrive ("case-" + ($Case -replace ' ', '-'))
        $null = New-Item -ItemType Directory -Force -Path $folder
        $db = Join-Path $folder 'config.db'
        switch ($Case) {
            'truncated' {
                Copy-Item $Template $db
                $bytes = [IO.File]::ReadAllBytes($db)
                [IO.File]::WriteAllBytes($db, $bytes[0..($bytes.Length / 2 - 1)])
            }
            'random bytes' {
                $bytes = [byte[]]::new(8192); [Random]::new(36).NextBytes($bytes)
                [IO.File]::WriteAllBytes($db, $bytes)
            }
            'zero-length' { [IO.File]::WriteAllBytes($db, [byte[]]@()) }
            'a directory' { $null = New-Item -ItemType Directory -Path $db; Set-Content (Join-Path $db 'inside.txt') 'x' }
        }
        $before = Get-FolderState $folder

        foreach ($r in Invoke-Each $db) {
            $r.Error | Should -Not -BeNullOrEmpty -Because "$($r.Cmdlet) must refuse a $Case database"
            "$($r.Error.CategoryInfo.Category)" | Should -Be $Category -Because "$($r.Cmdlet): $($r.Error)"
            "$($r.Error)" | Should -BeLike "*$db*" -Because "$($r.Cmdlet)'s error must name the file"
            "$($r.Error)" | Should -Not -Match 'SQLite Error|\.\.$' -Because "$($r.Cmdlet) must explain the problem, not quote SQLite"
            # What a crash looks like from here: an error that is not PrismConfig's.
            $r.Error.FullyQualifiedErrorId | Should -Not -BeLike 'System.*' -Because "$($r.Cmdlet): $($r.Error)"
        }
        # Test-PrismConfig reports an unusable file as unhealthy, or refuses a path that is no file at all.
        try {
            $health = Test-PrismConfig -Database $db -ErrorAction Stop
            $health.IsHealthy | Should -BeFalse
            $health.Problems | Should -Not -BeNullOrEmpty
        }
        catch {
            "$_" | Should -BeLike "*$db*"
        }
        Get-FolderState $folder | Should -Be $before -Because 'no file may change or appear'
    }

    It 'with mode 0400 is read, and <Expectation>' -Skip:$IsWindows -TestCases @(@{ Expectation = $(if ($IsRoot) { 'as root (who bypasses modes) written to without damage' } else { 'refused for writing with PermissionDenied, unchanged' }) }) {
        $folder = Join-Path $TestDrive 'case-read-only'
        $null = New-Item -ItemType Directory -Force -Path $folder
        $db = Join-Path $folder 'config.db'
        Copy-Item $Template $db
        [IO.File]::SetUnixFileMode($db, 'UserRead')
        (Get-PrismNamespace -Database $db).Name | Should -Be @('bad-file-one', 'bad-file-two')
        $before = Get-FileHash $db
        if ($IsRoot) {
            # Root ignores the mode bits, so the honest check is that the write works and leaves a healthy store.
            Set-PrismNamespace -Name bad-file-one -RateLimitRps 7 -Database $db -ErrorAction Stop
            (Get-PrismNamespace -Name bad-file-one -Database $db).RateLimitRps | Should -Be 7
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
            [IO.File]::GetUnixFileMode($db) | Should -Be ([IO.UnixFileMode]'UserRead') -Because 'PrismConfig must not loosen a mode the owner set'
        }
        else {
            { Set-PrismNamespace -Name bad-file-one -RateLimitRps 7 -Database $db -ErrorAction Stop } | Should -Throw -ErrorId 'PermissionDenied*'
            (Get-FileHash $db).Hash | Should -Be $before.Hash
        }
    }

    It 'in a read-only folder (0500) is read, and <Expectation>' -Skip:$IsWindows -TestCases @(@{ Expectation = $(if ($IsRoot) { 'as root written to without damage' } else { 'refused for writing, unchanged' }) }) {
        $folder = Join-Path $TestDrive 'case-read-only-folder'
        $null = New-Item -ItemType Directory -Force -Path $folder
        $db = Join-Path $folder 'config.db'
        Copy-Item $Template $db
        [IO.File]::SetUnixFileMode($folder, 'UserRead, UserExecute')
        try {
            (Get-PrismNamespace -Database $db).Name | Should -Be @('bad-file-one', 'bad-file-two')
            $before = Get-FolderState $folder
            if ($IsRoot) {
                Set-PrismNamespace -Name bad-file-one -RateLimitRps 8 -Database $db -ErrorAction Stop
                (Get-PrismNamespace -Name bad-file-one -Database $db).RateLimitRps | Should -Be 8
                (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
            }
            else {
                { Set-PrismNamespace -Name bad-file-one -RateLimitRps 8 -Database $db -ErrorAction Stop } | Should -Throw
                Get-FolderState $folder | Should -Be $before
            }
        }
        finally {
            [IO.File]::SetUnixFileMode($folder, 'UserRead, UserWrite, UserExecute')
        }
    }

    It 'held in a write transaction by another process fails within the busy timeout as StoreBusy, naming the path' {
        $db = Join-Path $TestDrive 'case-locked/config.db'
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $db)
        Copy-Item $Template $db
        # The default lock timeout is sized for disks under load (60 s); this store is opened with 5 s.
        $oldTimeout = $env:PRISM_CONFIG_LOCK_TIMEOUT
        $env:PRISM_CONFIG_LOCK_TIMEOUT = '5' 
        # A backup is a rollback-journal file; the first open turns it into WAL, which needs the lock we will hold.
        (Get-PrismNamespace -Name bad-file-one -Database $db).Version | Should -Be 1
        $holder = Start-CrashWorker -Arguments @('hold', $db, '20')
        try {
            $holder.StandardOutput.ReadLine() | Should -Be 'HELD'
            $before = Get-FileHash $db
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $err = $null
            try { Set-PrismNamespace -Name bad-file-one -RateLimitRps 9 -Database $db -ErrorAction Stop } catch { $err = $_ }
            $clock.Stop()
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'StoreBusy,*'
            "$($err.CategoryInfo.Category)" | Should -Be 'ResourceBusy'
            "$err" | Should -BeLike "*$db*"
            "$err" | Should -Not -Match 'database is locked|SQLite Error'
            # The timeout is 5 s; allow for a loaded machine, but not for a hang.
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 4
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            (Get-FileHash $db).Hash | Should -Be $before.Hash
            # Reads still work while the lock is held (WAL).
            (Get-PrismNamespace -Name bad-file-one -Database $db).Version | Should -Be 1
        }
        finally {
            $holder.Kill(); $holder.WaitForExit()
            $env:PRISM_CONFIG_LOCK_TIMEOUT = $oldTimeout
        }
        Set-PrismNamespace -Name bad-file-one -RateLimitRps 9 -Database $db -ErrorAction Stop
        (Get-PrismNamespace -Name bad-file-one -Database $db).RateLimitRps | Should -Be 9
    }

    AfterAll {
        Write-ReliabilityFigure -Suite 'bad-database' -Text ("{0} cmdlet calls against truncated, random, empty and directory databases: each a clear error, no file changed; busy lock reported as StoreBusy within the timeout; running as root: {1}" -f $script:Cases, $script:IsRoot)
    }
}
