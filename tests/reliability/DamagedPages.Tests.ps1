# A file whose SQLite header is fine but whose pages are damaged is the subtle kind of corruption: it opens, and fails
# only when a query reaches the damage. Every cmdlet must then stop with InvalidData naming the path, never a raw
# .NET error, and must not touch the file.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath) -Force
    $script:Yaml = Join-Path $PSScriptRoot '../../examples/namespaces.yaml'

    function New-DamagedStore {
        $source = Join-Path $TestDrive "src-$([guid]::NewGuid()).db"
        Import-PrismYaml -Path $Yaml -Database $source | Out-Null
        foreach ($i in 1..5) { Set-PrismNamespace -Database $source -Name user-profiles -CacheTtlSeconds (300 + $i) }
        # A backup is a single self-contained file, so damaging it leaves no WAL to mask the damage.
        $backup = Backup-PrismConfig -Database $source -Destination (Join-Path $TestDrive "damaged-$([guid]::NewGuid()).db")
        $bytes = [IO.File]::ReadAllBytes($backup.FullName)
        $pageSize = 4096
        $bytes.Length | Should -BeGreaterThan (8 * $pageSize) -Because 'the store must span the pages being damaged'
        # Page 1 (header and schema) stays intact, so the file opens; every table page after it is garbage.
        for ($b = $pageSize; $b -lt $bytes.Length; $b++) { $bytes[$b] = 0x5A }
        [IO.File]::WriteAllBytes($backup.FullName, $bytes)
        return $backup.FullName
    }
}

Describe 'A database with damaged pages' {
    BeforeAll {
        $script:Db = New-DamagedStore
        $script:Hash = (Get-FileHash $Db).Hash
    }

    It '<Name> stops with StoreCorrupt (InvalidData) naming the path' -ForEach @(
        @{ Name = 'Get-PrismNamespace'; Call = { param($db) Get-PrismNamespace -Database $db } }
        @{ Name = 'Get-PrismNamespace -Tag'; Call = { param($db) Get-PrismNamespace -Database $db -Tag production } }
        @{ Name = 'Get-PrismNamespaceHistory'; Call = { param($db) Get-PrismNamespaceHistory -Database $db } }
        @{ Name = 'Export-PrismYaml'; Call = { param($db) Export-PrismYaml -Database $db } }
        @{ Name = 'Set-PrismNamespace'; Call = { param($db) Set-PrismNamespace -Database $db -Name user-profiles -RateLimitRps 9 } }
    ) {
        $err = $null
        try { & $Call $Db -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because "$Name must not read a damaged store as if it were fine"
        $err.FullyQualifiedErrorId | Should -BeLike 'StoreCorrupt,*'
        "$($err.CategoryInfo.Category)" | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $Db
        "$err" | Should -Not -Match 'SQLite Error'
    }

    It 'Restore-PrismConfig refuses to overwrite it, and the way it gives restores it (<Case>)' -ForEach @(
        @{ Case = 'every page after the first damaged'; Pages = $null }
        # Opens and reads, and fails only when the pre-restore backup copies the damaged page.
        @{ Case = 'one inner page damaged'; Pages = @(2) }
    ) {
        $good = Join-Path $TestDrive "good-$([guid]::NewGuid()).db"
        Import-PrismYaml -Path $Yaml -Database $good | Out-Null
        $backup = Backup-PrismConfig -Database $good -Destination (Join-Path $TestDrive "good-backup-$([guid]::NewGuid()).db")
        $copy = Join-Path $TestDrive "damaged-copy-$([guid]::NewGuid()).db"
        if ($Pages) {
            $bytes = [IO.File]::ReadAllBytes($backup.FullName)
            foreach ($page in $Pages) { for ($b = $page * 4096; $b -lt ($page + 1) * 4096; $b++) { $bytes[$b] = 0x5A } }
            [IO.File]::WriteAllBytes($copy, $bytes)
        }
        else {
            Copy-Item $Db $copy
        }

        $err = { Restore-PrismConfig $backup.FullName -Database $copy -Force } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'StoreCorrupt,*'
        $err.TargetObject | Should -Be $copy
        "$err" | Should -Not -Match 'Restore it from a backup'
        "$err" | Should -Match ([regex]::Escape("Move-Item '$copy' '$copy.damaged'; Move-Item '$copy-wal' '$copy.damaged-wal' -ErrorAction Ignore;"))

        Move-Item $copy "$copy.damaged"; Move-Item "$copy-wal" "$copy.damaged-wal" -ErrorAction Ignore; Move-Item "$copy-shm" "$copy.damaged-shm" -ErrorAction Ignore
        (Restore-PrismConfig $backup.FullName -Database $copy -Force).Namespaces | Should -Be (Get-PrismNamespace -Database $good).Count
        (Test-PrismConfig -Database $copy).IsHealthy | Should -BeTrue
    }

    It 'Test-PrismConfig reports it as unhealthy' {
        $health = Test-PrismConfig -Database $Db
        $health.IsHealthy | Should -BeFalse
        $health.Problems | Should -Not -BeNullOrEmpty
    }

    It 'leaves the file exactly as it was, with no WAL or SHM beside it' {
        (Get-FileHash $Db).Hash | Should -Be $Hash
        "$Db-wal" | Should -Not -Exist
        "$Db-shm" | Should -Not -Exist
    }
}
