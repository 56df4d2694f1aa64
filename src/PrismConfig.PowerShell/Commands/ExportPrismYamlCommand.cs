using System.Management.Automation;
using System.Text;
using PrismConfig.Core;
using PrismConfig.Core.Yaml;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Writes namespaces in the YAML import format, to a file or as one string.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "PrismYaml", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(string))]
[OutputType(typeof(FileInfo))]
public sealed class ExportPrismYamlCommand : PrismCmdlet
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The file to write. Without it, the YAML is written to the pipeline as one string.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Name patterns (wildcards allowed); any may match.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackendCompleter))]
    public string[]? Backend { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(StatusCompleter))]
    public string[]? Status { get; set; }

    /// <summary>Namespaces from Get-PrismNamespace: exactly these are exported, as they are; typed object so Core loads only through the module's context.</summary>
    [Parameter(ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    /// <summary>Write values that look like secrets too; without it, such an export is refused.</summary>
    [Parameter]
    public SwitchParameter IncludeSecrets { get; set; }

    /// <summary>Refuse to replace an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>With -Path, output the FileInfo of the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly List<NamespaceConfig> piped = [];

    private protected override void ProcessItem()
    {
        if (!MyInvocation.ExpectingInput) return;
        var item = InputObject is PSObject pso ? pso.BaseObject : InputObject;
        if (item is NamespaceConfig ns)
        {
            piped.Add(ns);
            return;
        }
        WriteError(new ErrorRecord(new ArgumentException($"Export-PrismYaml takes namespaces from Get-PrismNamespace from the pipeline, not a {item?.GetType().Name ?? "null"}."),
            "InputNotANamespace", ErrorCategory.InvalidType, InputObject));
    }

    private protected override void Complete()
    {
        string yaml;
        int count;
        try
        {
            // Piped input, even none at all, means exactly those namespaces: an empty filter upstream must not
            // turn into an export of the whole store.
            var list = MyInvocation.ExpectingInput
                ? piped.GroupBy(n => n.Name, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(n => n.Name, StringComparer.Ordinal).ToList()
                : OpenStore(create: false).List(new NamespaceQuery { Names = Name, Backends = Backend, Statuses = Status }, WriteCoreError).ToList();
            count = list.Count;
            if (!IncludeSecrets) RefuseSecrets(list);
            yaml = NamespaceYaml.Export(list);
        }
        catch (PrismConfigException ex)
        {
            ThrowCoreError(ex);
            return;
        }

        if (Path is null)
        {
            WriteObject(yaml);
            return;
        }

        var target = GetUnresolvedProviderPathFromPSPath(Path);
        if (Directory.Exists(target))
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"'{target}' is a folder; give a file path such as '{System.IO.Path.Combine(target, "namespaces.yaml")}'."),
                "ExportPathIsFolder", ErrorCategory.InvalidArgument, target));
        }
        var folder = System.IO.Path.GetDirectoryName(target);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            ThrowTerminatingError(new ErrorRecord(
                new DirectoryNotFoundException($"The folder of '{target}' does not exist. Create it first; Export-PrismYaml does not create folders."),
                "ExportFolderNotFound", ErrorCategory.ObjectNotFound, target));
        }
        if (NoClobber && File.Exists(target))
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"The file '{target}' already exists and -NoClobber was given. Choose another path or omit -NoClobber to replace it."),
                "ExportFileExists", ErrorCategory.ResourceExists, target));
        }
        if (!ShouldProcess(target, $"Write {count} namespace(s) as YAML"))
        {
            return;
        }

        try
        {
            WriteAtomically(target, folder!, yaml);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var category = ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError;
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"Cannot write '{target}': {ex.Message}", ex), "ExportWriteFailed", category, target));
        }
        if (PassThru)
        {
            WriteFileItem(target);
        }
    }

    /// <summary>
    /// The export is meant for Git, where a credential stays forever: a value the masking rules would hide stops
    /// it, unless -IncludeSecrets. References (vault://, secret://, env:NAME) are what belongs there instead.
    /// </summary>
    private void RefuseSecrets(IReadOnlyList<NamespaceConfig> list)
    {
        var found = list.SelectMany(ns => Core.Display.SecretMasker.SecretPaths(ns).Select(path => $"{ns.Name}: {path}")).ToList();
        if (found.Count == 0) return;
        const int Shown = 20;
        var lines = string.Join(Environment.NewLine, found.Take(Shown).Select(f => "  " + f));
        if (found.Count > Shown) lines += Environment.NewLine + $"  ... and {found.Count - Shown} more";
        var target = Path is null ? DatabasePath : GetUnresolvedProviderPathFromPSPath(Path);
        var message = $"Nothing was exported: {found.Count} value(s) look like secrets and would be written in plain text:{Environment.NewLine}{lines}{Environment.NewLine}" +
            "Store a reference that Prism resolves instead (vault://..., secret://... or env:NAME), or add -IncludeSecrets to write them anyway.";
        var record = new ErrorRecord(new InvalidOperationException(message), "ExportContainsSecrets", ErrorCategory.SecurityError, target)
        {
            ErrorDetails = new ErrorDetails(message)
            {
                RecommendedAction = "Replace each with a vault://, secret:// or env:NAME reference (Set-PrismNamespace -BackendConfigUpdate), or add -IncludeSecrets.",
            },
        };
        ThrowTerminatingError(record);
    }

    /// <summary>
    /// Writes a private temporary file beside the target and renames it over the target, so a reader never sees
    /// half a file and the file (which holds connection strings) is never readable by others, even briefly.
    /// </summary>
    private static void WriteAtomically(string target, string folder, string content)
    {
        var temp = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                var bytes = Utf8NoBom.GetBytes(content);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                // UnixCreateMode is filtered by the umask; 0600 is already the tightest, but be explicit.
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
