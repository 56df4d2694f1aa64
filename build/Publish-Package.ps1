<#
.SYNOPSIS
    Packs the built module into PrismConfig.<version>.nupkg with Publish-PSResource.
.DESCRIPTION
    Publish-PSResource writes a package only into a registered repository, so this registers a temporary file
    repository in a scratch folder, publishes the module there, moves the .nupkg to -OutputPath, unregisters the
    repository and deletes the scratch folder.

    The registration never touches the repository list of the user who runs this: it happens in a child pwsh
    whose HOME and XDG_* folders are inside the scratch folder, and PSResourceGet keeps its list under them.
    On Windows that list does not follow HOME, so there the repository gets a unique name and is unregistered
    in a finally block.

    build.ps1 -Task Package and tests/Package.Tests.ps1 both call this script. It writes the package's FileInfo
    to the pipeline.
.PARAMETER ModulePath
    The laid-out module folder, out/PrismConfig, with its stamped manifest.
.PARAMETER OutputPath
    The folder that receives PrismConfig.<version>.nupkg. It is created if missing.
.PARAMETER RepositoryPath
    Internal: set only when the script runs itself in the isolated child, which publishes into this folder.
.EXAMPLE
    ./build/Publish-Package.ps1 -ModulePath ./out/PrismConfig -OutputPath ./out/package
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $OutputPath,
    [string] $RepositoryPath
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if ($RepositoryPath) {
    # The isolated child. A LocalApplicationData outside the scratch HOME would mean the user's own repository
    # list; an empty one makes PSResourceGet write its list into the current folder.
    if (-not $IsWindows) {
        $store = [Environment]::GetFolderPath([Environment+SpecialFolder]::LocalApplicationData)
        if (-not $store -or -not $store.StartsWith($env:HOME, [StringComparison]::Ordinal)) {
            throw "Refusing to register a repository: PSResourceGet would keep it in '$store', outside the scratch HOME '$env:HOME'."
        }
    }
    $name = 'PrismConfigPackage-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Register-PSResourceRepository -Name $name -Uri $RepositoryPath -Trusted
    try {
        Publish-PSResource -Path $ModulePath -Repository $name
    }
    finally {
        Unregister-PSResourceRepository -Name $name
    }
    return
}

$module = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$manifestPath = Join-Path $module 'PrismConfig.psd1'
if (-not (Test-Path -LiteralPath $manifestPath)) { throw "'$module' has no PrismConfig.psd1; build the module first." }
$version = (Import-PowerShellDataFile -LiteralPath $manifestPath).ModuleVersion
$fileName = "PrismConfig.$version.nupkg"

$scratch = Join-Path ([IO.Path]::GetTempPath()) ('prismconfig-package-' + [guid]::NewGuid().ToString('N'))
$repository = Join-Path $scratch 'repository'
$scratchHome = Join-Path $scratch 'home'
try {
    $folders = @{
        HOME            = $scratchHome
        XDG_DATA_HOME   = Join-Path $scratchHome '.local/share'
        XDG_CONFIG_HOME = Join-Path $scratchHome '.config'
        XDG_CACHE_HOME  = Join-Path $scratchHome '.cache'
    }
    # .NET reports a special folder that does not exist yet as '', so each one is created first.
    foreach ($folder in @($repository) + $folders.Values) { New-Item -ItemType Directory -Force -Path $folder | Out-Null }

    # The same pwsh as this one; under `dotnet pwsh` the process is dotnet itself, running pwsh.dll.
    $start = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
        $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll'))
    }
    foreach ($argument in '-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-ModulePath', $module,
        '-OutputPath', $OutputPath, '-RepositoryPath', $repository) {
        $start.ArgumentList.Add($argument)
    }
    $start.UseShellExecute = $false
    $start.WorkingDirectory = $scratch
    if (-not $IsWindows) {
        foreach ($name in $folders.Keys) { $start.Environment[$name] = $folders[$name] }
        $start.Environment['PSModulePath'] = Join-Path $folders.XDG_DATA_HOME 'powershell/Modules'
    }
    $process = [Diagnostics.Process]::Start($start)
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "Publish-PSResource failed (exit code $($process.ExitCode))." }

    $package = Join-Path $repository $fileName
    if (-not (Test-Path -LiteralPath $package)) {
        $found = (Get-ChildItem -LiteralPath $repository -Name) -join ', '
        throw "Publish-PSResource did not write $fileName; the repository holds: $found."
    }
    New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
    $target = Join-Path (Resolve-Path -LiteralPath $OutputPath).ProviderPath $fileName
    Move-Item -LiteralPath $package -Destination $target -Force
    Get-Item -LiteralPath $target
}
finally {
    if (Test-Path -LiteralPath $scratch) { Remove-Item -LiteralPath $scratch -Recurse -Force }
}
