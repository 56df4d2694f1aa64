<#
.SYNOPSIS
    Builds the module's MAML help from docs/<Verb>-<Noun>.md.
.DESCRIPTION
    platyPS is not served here, so this reads the same markdown shape platyPS writes (SYNOPSIS, DESCRIPTION,
    EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS) and writes MAML. Syntax, types, positions and
    pipeline input come from the built module itself, so they can never drift from the code; only the prose comes
    from markdown. build.ps1 runs this in a fresh pwsh after laying out the module.

    Each command's first related link is its page under -OnlineBaseUri (docs/<Verb>-<Noun>.md in the public
    repository): Get-Help -Online opens the first related link that has a URI, and the cmdlets set no HelpUri.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $DocsPath,
    [Parameter(Mandatory)][string] $OutputFile,
    [string] $OnlineBaseUri = 'https://github.com/prismconfig/PrismConfig/blob/main/docs/'
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$module = Import-Module $ModulePath -PassThru
# -WhatIf and -Confirm are left in: Get-Help's SYNTAX shows a command's risk-mitigation parameters, as for
# built-in cmdlets, and each page describes them.
$common = [System.Management.Automation.Cmdlet]::CommonParameters + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters | Where-Object { $_ -notin 'WhatIf', 'Confirm' })

function Read-HelpMarkdown([string] $Path) {
    # Splits the file into ## sections; PARAMETERS, EXAMPLES, INPUTS and OUTPUTS into ### subsections.
    $doc = @{ Sections = @{}; Subsections = @{} }
    $section = $null; $sub = $null; $inFence = $false
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') {
            $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null
            $doc.Sections[$section] = [System.Collections.Generic.List[string]]::new()
            $doc.Subsections[$section] = [ordered]@{}
            continue
        }
        if (-not $inFence -and $section -and $line -match '^### (.+)$') {
            $sub = $Matches[1].Trim()
            $doc.Subsections[$section][$sub] = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if (-not $section) { continue }
        if ($sub) { $doc.Subsections[$section][$sub].Add($line) } else { $doc.Sections[$section].Add($line) }
    }
    return $doc
}

function Split-Paragraphs([string[]] $Lines) {
    # Blank lines separate paragraphs; lines inside one paragraph are joined so the terminal can re-wrap them.
    $paragraphs = [System.Collections.Generic.List[string]]::new()
    $current = [System.Collections.Generic.List[string]]::new()
    foreach ($line in @($Lines)) {
        if ([string]::IsNullOrWhiteSpace($line)) {
            if ($current.Count) { $paragraphs.Add(($current -join ' ').Trim()); $current.Clear() }
        }
        elseif ($line -match '^\s*[-*] ') {
            if ($current.Count) { $paragraphs.Add(($current -join ' ').Trim()); $current.Clear() }
            $current.Add($line.Trim())
        }
        else { $current.Add($line.Trim()) }
    }
    if ($current.Count) { $paragraphs.Add(($current -join ' ').Trim()) }
    return , $paragraphs
}

function Write-Paras($Writer, [string[]] $Lines) {
    foreach ($p in (Split-Paragraphs $Lines)) { $Writer.WriteElementString('maml', 'para', $ns.maml, $p) }
}

