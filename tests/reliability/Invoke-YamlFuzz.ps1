<#
.SYNOPSIS
    Fuzzes Import-PrismYaml with mutations of valid files, all in this one process.
.DESCRIPTION
    Each case is a valid namespaces file mutated one way: bit flips, truncation, duplicated keys or entries, huge
    scalars, alias bombs, deep nesting, wrong types, invalid UTF-8, or raw garbage. A case must either import, or
    fail with a PowerShell error whose message names the file and leave the store as it was (Export-PrismYaml and
    every namespace's version compared before and after). Each case's time is measured.

    Prints "FUZZ-VIOLATION ..." for every broken rule and ends with one line:
    FUZZ-RESULT cases=N imported=N rejected=N violations=N maxms=N maxcase=KIND seed=N
.PARAMETER Cases
    How many cases to run.
.PARAMETER ExampleFile
    A valid namespaces file to mutate, besides the built-in one (examples/namespaces.yaml by default).
.PARAMETER Seed
    The Random seed; the same seed runs the same cases.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $WorkFolder,
    [int] $Cases = 1000,
    [int] $Seed = (Get-Random -Maximum 1000000),
    [double] $MaxCaseSeconds = 5,
    [string] $ExampleFile = (Join-Path $PSScriptRoot '../../examples/namespaces.yaml')
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$null = New-Item -ItemType Directory -Force -Path $WorkFolder
$db = Join-Path $WorkFolder 'fuzz.db'
$random = [Random]::new($Seed)
$utf8 = [Text.UTF8Encoding]::new($false)
Write-Host "yaml-fuzz: seed $Seed, $Cases cases"

$example = Get-Content -Raw $ExampleFile
$small = @'
namespaces:
  - name: object-store
    description: Prism object store example on minio.
    backend: minio
    pattern: objectstore
    consistency: strong
    cache_ttl_seconds: 120
    rate_limit_rps: 250
    backend_config:
      endpoint: http://minio.internal:9000
      bucket: prism-objects
      access_key: AKIAFUZZEXAMPLE
      secret_key: fuzz-secret-value
      regions: [eu-west-1, us-east-1]
    tags: [production, storage]
    features:
      versioning: true
  - name: fuzz-cache
    backend: redis
    pattern: keyvalue
    connection_string: redis://cache.internal:6379/1
    tags: [staging]
'@
$bases = @($example, $small)
Import-PrismYaml -Path (New-Item -Force -Path (Join-Path $WorkFolder 'seed.yaml') -Value $example).FullName -Database $db | Out-Null

$fields = 'name', 'description', 'backend', 'pattern', 'status', 'consistency', 'cache_ttl_seconds', 'rate_limit_rps', 'tags', 'features', 'backend_config', 'connection_string', 'config', 'abstraction'
$wrongValues = '[1, 2]', '{a: 1}', '"text"', '-5', '0', '1.5', 'true', 'null', '~', '!!binary aGVsbG8=', '2024-01-01', '0x1F', '1e400',
    '99999999999999999999999', '""', "'", '[', '{', '&x', '*nothing', '!!python/object:os.system', 'NaN', '.inf', '|', '>-'

function Get-Lines([string] $text) { , [Collections.Generic.List[string]]($text -split "`n") }

function New-Case {
    # One mutation of a valid base; returns @{ Kind; Bytes }.
    $base = $bases[$random.Next($bases.Count)]
    $kind = @('bitflip', 'truncate', 'duplicate-key', 'duplicate-entry', 'huge-scalar', 'alias-bomb', 'deep-nesting',
        'wrong-type', 'invalid-utf8', 'garbage', 'line-shuffle')[$random.Next(11)]
    switch ($kind) {
        'bitflip' {
            $bytes = $utf8.GetBytes($base)
            for ($i = 0; $i -lt $random.Next(1, 9); $i++) { $bytes[$random.Next($bytes.Length)] = $bytes[$random.Next($bytes.Length)] -bxor (1 -shl $random.Next(8)) }
            return @{ Kind = $kind; Bytes = $bytes }
        }
        'truncate' {
            $bytes = $utf8.GetBytes($base)
            return @{ Kind = $kind; Bytes = $bytes[0..($random.Next(0, $bytes.Length - 1))] }
        }
        'duplicate-key' {
            $lines = Get-Lines $base
            $candidates = @(0..($lines.Count - 1) | Where-Object { $lines[$_] -match '^\s+(- )?[a-z_]+:' })
            $at = $candidates[$random.Next($candidates.Count)]
            $copy = $lines[$at] -replace '^(\s*)- ', '$1  '
            $lines.Insert($at + 1, $copy)
            return @{ Kind = $kind; Bytes = $utf8.GetBytes($lines -join "`n") }
        }
        'duplicate-entry' {
            # The same namespace twice in one file.
            $entry = [regex]::Match($base, '(?s)  - name: .*?(?=\n  - name: |\z)').Value
            return @{ Kind = $kind; Bytes = $utf8.GetBytes($base.TrimEnd() + "`n" + $entry.TrimEnd() + "`n") }
        }
        'huge-scalar' {
            $size = @(600, 70000, 1MB, 2MB)[$random.Next(4)]
            $value = switch ($random.Next(3)) {
                0 { 'x' * $size }
                1 { '9' * [math]::Min($size, 100000) }
                default { '"' + ('é' * ($size / 2)) + '"' }
            }
            $field = @('description', 'backend', 'name', 'topic', 'connection_string')[$random.Next(5)]
            # One occurrence only: a few MB once, not once per namespace.
            $text = [regex]::new("(?m)^(\s+)(- )?${field}: .*$").Replace($base, { param($m) $m.Groups[1].Value + $m.Groups[2].Value + "${field}: $value" }, 1)
            if ($text -eq $base) { $text = $base.TrimEnd() + "`n    description: $value`n" }
            return @{ Kind = $kind; Bytes = $utf8.GetBytes($text) }
        }
        'alias-bomb' {
            $levels = $random.Next(4, 10)
            $sb = [Text.StringBuilder]::new("namespaces:`n  - name: alias-bomb`n    backend: redis`n    pattern: keyvalue`n    backend_config:`n      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]`n")
            for ($l = 1; $l -le $levels; $l++) { [void]$sb.Append("      l${l}: &l$l [" + ((1..9 | ForEach-Object { "*l$($l - 1)" }) -join ', ') + "]`n") }
            if ($random.Next(2) -eq 0) { [void]$sb.Append("    description: *l$levels`n") }
            return @{ Kind = $kind; Bytes = $utf8.GetBytes($sb.ToString()) }
        }
        'deep-nesting' {
            $depth = @(100, 1000, 10000, 50000)[$random.Next(4)]
            $value = switch ($random.Next(3)) {
                0 { ('[' * $depth) + '1' + (']' * $depth) }
                1 { ('{a: ' * $depth) + '1' + ('}' * $depth) }
                default {
                    $d = [math]::Min($depth, 2000)
                    "`n" + ((0..($d - 1) | ForEach-Object { (' ' * (6 + $_)) + "k${_}:" }) -join "`n") + ' 1'
                }
            }
            $text = "namespaces:`n  - name: deep-nest`n    backend: redis`n    pattern: keyvalue`n    backend_config:`n      deep: $value`n"
            return @{ Kind = $kind; Bytes = $utf8.GetBytes($text) }
        }
        'wrong-type' {
            $field = $fields[$random.Next($fields.Count)]
            $value = $wrongValues[$random.Next($wrongValues.Count)]
            $text = [regex]::Replace($base, "(?m)^(\s+)(- )?${field}:.*$", { param($m) $m.Groups[1].Value + $m.Groups[2].Value + "${field}: $value" })
            if ($random.Next(6) -eq 0) { $text = "namespaces: $value`n" }
            return @{ Kind = $kind; Bytes = $utf8.GetBytes($text) }
        }
        'invalid-utf8' {
            $bytes = [Collections.Generic.List[byte]]$utf8.GetBytes($base)
            $bad = @(@(0xC3, 0x28), @(0xFF), @(0xFE, 0xFF), @(0xC0, 0xAF), @(0xED, 0xA0, 0x80), @(0xF8, 0x88, 0x80, 0x80, 0x80), @(0xE2, 0x82), @(0x00))[$random.Next(8)]
            $bytes.InsertRange($random.Next($bytes.Count), [byte[]]$bad)
            return @{ Kind = $kind; Bytes = $bytes.ToArray() }
        }
        'garbage' {
            $bytes = [byte[]]::new($random.Next(0, 4096))
            $random.NextBytes($bytes)
            return @{ Kind = $kind; Bytes = $bytes }
        }
        default {
            $lines = Get-Lines $base
            for ($i = 0; $i -lt $random.Next(1, 4); $i++) {
                $a = $random.Next($lines.Count); $b = $random.Next($lines.Count)
                $t = $lines[$a]; $lines[$a] = $lines[$b]; $lines[$b] = $t
            }
            return @{ Kind = 'line-shuffle'; Bytes = $utf8.GetBytes($lines -join "`n") }
        }
    }
}

function Test-PrismError($exception) {
    # Core's types live in the module's own load context, so match the base class by name.
    if ($null -eq $exception) { return $false }
    for ($t = $exception.GetType(); $t; $t = $t.BaseType) { if ($t.FullName -eq 'PrismConfig.Core.PrismConfigException') { return $true } }
    return $false
}

function Get-StoreState {
    $yaml = Export-PrismYaml -IncludeSecrets -Database $db
    $versions = (Get-PrismNamespace -Database $db | ForEach-Object { "$($_.Name)@$($_.Version)" }) -join ','
    "$yaml`n$versions"
}

$imported = 0; $rejected = 0; $violations = 0
$max = 0.0; $maxKind = ''
$kinds = @{}
$generating = 0.0
$clock = [Diagnostics.Stopwatch]::StartNew()
$state = Get-StoreState
for ($case = 1; $case -le $Cases; $case++) {
    $generate = [Diagnostics.Stopwatch]::StartNew()
    $c = New-Case
    $generating += $generate.Elapsed.TotalSeconds
    $file = Join-Path $WorkFolder ('fuzz-{0:d5}-{1}.yaml' -f $case, $c.Kind)
    [IO.File]::WriteAllBytes($file, [byte[]]$c.Bytes)
    $kinds[$c.Kind] = 1 + [int]$kinds[$c.Kind]
    $errors = @()
    $watch = [Diagnostics.Stopwatch]::StartNew()
    try {
        Import-PrismYaml -Path $file -Database $db -ErrorAction SilentlyContinue -ErrorVariable +errors | Out-Null
    }
    catch {
        $errors += $_
    }
    $watch.Stop()
    # -ErrorVariable also collects a terminating error, as the exception that carries its record.
    $errors = @($errors | ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { $_ } elseif ($_.ErrorRecord) { $_.ErrorRecord } } |
        Sort-Object { "$_" } -Unique)
    if ($watch.Elapsed.TotalMilliseconds -gt $max) { $max = $watch.Elapsed.TotalMilliseconds; $maxKind = "$($c.Kind) (case $case, $($c.Bytes.Length) bytes)" }
    if ($watch.Elapsed.TotalSeconds -gt $MaxCaseSeconds) {
        $violations++; "FUZZ-VIOLATION case $case ($($c.Kind)): took $([math]::Round($watch.Elapsed.TotalSeconds, 1)) s"
    }
    $after = Get-StoreState
    if ($errors.Count -eq 0) {
        $imported++
        $state = $after
        Remove-Item $file
        continue
    }
    $rejected++
    $before = $violations
    foreach ($e in $errors) {
        $leaf = Split-Path -Leaf $file
        $message = "$e"
        if ($message -notlike "*$leaf*") {
            $violations++; "FUZZ-VIOLATION case $case ($($c.Kind)): the error does not name the file: $($e.FullyQualifiedErrorId): $($message.Substring(0, [math]::Min(300, $message.Length)))"
        }
        if (-not (Test-PrismError $e.Exception) -or $e.CategoryInfo.Category -eq 'NotSpecified') {
            $violations++; "FUZZ-VIOLATION case $case ($($c.Kind)): not a PrismConfig error: $($e.Exception.GetType().FullName) $($e.FullyQualifiedErrorId): $($message.Substring(0, [math]::Min(300, $message.Length)))"
        }
    }
    if ($after -ne $state) {
        $violations++; "FUZZ-VIOLATION case $case ($($c.Kind)): the import failed but the store changed"
        $state = $after
    }
    # A case that broke a rule keeps its file for the report; the others go.
    if ($violations -eq $before) { Remove-Item $file }
}
$health = Test-PrismConfig -Database $db
if (-not $health.IsHealthy) { $violations++; "FUZZ-VIOLATION the store is unhealthy after fuzzing: $($health.Problems -join '; ')" }
"FUZZ-KINDS " + (($kinds.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }) -join ' ')
"FUZZ-RESULT cases=$Cases imported=$imported rejected=$rejected violations=$violations maxms=$([math]::Round($max)) seconds=$([math]::Round($clock.Elapsed.TotalSeconds, 1)) generating=$([math]::Round($generating, 1)) seed=$Seed maxcase=$maxKind"
