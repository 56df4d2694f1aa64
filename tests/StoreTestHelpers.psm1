# Helpers for the store-level cmdlet suites (Import/Export-PrismYaml, Initialize/Backup/Restore/Test-PrismConfig).
# Load the built module first: the Core helpers reach into its own load context.

function New-RandomNamespaceYaml {
    <#
    .SYNOPSIS
        Returns the text of an import file with Count random, valid namespaces (deterministic for a Seed).
    #>
    param([int] $Count = 20, [int] $Seed = 1, [string] $Prefix = 'ns')
    $rng = [Random]::new($Seed)
    $pick = { param($list) $list[$rng.Next($list.Count)] }
    $tricky = @('plain', 'with: colon', "quote ' and `"", 'yes', 'null', '123', ' leading space', 'ünïcødé ✓', "multi`nline", '#hash', '- dash', '')
    $backends = @('postgres', 'redis', 'kafka', 'nats', 'memstore', 's3')
    $patterns = @('keyvalue', 'pubsub', 'stream', 'queue', 'timeseries')
    $lines = [Collections.Generic.List[string]]::new()
    $lines.Add('namespaces:')
    $names = [Collections.Generic.HashSet[string]]::new()
    while ($names.Count -lt $Count) {
        [void]$names.Add(('{0}-{1}-{2:x}' -f $Prefix, $names.Count, $rng.Next(0x1000, 0xFFFFF)))
    }
    foreach ($name in $names) {
        $lines.Add("  - name: $name")
        $lines.Add("    backend: $(& $pick $backends)")
        $lines.Add("    pattern: $(& $pick $patterns)")
        if ($rng.Next(2)) { $lines.Add('    description: ' + (ConvertTo-Json -Compress (& $pick $tricky))) }
        if ($rng.Next(2)) { $lines.Add("    consistency: $(& $pick @('strong', 'eventual'))") }
        if ($rng.Next(3) -eq 0) { $lines.Add("    status: $(& $pick @('active', 'disabled', 'migrating'))") }
        if ($rng.Next(2)) { $lines.Add("    cache_ttl_seconds: $($rng.Next(0, 86400))") }
        if ($rng.Next(2)) { $lines.Add("    rate_limit_rps: $($rng.Next(1, 100000))") }
        $config = [ordered]@{ connection_string = "$(& $pick $backends)://host-$($rng.Next(100)):$($rng.Next(1000, 9999))/db?x=$($rng.Next())" }
        if ($rng.Next(2)) { $config.pool = [ordered]@{ min = $rng.Next(0, 5); max = $rng.Next(5, 50); tls = [bool]$rng.Next(2) } }
        if ($rng.Next(2)) { $config.hosts = @(1..$rng.Next(1, 4) | ForEach-Object { "h$_.example" }) }
        if ($rng.Next(2)) { $config.note = & $pick $tricky }
        $lines.Add('    backend_config: ' + (ConvertTo-Json -Compress -Depth 10 $config))
        $tagCount = $rng.Next(0, 4)
        if ($tagCount) {
            $tags = @(1..$tagCount | ForEach-Object { "t$($rng.Next(20))" } | Select-Object -Unique)
            $lines.Add('    tags: [' + ($tags -join ', ') + ']')
        }
        if ($rng.Next(2)) {
            $lines.Add('    features:')
            foreach ($f in @('cache', 'shadow.traffic', 'audit_log') | Where-Object { $rng.Next(2) }) {
                $lines.Add("      ${f}: $(if ($rng.Next(2)) { 'true' } else { 'false' })")
            }
            if ($lines[-1] -eq '    features:') { $lines[-1] = '    features: {}' }
        }
    }
    ($lines -join "`n") + "`n"
}

function Get-PrismCoreType {
    <#
    .SYNOPSIS
        A type from the module's isolated load context (Core or one of its packages), for white-box checks.
    #>
    param([Parameter(Mandatory)][string] $Assembly, [Parameter(Mandatory)][string] $TypeName)
    $asm = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {
        $_.GetName().Name -eq $Assembly -and [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name -eq 'PrismConfig'
    } | Select-Object -First 1
    if (-not $asm) { throw "$Assembly is not loaded in the PrismConfig load context yet; use a PrismConfig cmdlet first." }
    $asm.GetType($TypeName, $true)
}

function Invoke-RawSql {
    <#
    .SYNOPSIS
        Runs SQL on a database file with the module's own Microsoft.Data.Sqlite, bypassing Core (to tamper or peek).
    #>
    param([Parameter(Mandatory)][string] $Database, [Parameter(Mandatory)][string] $Sql, [switch] $Scalar)
    $type = Get-PrismCoreType 'Microsoft.Data.Sqlite' 'Microsoft.Data.Sqlite.SqliteConnection'
    $connection = [Activator]::CreateInstance($type, @("Data Source=$Database;Pooling=False"))
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        if ($Scalar) { $command.ExecuteScalar() } else { [void]$command.ExecuteNonQuery() }
        $command.Dispose()
    }
    finally {
        $connection.Dispose()
    }
}

function Invoke-StoreSql {
    <#
    .SYNOPSIS
        Runs SQL on a test store of either engine, bypassing Core: Invoke-RawSql for a file, the test cluster's psql
        for a postgresql:// locator (TestHelpers.psm1 must be imported too).
    .PARAMETER TriggersOff
        On PostgreSQL, runs the SQL with triggers off (session_replication_role, which needs the test cluster's
        superuser). The side-table trigger parses tags and slots as JSON and refuses damage a test plants; SQLite's
        triggers skip JSON that is not valid, so a file needs nothing.
    #>
    param([Parameter(Mandatory)][string] $Database, [Parameter(Mandatory)][string] $Sql, [switch] $Scalar, [switch] $TriggersOff)
    if ($Database -notmatch '^postgres(ql)?://') { return Invoke-RawSql -Database $Database -Sql $Sql -Scalar:$Scalar }
    if ($TriggersOff) { $Sql = "SET session_replication_role = replica; $Sql" }
    $rows = @(Invoke-TestPsql -Uri $Database -Sql $Sql)
    if ($Scalar) { $rows | Select-Object -First 1 }
}

function Get-PrismTestHistory {
    <#
    .SYNOPSIS
        Every history entry of a database, oldest first, read through a second Core store instance.
    #>
    param([Parameter(Mandatory)][string] $Database)
    $storeType = Get-PrismCoreType 'PrismConfig.Core' 'PrismConfig.Core.ConfigStore'
    $store = $storeType::Open($Database, $null)
    try { $store.GetHistory($null) } finally { $store.Dispose() }
}

Export-ModuleMember -Function New-RandomNamespaceYaml, Get-PrismCoreType, Invoke-RawSql, Invoke-StoreSql, Get-PrismTestHistory
