# Import-PrismYaml: declarative, idempotent, all-or-nothing import of YAML files into the store.
BeforeDiscovery { Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-PrismTestModulePath)
    Import-Module (Join-Path $PSScriptRoot 'StoreTestHelpers.psm1') -Force

    $script:AdrYaml = @'
# config/namespaces.yaml
namespaces:
  - name: user-profiles
    backend: postgres
    pattern: keyvalue
    consistency: strong
    connection_string: postgres://db:5432/profiles
'@
    function script:New-Db { New-TestStore $Engine $TestDrive }
    function script:New-Yaml([string] $Text, [string] $Name = 'ns.yaml') {
        $path = Join-Path $TestDrive ("{0}-{1}" -f [guid]::NewGuid().ToString('N').Substring(0, 6), $Name)
        [IO.File]::WriteAllText($path, $Text)
        $path
    }
    # What must not move when nothing is written: a file's every byte; a PostgreSQL store's revision and history.
    function script:Snapshot([string] $Db) {
        $hash = if ($Db -match '^postgres(ql)?://') {
            "$((Get-PrismConfigStatus -Database $Db).Revision)/$(@(Get-PrismNamespaceHistory -IncludeRemoved -Database $Db).Count)"
        }
        else { (Get-FileHash $Db).Hash }
        [pscustomobject]@{ Yaml = Export-PrismYaml -Database $Db; Hash = $hash }
    }
    # An import in another process with a console, so a test can answer its question.
    function script:Start-ConfirmingImport([string] $Db, [string] $Yaml, [string] $Switches = '-Confirm') {
        $script = Join-Path $TestDrive ("confirm-{0}.ps1" -f [guid]::NewGuid().ToString('N').Substring(0, 6))
        Set-Content -Path $script -Value @"
Import-Module '$(Get-PrismTestModulePath)'
try { Import-PrismYaml -Path '$Yaml' -Database '$Db' $Switches -ErrorAction Stop | ForEach-Object { 'RESULT ' + `$_.Name + ':' + `$_.Action } }
catch { 'ERROR ' + `$_.FullyQualifiedErrorId }
'DONE'
"@
        Start-InteractivePwsh -ScriptPath $script
    }
}

Describe 'Import-PrismYaml on <Engine>' -ForEach (Get-TestEngine) {
    Context 'a question is never asked inside a transaction' -Skip:$Skip {
        It 'lets another process write while a -Confirm prompt is open, then applies the plan when confirmed' {
            $db = New-Db
            New-PrismNamespace -Name bystander -Backend redis -Pattern keyvalue -Database $db | Out-Null
            $yaml = New-Yaml "namespaces:`n  - { name: confirmed, backend: redis, pattern: keyvalue }`n"
            $child = Start-ConfirmingImport $db $yaml
            try {
                Wait-InteractiveText $child '(default is' | Should -Match '1 created'
                # The prompt is open in the other process; a writer here is not held up by it.
                $clock = [Diagnostics.Stopwatch]::StartNew()
                Set-PrismNamespace bystander -RateLimitRps 5 -Database $db -ErrorAction Stop
                $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
                (Get-PrismNamespace bystander -Database $db).Version | Should -Be 2
                $child.Process.StandardInput.WriteLine('Y')
                $out = Wait-InteractiveText $child 'DONE'
                $out | Should -Match 'RESULT confirmed:Created'
                (Get-PrismNamespace confirmed -Database $db).Version | Should -Be 1
            }
            finally { Stop-InteractivePwsh $child }
        }

        It 'writes nothing, and names the namespace, when a planned namespace changed while the prompt was open' {
            $db = New-Db
            New-PrismNamespace -Name contested -Backend redis -Pattern keyvalue -Database $db | Out-Null
            $yaml = New-Yaml "namespaces:`n  - { name: contested, backend: redis, pattern: keyvalue, rate_limit_rps: 7 }`n  - { name: newcomer, backend: redis, pattern: keyvalue }`n"
            $child = Start-ConfirmingImport $db $yaml
            try {
                Wait-InteractiveText $child '(default is' | Should -Match '1 created, 1 updated'
                Set-PrismNamespace contested -CacheTtlSeconds 30 -Database $db -ErrorAction Stop
                $child.Process.StandardInput.WriteLine('Y')
                $out = Wait-InteractiveText $child 'DONE'
                $out | Should -Match 'ERROR VersionConflict,'
                $out | Should -Not -Match 'RESULT'
                Get-PrismNamespace newcomer -Database $db -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $now = Get-PrismNamespace contested -Database $db
                $now.RateLimitRps | Should -BeNullOrEmpty
                $now.Version | Should -Be 2
            }
            finally { Stop-InteractivePwsh $child }
        }
    }

    Context 'the ADR example and the field aliases' -Skip:$Skip {
        It 'imports the ADR-036 example file' {
            $db = New-Db
            $file = New-Yaml $AdrYaml 'namespaces.yaml'
            $result = @(Import-PrismYaml -Path $file -Database $db)
            $result.Count | Should -Be 1
            $result[0].GetType().FullName | Should -Be 'PrismConfig.ImportResult'
            $result[0].Name | Should -Be 'user-profiles'
            $result[0].Action | Should -Be 'Created'
            $result[0].Version | Should -Be 1
            $result[0].Source | Should -Be $file
            $yaml = Export-PrismYaml -Database $db
            $yaml | Should -Match 'name: user-profiles'
            $yaml | Should -Match 'backend: postgres'
            $yaml | Should -Match 'consistency: strong'
            $yaml | Should -Match 'connection_string: postgres://db:5432/profiles'
        }

        It 'accepts abstraction (for pattern) and config (for backend_config)' {
            $db = New-Db
            $file = New-Yaml @'
namespaces:
  - name: orders-stream
    backend: kafka
    abstraction: stream
    config:
      brokers: [k1:9092, k2:9092]
      connection_string: kafka://k1:9092
'@
            $result = Import-PrismYaml $file -Database $db
            $result.Action | Should -Be 'Created'
            $yaml = Export-PrismYaml -Database $db
            $yaml | Should -Match 'pattern: stream'
            $yaml | Should -Match 'k2:9092'
            # Importing the canonical spelling of the same thing changes nothing.
            (Import-PrismYaml (New-Yaml $yaml) -Database $db).Action | Should -Be 'Unchanged'
        }
    }

    Context 'declarative and idempotent' -Skip:$Skip {
        It 'creates, updates, leaves equal ones alone, and reports Unchanged the second time' {
            $db = New-Db
            $v1 = New-Yaml @'
namespaces:
  - name: alpha-one
    backend: redis
    pattern: keyvalue
  - name: beta-two
    backend: nats
    pattern: pubsub
'@ 'v1.yaml'
            $first = Import-PrismYaml $v1 -Database $db
            ($first | ForEach-Object Action) | Should -Be @('Created', 'Created')
            $again = Import-PrismYaml $v1 -Database $db
            ($again | ForEach-Object Action) | Should -Be @('Unchanged', 'Unchanged')
            ($again | ForEach-Object Version) | Should -Be @(1, 1)

            $v2 = New-Yaml @'
namespaces:
  - name: alpha-one
    backend: redis
    pattern: keyvalue
    cache_ttl_seconds: 60
  - name: beta-two
    backend: nats
    pattern: pubsub
'@ 'v2.yaml'
            $second = Import-PrismYaml $v2 -Database $db
            $alpha = $second | Where-Object Name -eq 'alpha-one'
            $alpha.Action | Should -Be 'Updated'
            $alpha.Version | Should -Be 2
            ($second | Where-Object Name -eq 'beta-two').Action | Should -Be 'Unchanged'

            $history = @(Get-PrismTestHistory $db | Where-Object Name -eq 'alpha-one')
            $history.Count | Should -Be 2
            $history[1].Reason | Should -Be "imported from $(Split-Path -Leaf $v2)"
            @(Get-PrismTestHistory $db | Where-Object Name -eq 'beta-two').Count | Should -Be 1
        }

        It 'records -Reason in history' {
            $db = New-Db
            Import-PrismYaml (New-Yaml $AdrYaml) -Database $db -Reason 'seed from ticket OPS-12' | Out-Null
            (Get-PrismTestHistory $db).Reason | Should -Be 'seed from ticket OPS-12'
        }

        It 'leaves namespaces that are not in the files alone, and disables them with -Prune' {
            $db = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 3 -Seed 7 -Prefix keep)) -Database $db | Out-Null
            $other = New-Yaml $AdrYaml
            $result = @(Import-PrismYaml $other -Database $db)
            $result.Count | Should -Be 1
            $exported = Export-PrismYaml -Database $db
            ([regex]::Matches($exported, '(?m)^  - name: ')).Count | Should -Be 4

            $pruned = @(Import-PrismYaml $other -Database $db -Prune -Force -Confirm:$false)
            @($pruned | Where-Object Action -eq 'Disabled').Count | Should -BeGreaterOrEqual 1
            ($pruned | Where-Object Name -eq 'user-profiles').Action | Should -Be 'Unchanged'
            $active = Export-PrismYaml -Database $db -Status active
            $active | Should -Match 'user-profiles'
            $active | Should -Not -Match 'keep-'
        }

        It 'applies several files as one set, from the pipeline by FullName and by wildcard' {
            $db = New-Db
            $folder = Join-Path $TestDrive ('multi-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
            New-Item -ItemType Directory $folder | Out-Null
            Set-Content (Join-Path $folder 'a.yaml') (New-RandomNamespaceYaml -Count 4 -Seed 1 -Prefix aa)
            Set-Content (Join-Path $folder 'b.yaml') (New-RandomNamespaceYaml -Count 5 -Seed 2 -Prefix bb)
            Set-Content (Join-Path $folder 'notes.txt') 'not yaml'
            $result = Get-ChildItem (Join-Path $folder '*.yaml') | Import-PrismYaml -Database $db
            @($result).Count | Should -Be 9
            @($result | Where-Object Action -eq 'Created').Count | Should -Be 9
            @($result | Where-Object { $_.Source -like '*a.yaml' }).Count | Should -Be 4

            Push-Location $folder
            try {
                $again = Import-PrismYaml '*.yaml' -Database $db
                @($again | Where-Object Action -eq 'Unchanged').Count | Should -Be 9
            }
            finally { Pop-Location }
        }

        It 'streams the results of an import larger than it keeps in memory, each naming its file' {
            $db = New-Db
            $bulk = {
                param($Prefix)
                $text = [Text.StringBuilder]::new("namespaces:`n")
                for ($i = 0; $i -lt 2500; $i++) { $null = $text.Append("  - name: $Prefix-$($i.ToString('D5'))`n    backend: redis`n    pattern: keyvalue`n") }
                $text.ToString()
            }
            $a = New-Yaml (& $bulk 'bulk-a') 'bulk-a.yaml'
            $b = New-Yaml (& $bulk 'bulk-b') 'bulk-b.yaml'
            $results = Import-PrismYaml $a, $b -Database $db
            $results.Count | Should -Be 5000
            @($results | Where-Object { $_.Name -like 'bulk-b-*' -and $_.Source -eq $b -and $_.Action -eq 'Created' }).Count | Should -Be 2500
            $results[4999].Name | Should -Be 'bulk-b-02499'
            # A consumer that stops early stops the output, not the import: the commit came first.
            $first = Import-PrismYaml $a, $b -Database $db | Select-Object -First 2
            $first.Action | Should -Be @('Unchanged', 'Unchanged')
            $first[1].Source | Should -Be $a
            @(Get-PrismNamespace 'bulk-*' -Database $db).Count | Should -Be 5000
        }

        It 'resolves relative paths against the current location' {
            $db = New-Db
            $file = New-Yaml $AdrYaml 'rel.yaml'
            Push-Location $TestDrive
            try { (Import-PrismYaml (Split-Path -Leaf $file) -Database $db).Name | Should -Be 'user-profiles' }
            finally { Pop-Location }
        }
    }

    Context 'a safe prune' -Skip:$Skip {
        BeforeAll {
            function script:New-FourActive {
                $db = New-Db
                foreach ($n in 'alpha', 'bravo', 'charlie', 'delta') { New-PrismNamespace -Name $n -Backend redis -Pattern keyvalue -Database $db | Out-Null }
                $db
            }
            function script:Only([string[]] $Names) {
                New-Yaml ("namespaces:`n" + (($Names | ForEach-Object { "  - { name: $_, backend: redis, pattern: keyvalue }" }) -join "`n") + "`n")
            }
        }

        It 'refuses an empty desired set with -Prune, even under -WhatIf, unless -Force' {
            $db = New-FourActive
            $empty = New-Yaml "namespaces: []`n"
            $err = { Import-PrismYaml $empty -Database $db -Prune -Confirm:$false } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'PruneEmptyDesiredSet,PrismConfig.PowerShell.Commands.ImportPrismYamlCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err.Exception.Message | Should -Match 'all 4 active namespaces'
            { Import-PrismYaml $empty -Database $db -Prune -WhatIf } | Should -Throw -ErrorId 'PruneEmptyDesiredSet,*'
            @(Get-PrismNamespace -Database $db -Status active).Count | Should -Be 4
            $forced = @(Import-PrismYaml $empty -Database $db -Prune -Force -Confirm:$false)
            @($forced | Where-Object Action -eq 'Disabled').Count | Should -Be 4
        }

        It 'refuses to disable more than half of the active namespaces, naming how many, unless -Force' {
            $db = New-FourActive
            $err = { Import-PrismYaml (Only 'alpha') -Database $db -Prune -Confirm:$false } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'PruneTooBroad,PrismConfig.PowerShell.Commands.ImportPrismYamlCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err.Exception.Message | Should -Match '3 of the 4 active namespaces'
            @(Get-PrismNamespace -Database $db -Status active).Count | Should -Be 4
            # Half is allowed.
            @(Import-PrismYaml (Only 'alpha', 'bravo') -Database $db -Prune -Confirm:$false | Where-Object Action -eq 'Disabled').Count | Should -Be 2
        }

        It 'refuses to disable all of the active namespaces unless -Force' {
            $db = New-Db
            New-PrismNamespace -Name solo -Backend redis -Pattern keyvalue -Database $db | Out-Null
            $err = { Import-PrismYaml (Only 'other') -Database $db -Prune -Confirm:$false } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'PruneTooBroad,PrismConfig.PowerShell.Commands.ImportPrismYamlCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err.Exception.Message | Should -Match 'all 1 active'
            Get-PrismNamespace other -Database $db -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Import-PrismYaml (Only 'other') -Database $db -Prune -Force -Confirm:$false | Where-Object Name -eq solo).Action | Should -Be 'Disabled'
        }

        It 'prompts by default with -Prune (High impact), and a declined prompt writes nothing' {
            $db = New-FourActive
            $yaml = Only 'alpha', 'bravo', 'charlie'
            $child = Start-ConfirmingImport $db $yaml '-Prune'
            try {
                Wait-InteractiveText $child '(default is' | Should -Match '1 disabled'
                $child.Process.StandardInput.WriteLine('N')
                $out = Wait-InteractiveText $child 'DONE'
                $out | Should -Not -Match 'RESULT'
                (Get-PrismNamespace delta -Database $db).Status | Should -Be 'active'
            }
            finally { Stop-InteractivePwsh $child }
        }

        It 'does not prompt without -Prune' {
            $db = New-FourActive
            (Import-PrismYaml (Only 'echo') -Database $db).Action | Should -Be 'Created'
        }
    }

    Context 'round trip' -Skip:$Skip {
        It 'export -> import into an empty db gives equal namespaces (seed <_>)' -ForEach @(11, 22, 33) {
            $source = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 25 -Seed $_)) -Database $source | Out-Null
            $exported = Export-PrismYaml -Database $source
            $target = New-Db
            $created = Import-PrismYaml (New-Yaml $exported) -Database $target
            @($created | Where-Object Action -eq 'Created').Count | Should -Be 25
            Export-PrismYaml -Database $target | Should -BeExactly $exported
            # And back into its own source: nothing to do.
            $back = Import-PrismYaml (New-Yaml $exported) -Database $source
            @($back | Where-Object Action -ne 'Unchanged').Count | Should -Be 0
        }
    }

    Context '-WhatIf' -Skip:$Skip {
        It 'plans against nothing and creates no file when the database does not exist' {
            $db = New-Db
            $result = @(Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 3 -Seed 5)) -Database $db -WhatIf)
            $result.Count | Should -Be 3
            ($result | ForEach-Object Action | Select-Object -Unique) | Should -Be 'Created'
            $db | Should -Not -Exist
            "$db-wal" | Should -Not -Exist
        }

        It 'carries each changed field''s old and new value, masked, under -WhatIf and -PassThru' {
            $db = New-Db
            Import-PrismYaml (New-Yaml "namespaces:`n  - name: orders`n    backend: postgres`n    pattern: keyvalue`n    cache_ttl_seconds: 300`n    backend_config:`n      host: db1`n      password: hunter2`n") -Database $db | Out-Null
            $changed = New-Yaml "namespaces:`n  - name: orders`n    backend: postgres`n    pattern: keyvalue`n    cache_ttl_seconds: 60`n    backend_config:`n      host: db1`n      password: swordfish`n"
            foreach ($result in @((Import-PrismYaml $changed -Database $db -WhatIf), (Import-PrismYaml $changed -Database $db -PassThru))) {
                $ttl = $result.Changes | Where-Object Property -EQ CacheTtlSeconds
                $ttl.OldValue | Should -Be 300
                $ttl.NewValue | Should -Be 60
                $pw = $result.Changes | Where-Object Property -EQ 'BackendConfig.password'
                $pw.OldValue | Should -Be '********'
                $pw.NewValue | Should -Be '********'
                ($result | ConvertTo-Json -Depth 6) | Should -Not -Match 'hunter2|swordfish'
            }
            (Get-PrismNamespace orders -Database $db).BackendConfig.password | Should -Be 'swordfish'
        }

        It 'serialises Action as a string in ConvertTo-Json' {
            $db = New-Db
            $json = Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 1 -Seed 5)) -Database $db -WhatIf | ConvertTo-Json -Depth 5 | ConvertFrom-Json
            $json.Action | Should -BeExactly 'Created'
        }

        It 'reports the real plan and writes nothing to an existing database' {
            $db = New-Db
            Import-PrismYaml (New-Yaml $AdrYaml) -Database $db | Out-Null
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 2 -Seed 9 -Prefix old)) -Database $db | Out-Null
            $before = Snapshot $db
            $changed = New-Yaml ($AdrYaml -replace 'strong', 'eventual')
            $plan = @(Import-PrismYaml $changed -Database $db -Prune -Force -WhatIf)
            ($plan | Where-Object Name -eq 'user-profiles').Action | Should -Be 'Updated'
            ($plan | Where-Object Name -eq 'user-profiles').Version | Should -Be 2
            @($plan | Where-Object Action -eq 'Disabled').Count | Should -Be 2
            (Snapshot $db).Yaml | Should -BeExactly $before.Yaml
            (Snapshot $db).Hash | Should -Be $before.Hash
        }
    }

    Context 'errors leave the database exactly as it was' -Skip:$Skip {
        BeforeAll {
            $script:ErrDb = New-Db
            Import-PrismYaml (New-Yaml (New-RandomNamespaceYaml -Count 5 -Seed 3)) -Database $ErrDb | Out-Null
        }
        BeforeEach { $script:Before = Snapshot $ErrDb }
        AfterEach {
            (Snapshot $ErrDb).Yaml | Should -BeExactly $Before.Yaml
            (Snapshot $ErrDb).Hash | Should -Be $Before.Hash
        }

        It 'names the unknown key, the namespace and the line' {
            $file = New-Yaml @'
namespaces:
  - name: good-one
    backend: redis
    pattern: keyvalue
  - name: bad-one
    backend: redis
    pattern: keyvalue
    replicas: 3
'@
            $err = { Import-PrismYaml $file -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -Be 'YamlInvalid,PrismConfig.PowerShell.Commands.ImportPrismYamlCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.TargetObject | Should -Be $file
            $err.Exception.Message | Should -Match ([regex]::Escape("${file}:8:"))
            $err.Exception.Message | Should -Match 'replicas'
            $err.Exception.Message | Should -Match 'bad-one'
        }

        It 'fails the whole set when one of several files is bad' {
            $good = New-Yaml (New-RandomNamespaceYaml -Count 3 -Seed 44 -Prefix new)
            $bad = New-Yaml "namespaces:`n  - name: x`n    backend: redis`n    pattern: keyvalue`n"
            { Import-PrismYaml $good, $bad -Database $ErrDb } | Should -Throw -ErrorId 'YamlInvalid,*'
        }

        It 'fails at a syntax error after hundreds of good namespaces, naming its line, and keeps none of them' {
            # The reader runs ahead of the writes on another thread: by the time it reaches the error, the
            # namespaces before it are written in the open transaction, and all of them must be rolled back.
            $text = (New-RandomNamespaceYaml -Count 400 -Seed 8 -Prefix ahead).TrimEnd() + "`n  - name: [unclosed`n"
            $file = New-Yaml $text
            $line = ($text -split "`n").Count - 1
            $err = { Import-PrismYaml $file -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'
            $err.Exception.Message | Should -Match ([regex]::Escape("${file}:$line"))
            # Nothing still reads the file: an exclusive open conflicts with any reader's share mode (or Unix lock).
            [IO.File]::Open($file, 'Open', 'Read', 'None').Dispose()
        }

        It 'refuses a namespace defined in two files, naming both' {
            $a = New-Yaml $AdrYaml 'first.yaml'
            $b = New-Yaml $AdrYaml 'second.yaml'
            $err = { Import-PrismYaml $a, $b -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'
            $err.Exception.Message | Should -Match ([regex]::Escape((Split-Path -Leaf $a)))
            $err.Exception.Message | Should -Match ([regex]::Escape((Split-Path -Leaf $b)))
            $err.Exception.Message | Should -Match 'user-profiles'
        }

        It 'refuses a namespace defined twice in one file, naming both lines' {
            $twice = $AdrYaml + "`n  - name: other`n    backend: redis`n    pattern: keyvalue`n  - name: user-profiles`n    backend: redis`n    pattern: keyvalue`n"
            $file = New-Yaml $twice 'twice.yaml'
            $err = { Import-PrismYaml $file -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'
            $err.Exception.Message | Should -Match ([regex]::Escape("${file}:11:5"))
            $err.Exception.Message | Should -Match 'at line 3 and at line 11'
        }

        It 'reports a missing file as ObjectNotFound' {
            $missing = Join-Path $TestDrive 'nope.yaml'
            $err = { Import-PrismYaml $missing -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlFileNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'refuses hostile input cleanly, naming the file: <Case>' -ForEach @(
            @{ Case = 'alias bomb'; Text = "a: &a [x, x, x, x, x, x, x, x, x]`nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]`nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]`nnamespaces: [*c]`n" }
            @{ Case = 'deep nesting'; Text = "namespaces:`n  - name: deep-one`n    backend: redis`n    pattern: keyvalue`n    backend_config: " + ('{a: ' * 200) + '1' + ('}' * 200) + "`n" }
            @{ Case = 'wrong type'; Text = "namespaces:`n  - name: typed-one`n    backend: redis`n    pattern: keyvalue`n    cache_ttl_seconds: lots`n" }
            @{ Case = 'not a list'; Text = "namespaces: hello`n" }
        ) {
            $file = New-Yaml $Text
            $err = { Import-PrismYaml $file -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'
            $err.TargetObject | Should -Be $file
            $err.Exception.Message | Should -Match ([regex]::Escape($file) + ':\d+:\d+: ')
        }

        It 'refuses invalid UTF-8' {
            $file = Join-Path $TestDrive 'latin1.yaml'
            [IO.File]::WriteAllBytes($file, [byte[]](@([Text.Encoding]::ASCII.GetBytes("namespaces:`n  - name: caf")) + 0xE9 + @([Text.Encoding]::ASCII.GetBytes("-one`n    backend: redis`n    pattern: keyvalue`n"))))
            $err = { Import-PrismYaml $file -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'
            $err.Exception.Message | Should -Match 'UTF-8'
        }

        It 'refuses a file over 64 MiB without reading it' {
            $file = Join-Path $TestDrive 'huge.yaml'
            $fs = [IO.File]::Create($file)
            try { $fs.SetLength(64MB + 1) } finally { $fs.Dispose() }
            $err = { Import-PrismYaml $file -Database $ErrDb } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'YamlInvalid,*'
            $err.TargetObject | Should -Be $file
            Remove-Item $file
        }
    }

    Context 'one damaged row' -Skip:$Skip {
        It 'skips the damaged namespace with a non-terminating NamespaceDamaged error and imports the rest' {
            $db = New-Db
            Import-PrismYaml (New-Yaml "namespaces:`n  - name: orders`n    backend: postgres`n    pattern: keyvalue`n  - name: broken`n    backend: redis`n    pattern: keyvalue`n  - name: spare`n    backend: redis`n    pattern: keyvalue`n") -Database $db | Out-Null
            Invoke-StoreSql -Database $db -Sql "UPDATE namespaces SET backend_config = 'not json' WHERE name = 'broken'"
            $yaml = New-Yaml "namespaces:`n  - name: orders`n    backend: postgres`n    pattern: keyvalue`n    rate_limit_rps: 9`n  - name: broken`n    backend: redis`n    pattern: keyvalue`n  - name: fresh`n    backend: redis`n    pattern: keyvalue`n"
            foreach ($whatIf in @($true, $false)) {
                $results = @(Import-PrismYaml $yaml -Database $db -Prune -Force -Confirm:$false -WhatIf:$whatIf -ErrorAction SilentlyContinue -ErrorVariable err)
                $err.Count | Should -Be 1
                $err[0].FullyQualifiedErrorId | Should -Be 'NamespaceDamaged,PrismConfig.PowerShell.Commands.ImportPrismYamlCommand'
                $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
                $err[0].TargetObject | Should -Be 'broken'
                ($results | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Action)" }) | Should -Be @('fresh=Created', 'orders=Updated', 'spare=Disabled')
            }
            (Get-PrismNamespace orders -Database $db).RateLimitRps | Should -Be 9
            (Get-PrismNamespace spare -Database $db).Status | Should -Be 'disabled'
        }
    }

    Context 'progress' -Skip:$Skip {
        It 'imports a large file and writes throttled progress' {
            $db = New-Db
            $file = New-Yaml (New-RandomNamespaceYaml -Count 600 -Seed 99 -Prefix bulk)
            $result = @(Import-PrismYaml $file -Database $db)
            $result.Count | Should -Be 600
            @($result | Where-Object Action -eq 'Created').Count | Should -Be 600

            # The same import through the API, to see the progress stream: throttled, then completed.
            $db2 = New-Db
            $ps = [powershell]::Create()
            try {
                [void]$ps.AddCommand('Import-Module').AddArgument((Get-PrismTestModulePath)).AddStatement()
                [void]$ps.AddCommand('Import-PrismYaml').AddParameter('Path', $file).AddParameter('Database', $db2)
                $out = $ps.Invoke()
                $out.Count | Should -Be 600
                $records = @($ps.Streams.Progress | Where-Object Activity -eq 'Import-PrismYaml')
                $records.Count | Should -BeGreaterThan 0
                $records.Count | Should -BeLessOrEqual 4 -Because 'progress is throttled to one record per 250 namespaces'
                $records[-1].RecordType | Should -Be 'Completed'
            }
            finally { $ps.Dispose() }
        }
    }
}

Describe 'Import-PrismYaml with Prism slot files' {
    It 'imports a folder of single-namespace files through a wildcard as one set and round-trips byte-identically' {
        $folder = Join-Path $TestDrive 'slot-files'
        $null = New-Item -ItemType Directory $folder
        Set-Content (Join-Path $folder 'consumer.yaml') -Value @'
name: order-consumer
pattern: consumer
pattern_version: v1
slots:
  message_source:
    backend: nats
    interfaces: [PubSubInterface]
    config:
      servers: [nats://a:4222, nats://b:4222]
  state_store:
    backend: redis
    interfaces: [KeyValueBasicInterface, keyvalue_ttl]
    config: { connection: "redis://:t0ken@cache:6379/0", retention: { days: 7 } }
config:
  consumer_group: orders
  max_retries: 3
'@
        Set-Content (Join-Path $folder 'registry.yaml') -Value @'
name: device-registry
pattern: multicast-registry
slots:
  registry:
    backend: postgres
    interfaces: [keyvalue_basic]
    config: { connection: "postgresql://prism:pw@db/prism" }
'@
        $db = Join-Path $TestDrive 'slot-files.db'
        $results = Import-PrismYaml (Join-Path $folder '*.yaml') -Database $db
        ($results | Where-Object Action -eq 'Created').Count | Should -Be 2
        $ns = Get-PrismNamespace order-consumer -Database $db
        $ns.Behavior.max_retries | Should -Be 3
        $ns.Slots['state_store'].Config.retention.days | Should -Be 7

        $first = Join-Path $TestDrive 'export1.yaml'
        $second = Join-Path $TestDrive 'export2.yaml'
        Export-PrismYaml -Path $first -Database $db -IncludeSecrets
        $db2 = Join-Path $TestDrive 'slot-files2.db'
        Import-PrismYaml $first -Database $db2 | Out-Null
        Export-PrismYaml -Path $second -Database $db2 -IncludeSecrets
        (Get-FileHash $first).Hash | Should -Be (Get-FileHash $second).Hash
        (Get-Content $first -Raw) | Should -Match '(?s)message_source:.*state_store:'

        # A file that names the same namespace again is one set: the second is a duplicate within the set.
        Set-Content (Join-Path $folder 'registry.yaml') -Value (Get-Content (Join-Path $folder 'registry.yaml') -Raw).Replace('pw@', 'pw2@')
        $again = Import-PrismYaml (Join-Path $folder '*.yaml') -Database $db
        ($again | Where-Object Action -eq 'Updated').Name | Should -Be 'device-registry'
    }

    It 'leaves neither the new store nor the folders it made when the file is refused' {
        $file = Join-Path $TestDrive 'wrong-type.yaml'
        Set-Content $file -Value "name: wrong-type`nbackend: redis`npattern: keyvalue`ncache_ttl_seconds: soon`n"
        $parent = Join-Path $TestDrive 'made-for-import'
        $db = Join-Path $parent 'a/b/config.db'
        { Import-PrismYaml $file -Database $db -WarningAction SilentlyContinue } | Should -Throw -ExpectedMessage "*cache_ttl_seconds*"
        $parent | Should -Not -Exist
    }

    It 'reports a bad slot key with file, line and column' {
        $file = Join-Path $TestDrive 'bad-slot.yaml'
        Set-Content $file -Value "name: bad-slot`npattern: consumer`nslots:`n  message_source:`n    backend: kafka`n    interface: [pubsub_basic]`n"
        { Import-PrismYaml $file -Database (Join-Path $TestDrive 'bad-slot.db') } |
            Should -Throw -ExpectedMessage "*bad-slot.yaml:6:5: unknown key 'interface' in slot 'message_source'*"
    }
}

Describe 'Import-PrismYaml into an unusable SQLite file' {
    It 'refuses a non-SQLite file as InvalidData, naming it, and leaves it untouched' {
        $db = Join-Path $TestDrive 'garbage.db'
        $bytes = [byte[]]::new(4096); [Random]::new(5).NextBytes($bytes)
        [IO.File]::WriteAllBytes($db, $bytes)
        $hash = (Get-FileHash $db).Hash
        $err = { Import-PrismYaml (New-Yaml $AdrYaml) -Database $db } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $db
        (Get-FileHash $db).Hash | Should -Be $hash
    }
}