function Get-PipelineInput($Parameter) {
    $kinds = @()
    foreach ($set in $Parameter.ParameterSets.Values) {
        if ($set.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
        if ($set.ValueFromPipeline) { $kinds += 'ByValue' }
    }
    $kinds = @($kinds | Select-Object -Unique)
    if ($kinds.Count) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Write-Parameter($Writer, $Parameter, $SetInfo, [string[]] $Description) {
    $isSwitch = $Parameter.ParameterType -eq [switch]
    $positions = if ($SetInfo) { @($SetInfo.Position) } else { @($Parameter.ParameterSets.Values | ForEach-Object Position) }
    $positions = @($positions | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
    $position = if ($positions.Count) { [string]$positions[0] } else { 'named' }
    $globbing = @($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
    $required = if ($SetInfo) { $SetInfo.IsMandatory } else { @($Parameter.ParameterSets.Values | Where-Object IsMandatory).Count -gt 0 }
    $Writer.WriteStartElement('command', 'parameter', $ns.command)
    $Writer.WriteAttributeString('required', ([string]$required).ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', ([string]$Parameter.ParameterType.IsArray).ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', ([string]$globbing).ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineInput $Parameter))
    $Writer.WriteAttributeString('position', $position)
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $ns.maml, $Parameter.Name)
    $Writer.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $Writer $Description; $Writer.WriteEndElement()
    if (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $ns.command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', ([string]$Parameter.ParameterType.IsArray).ToLowerInvariant())
        $Writer.WriteString($Parameter.ParameterType.Name)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $ns.dev); $Writer.WriteElementString('maml', 'name', $ns.maml, $Parameter.ParameterType.FullName); $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $ns.dev, $(if ($isSwitch) { 'False' } else { 'None' }))
    $Writer.WriteEndElement()
}

function Write-TypeList($Writer, [string] $Outer, [string] $Inner, $Subsections) {
    $Writer.WriteStartElement('command', $Outer, $ns.command)
    foreach ($type in $Subsections.Keys) {
        $Writer.WriteStartElement('command', $Inner, $ns.command)
        $Writer.WriteStartElement('dev', 'type', $ns.dev); $Writer.WriteElementString('maml', 'name', $ns.maml, $type); $Writer.WriteEndElement()
        $Writer.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $Writer $Subsections[$type]; $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
New-Item -ItemType Directory -Force -Path (Split-Path $OutputFile) | Out-Null
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$writer = [System.Xml.XmlWriter]::Create($OutputFile, $settings)
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
$missing = @()

foreach ($cmd in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $file = Join-Path $DocsPath "$($cmd.Name).md"
    if (-not (Test-Path $file)) { $missing += $cmd.Name; continue }
    $doc = Read-HelpMarkdown $file
    $paramDocs = if ($doc.Subsections.Contains('PARAMETERS')) { $doc.Subsections['PARAMETERS'] } else { @{} }

    $writer.WriteStartElement('command', 'command', $ns.command)
    foreach ($prefix in 'maml', 'dev') { $writer.WriteAttributeString('xmlns', $prefix, 'http://www.w3.org/2000/xmlns/', $ns[$prefix]) }

    $writer.WriteStartElement('command', 'details', $ns.command)
    $writer.WriteElementString('command', 'name', $ns.command, $cmd.Name)
    $writer.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
    $writer.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
    $writer.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $writer $doc.Sections['SYNOPSIS']; $writer.WriteEndElement()
    $writer.WriteEndElement()

    $writer.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $writer $doc.Sections['DESCRIPTION']; $writer.WriteEndElement()

    $parameters = @($cmd.Parameters.Values | Where-Object { $_.Name -notin $common })
    $writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        $writer.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
        foreach ($p in ($set.Parameters | Where-Object { $_.Name -notin $common } | Sort-Object { if ($_.Position -ge 0) { $_.Position } else { 1000 } }, { -not $_.IsMandatory })) {
            $full = $cmd.Parameters[$p.Name]
            Write-Parameter $writer $full $p ($paramDocs["-$($p.Name)"])
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $parameters) {
        Write-Parameter $writer $p $null ($paramDocs["-$($p.Name)"])
    }
    $writer.WriteEndElement()

    if ($doc.Subsections.Contains('INPUTS')) { Write-TypeList $writer 'inputTypes' 'inputType' $doc.Subsections['INPUTS'] }
    if ($doc.Subsections.Contains('OUTPUTS')) { Write-TypeList $writer 'returnValues' 'returnValue' $doc.Subsections['OUTPUTS'] }

    if ($doc.Sections.Contains('NOTES') -and ($doc.Sections['NOTES'] -join '').Trim()) {
        $writer.WriteStartElement('maml', 'alertSet', $ns.maml); $writer.WriteStartElement('maml', 'alert', $ns.maml)
        Write-Paras $writer $doc.Sections['NOTES']
        $writer.WriteEndElement(); $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'examples', $ns.command)
    if ($doc.Subsections.Contains('EXAMPLES')) {
        foreach ($title in $doc.Subsections['EXAMPLES'].Keys) {
            $lines = @($doc.Subsections['EXAMPLES'][$title])
            $code = [System.Collections.Generic.List[string]]::new(); $remarks = [System.Collections.Generic.List[string]]::new()
            $inFence = $false
            foreach ($line in $lines) {
                if ($line -match '^```') { $inFence = -not $inFence; continue }
                if ($inFence) { $code.Add($line) } else { $remarks.Add($line) }
            }
            $writer.WriteStartElement('command', 'example', $ns.command)
            $writer.WriteElementString('maml', 'title', $ns.maml, "--------- $title ---------")
            $writer.WriteElementString('dev', 'code', $ns.dev, ($code -join "`n"))
            $writer.WriteStartElement('dev', 'remarks', $ns.dev); Write-Paras $writer $remarks; $writer.WriteEndElement()
            $writer.WriteEndElement()
        }
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $ns.command)
    $writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
    $writer.WriteElementString('maml', 'linkText', $ns.maml, 'Online Version:')
    $writer.WriteElementString('maml', 'uri', $ns.maml, "$OnlineBaseUri$($cmd.Name).md")
    $writer.WriteEndElement()
    if ($doc.Sections.Contains('RELATED LINKS')) {
        foreach ($line in $doc.Sections['RELATED LINKS']) {
            if ($line -match '^\s*[-*]\s*(?:\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)|(?<text>.+))$') {
                $writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
                $writer.WriteElementString('maml', 'linkText', $ns.maml, $Matches['text'].Trim())
                $writer.WriteElementString('maml', 'uri', $ns.maml, $(if ($Matches['uri']) { $Matches['uri'] } else { '' }))
                $writer.WriteEndElement()
            }
        }
    }
    $writer.WriteEndElement()

    $writer.WriteEndElement() # command
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Close()

if ($missing) {
    # Help.Tests.ps1 fails on these; the build only says so, so a missing page never hides the test results.
    Write-Warning "No help page in docs/ for: $($missing -join ', ')"
}
