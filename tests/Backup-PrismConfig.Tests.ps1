# Backup-PrismConfig: online, consistent, private backups of either engine's store, with a retention rule that
# touches only its own files.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force

    function script:New-Db { New-TestStore $Engine $TestDrive }
    function script:New-Folder { $f = Join-Path $TestDrive ('bk-' + [guid]::NewGuid().ToString('N').Substring(0, 8)); New-Item -ItemType Directory $f | Out-Null; $f }
    function script:New-Yaml([string] $Text) {
        $path = Join-Path $TestDrive ("{0}.yaml" -f [guid]::NewGuid().ToString('N').Substring(0, 8))
        [IO.File]::WriteAllText($path, $Text)
        $path
    }
}

Describe 'Backup-PrismConfig of a <Engine> store' -ForEach (Get-TestEngine) {
    Context 'backups' -Skip:$Skip {
        BeforeAll {
            $script:Db = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 12 -Seed 12)) -Database $Db -WarningAction SilentlyContinue | Out-Null
        }

        It 'writes config-yyyyMMdd-HHmmss.db (UTC) into an existing folder, private and healthy' {
            $folder = New-Folder
            $before = [DateTime]::UtcNow.AddSeconds(-1)
            $file = Backup-PrismConfig $folder -Database $Db
            $file | Should -BeOfType [IO.FileInfo]
            $file.DirectoryName | Should -Be $folder
            $file.Name | Should -Match '^config-\d{8}-\d{6}\.db$'
            $stamp = [DateTime]::ParseExact($file.Name.Substring(7, 15), 'yyyyMMdd-HHmmss', [Globalization.CultureInfo]::InvariantCulture)
            $stamp | Should -BeGreaterOrEqual $before.AddSeconds(-1).Date
            [Math]::Abs(($stamp - [DateTime]::UtcNow).TotalMinutes) | Should -BeLessThan 2
            if (-not $IsWindows) {
                [IO.File]::GetUnixFileMode($file.FullName) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
                # The file as Get-Item shows it, mode and owner included.
                $file.UnixMode | Should -Be '-rw-------'
                $file.User | Should -Not -BeNullOrEmpty
            }
            $file.PSPath | Should -BeLike '*FileSystem::*'
            $report = Test-PrismConfig -Database $file.FullName
            $report.IsHealthy | Should -BeTrue
            $report.Namespaces | Should -Be 12
            Export-PrismYaml -Database $file.FullName | Should -BeExactly (Export-PrismYaml -Database $Db)
        }

        It 'adds -1, -2 when the name is taken' {
            $folder = New-Folder
            $names = 1..3 | ForEach-Object { (Backup-PrismConfig $folder -Database $Db).Name }
            ($names | Select-Object -Unique).Count | Should -Be 3
            $names | ForEach-Object { $_ | Should -Match '^config-\d{8}-\d{6}(-\d+)?\.db$' }
        }

        It 'treats a path ending in a separator as a folder and creates it 0700' {
            $folder = Join-Path $TestDrive ('new-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
            $file = Backup-PrismConfig ($folder + [IO.Path]::DirectorySeparatorChar) -Database $Db
            $file.DirectoryName | Should -Be $folder
            if (-not $IsWindows) {
                [IO.File]::GetUnixFileMode($folder) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
            }
        }

        It 'writes to an exact file path, creating its folder, and never overwrites' {
            $path = Join-Path $TestDrive ('p-' + [guid]::NewGuid().ToString('N').Substring(0, 6)) 'nightly.db'
            $file = Backup-PrismConfig $path -Database $Db
            $file.FullName | Should -Be $path
            $hash = (Get-FileHash $path).Hash
            $err = { Backup-PrismConfig $path -Database $Db } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'BackupExists,*'
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.TargetObject | Should -Be $path
            (Get-FileHash $path).Hash | Should -Be $hash
        }

        It 'writes nothing under -WhatIf' {
            $folder = Join-Path $TestDrive ('wi-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
            Backup-PrismConfig "$folder/" -Database $Db -WhatIf | Should -BeNullOrEmpty
            $folder | Should -Not -Exist
            $existing = New-Folder
            Backup-PrismConfig $existing -Database $Db -WhatIf | Should -BeNullOrEmpty
            @(Get-ChildItem $existing).Count | Should -Be 0
        }

        Context '-RetainDays' {
            It 'deletes only its own old backups, judged by the name, and never anything else' {
                $folder = New-Folder
                $old = [DateTime]::UtcNow.AddDays(-40).ToString('yyyyMMdd-HHmmss')
                $recent = [DateTime]::UtcNow.AddDays(-5).ToString('yyyyMMdd-HHmmss')
                $expired = @("config-$old.db", "config-$old-1.db")
                $kept = @(
                    "config-$recent.db"                 # inside the window
                    "config-$old.db.bak"                # not the pattern
                    "config-$old.DB.txt"
                    "myconfig-$old.db"
                    "config-pre-restore-$old.db"        # a pre-restore backup is not a routine backup
                    "config-$($old.Substring(0, 8)).db" # the ADR's old cron naming: not ours to judge
                    'notes.txt'
                    "config-20231399-000000.db"         # not a real date
                )
                foreach ($n in $expired + $kept) {
                    $p = Join-Path $folder $n
                    Set-Content $p 'x'
                    # An old modification time everywhere, so only the name can have made the decision.
                    (Get-Item $p).LastWriteTimeUtc = [DateTime]::UtcNow.AddDays(-400)
                }
                New-Item -ItemType Directory (Join-Path $folder "config-$old-2.db") | Out-Null
                # A recent name with an old mtime stays; an old name with a new mtime goes.
                (Get-Item (Join-Path $folder "config-$old-1.db")).LastWriteTimeUtc = [DateTime]::UtcNow

                $new = Backup-PrismConfig $folder -RetainDays 30 -Database $Db
                $left = Get-ChildItem $folder -Force | ForEach-Object Name
                foreach ($n in $expired) { $left | Should -Not -Contain $n }
                foreach ($n in $kept) { $left | Should -Contain $n }
                $left | Should -Contain "config-$old-2.db" -Because 'folders are never deleted'
                $left | Should -Contain $new.Name
            }

            It 'deletes nothing under -WhatIf, and an expired backup without it' {
                $folder = New-Folder
                $old = [DateTime]::UtcNow.AddDays(-90).ToString('yyyyMMdd-HHmmss')
                Set-Content (Join-Path $folder "config-$old.db") 'x'
                Backup-PrismConfig $folder -RetainDays 1 -Database $Db -WhatIf
                (Join-Path $folder "config-$old.db") | Should -Exist
                $new = Backup-PrismConfig $folder -RetainDays 1 -Database $Db
                (Join-Path $folder "config-$old.db") | Should -Not -Exist
                $new.FullName | Should -Exist
            }
        }

        It 'takes a consistent backup while another process writes' {
            $db = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 5 -Seed 5 -Prefix base)) -Database $db -WarningAction SilentlyContinue | Out-Null
            $module = Get-PrismTestModulePath
            $stop = Join-Path $TestDrive 'stop-writer'
            $yamlDir = Join-Path $TestDrive ('writer-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
            New-Item -ItemType Directory $yamlDir | Out-Null
            $writer = Start-FreshPwsh -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module '$module'
`$i = 0
while (-not (Test-Path '$stop') -and `$i -lt 2000) {
    `$i++
    `$file = Join-Path '$yamlDir' "w`$(`$i % 2).yaml"
    Set-Content `$file "namespaces:``n  - name: writer-`$(`$i % 50)``n    backend: redis``n    pattern: keyvalue``n    cache_ttl_seconds: `$i``n"
    Import-PrismYaml `$file -Database '$db' | Out-Null
}
"@ -StdErr (Join-Path $TestDrive 'writer.err')
            try {
                Start-Sleep -Milliseconds 1500
                $folder = New-Folder
                $backups = 1..5 | ForEach-Object { Backup-PrismConfig $folder -Database $db; Start-Sleep -Milliseconds 100 }
                $writer.HasExited | Should -BeFalse -Because 'the writer must still be writing while the backups run'
            }
            finally {
                Set-Content $stop 'stop'
                $writer.WaitForExit(30000) | Out-Null
            }
            Get-Content -Raw (Join-Path $TestDrive 'writer.err') -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            foreach ($b in $backups) {
                $report = Test-PrismConfig -Database $b.FullName
                $report.IsHealthy | Should -BeTrue -Because ($report.Problems -join '; ')
                $report.Namespaces | Should -BeGreaterOrEqual 5
            }
            (Test-PrismConfig -Database $db).IsHealthy | Should -BeTrue
        }
    }
}

Describe 'Backup-PrismConfig of a SQLite file' {
    It 'fails with DatabaseNotFound for a missing database, creating nothing' {
        $missing = Join-Path $TestDrive 'missing.db'
        $folder = Join-Path $TestDrive 'never-made'
        $err = { Backup-PrismConfig "$folder/" -Database $missing } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'DatabaseNotFound,*'
        $missing | Should -Not -Exist
        $folder | Should -Not -Exist
    }

    It 'refuses a corrupt database as InvalidData' {
        $bad = Join-Path $TestDrive 'bad.db'
        [IO.File]::WriteAllText($bad, 'this is not a database at all, just text that is long enough ' * 10)
        $hash = (Get-FileHash $bad).Hash
        $err = { Backup-PrismConfig (New-Folder) -Database $bad } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $bad
        (Get-FileHash $bad).Hash | Should -Be $hash
    }
}
