using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using PrismConfig.Core;

namespace PrismConfig.PowerShell;

/// <summary>
/// What every PrismConfig cmdlet shares: the -Database parameter and its defaults, the per-session store cache,
/// and the mapping from Core's typed exceptions to ErrorRecords.
/// </summary>
/// <remarks>
/// No member of this class exposes a Core type in a property: PowerShell reflects over cmdlet properties when it
/// binds, and Core must only load through the module's own load context, which the module initializer sets up.
/// </remarks>
public abstract class PrismCmdlet : PSCmdlet
{
    /// <summary>
    /// The store: a SQLite file path, or sqlite:///path. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    private StoreLocator? resolvedLocator;

    /// <summary>
    /// Every Core failure a cmdlet does not handle itself still becomes a proper ErrorRecord: a broken store (corrupt,
    /// too new, unreadable, not a file) stops the command; anything about one item (not found, invalid, conflict,
    /// busy) is reported and the pipeline goes on.
    /// </summary>
    protected sealed override void ProcessRecord() => Guard(ProcessItem);

    /// <inheritdoc cref="ProcessRecord"/>
    protected sealed override void EndProcessing() => Guard(Complete);

    /// <summary>The cmdlet's per-item work.</summary>
    private protected virtual void ProcessItem()
    {
    }

    /// <summary>The cmdlet's work once every item has been received.</summary>
    private protected virtual void Complete()
    {
    }

    private void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (PrismConfigException ex) when (IsSetupFailure(ex))
        {
            ThrowTerminatingError(ErrorRecordFor(ex));
        }
        catch (PrismConfigException ex)
        {
            WriteError(ErrorRecordFor(ex));
        }
    }

    internal static bool IsSetupFailure(PrismConfigException ex) => ex.Kind is PrismErrorKind.Corrupt
        or PrismErrorKind.SchemaTooNew or PrismErrorKind.PermissionDenied or PrismErrorKind.InvalidPath
        or PrismErrorKind.StorageError or PrismErrorKind.Unavailable or PrismErrorKind.AuthFailed or PrismErrorKind.ReadOnly;

    /// <summary>The store this call uses: -Database, else $env:PRISM_CONFIG_DB, else the ADR's location.</summary>
    private protected StoreLocator Locator => resolvedLocator ??= ResolveLocator();

    /// <summary>The store as messages show it: a full path, or a URI without its password.</summary>
    protected string DatabasePath => Locator.Display;

    private StoreLocator ResolveLocator()
    {
        try
        {
            return ResolveLocator(Database, this);
        }
        catch (PrismConfigException ex)
        {
            ThrowTerminatingError(ErrorRecordFor(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    /// <summary>
    /// The locator a -Database value means, with $env:PRISM_CONFIG_DB and the default behind it. Relative paths
    /// follow $PWD, not the process's working directory, which PowerShell never changes.
    /// </summary>
    internal static StoreLocator ResolveLocator(string? given, PSCmdlet? cmdlet)
    {
        var text = given;
        if (string.IsNullOrEmpty(text))
        {
            text = Environment.GetEnvironmentVariable("PRISM_CONFIG_DB");
        }
        if (string.IsNullOrEmpty(text))
        {
            return StoreLocator.ForFile(DefaultDatabasePath());
        }
        // A plain absolute path is already a provider path; asking the provider costs more than a lookup, and
        // Get-PrismNamespace in a loop is a hot path.
        return StoreLocator.Parse(text, path => IsPlainAbsolutePath(path) || cmdlet is null ? path : ProviderPath(cmdlet, path));
    }

    private static string ProviderPath(PSCmdlet cmdlet, string path)
    {
        try
        {
            return cmdlet.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception ex) when (ex is SessionStateException or ProviderInvocationException or NotSupportedException or ArgumentException)
        {
            // A value PowerShell could not resolve may be a mistyped URI; its password must not reach the message.
            var shown = StoreLocator.MaskUri(path);
            throw new StorePathException(shown, "StorePathInvalid", $"'{shown}' is not a file system path PrismConfig can use: {StoreLocator.MaskUri(ex.Message)}", ex);
        }
    }

    /// <summary>
    /// True for a fully qualified file-system path that PowerShell would resolve to itself: no ~, no PSDrive
    /// qualifier (TestDrive:), no provider prefix (FileSystem::), no backtick escapes.
    /// </summary>
    internal static bool IsPlainAbsolutePath(string path)
    {
        if (!Path.IsPathFullyQualified(path) || path.Contains("::", StringComparison.Ordinal) || path.Contains('`', StringComparison.Ordinal))
        {
            return false;
        }
        // On Windows a fully qualified path is a drive (C:\) or UNC path, both of which the FileSystem provider
        // maps to themselves; on Unix it starts with '/', and a PSDrive would need a colon before it.
        return OperatingSystem.IsWindows() || path[0] == '/';
    }

    /// <summary>The ADR's location: /var/lib/prism/config.db, or %ProgramData%\Prism\config.db on Windows.</summary>
    public static string DefaultDatabasePath() => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "Prism", "config.db")
        : "/var/lib/prism/config.db";

    /// <summary>
    /// The session's store for <see cref="Locator"/>. Reads, and writes that change an existing namespace, never
    /// create a store; creating writes do. Setup failures (missing, corrupt, too new, unreadable) are terminating errors.
    /// </summary>
    private protected ConfigStore OpenStore(bool create)
    {
        try
        {
            var store = CachedStore(Locator, create, out var createdNow);
            // A relative -Database after a cd, or a typo, silently makes a new empty store: say where it went.
            if (createdNow) WarnCreated(store.Path);
            return store;
        }
        catch (PrismConfigException ex)
        {
            ThrowTerminatingError(ErrorRecordFor(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    /// <summary>The session's store for a locator, with what its open worked around said once, by the first command to use it.</summary>
    private protected ConfigStore CachedStore(StoreLocator locator, bool create) => CachedStore(locator, create, out _);

    /// <inheritdoc cref="CachedStore(StoreLocator, bool)"/>
    private protected ConfigStore CachedStore(StoreLocator locator, bool create, out bool createdNow)
    {
        var store = StoreCache.Get(locator, create, out createdNow);
        foreach (var warning in store.TakeOpenWarnings())
        {
            WriteWarning(warning);
        }
        return store;
    }

    private void WarnCreated(string path)
    {
        var text = $"Created a new PrismConfig database at '{path}'.";
        // -Debug makes a warning ask "Continue with this operation?" (and a non-interactive host fail), which a
        // store that was just created successfully must not do: then the line goes to the host only.
        if (MyInvocation.BoundParameters.ContainsKey("Debug") && !MyInvocation.BoundParameters.ContainsKey("WarningAction"))
        {
            Host.UI.WriteWarningLine(text);
            return;
        }
        WriteWarning(text);
    }

    /// <summary>The session's store if it exists, else null; other setup failures are terminating errors.</summary>
    private protected ConfigStore? OpenExistingStore()
    {
        try
        {
            return CachedStore(Locator, create: false);
        }
        catch (StorePathException ex) when (ex.ErrorId == "DatabaseNotFound")
        {
            return null;
        }
        catch (PrismConfigException ex)
        {
            ThrowTerminatingError(ErrorRecordFor(ex));
            throw; // unreachable
        }
    }

    /// <summary>The YAML files a -Path value means (wildcards allowed, relative to $PWD); anything else stops the command.</summary>
    private protected List<string> ResolveYamlFiles(string path, string consequence)
    {
        Collection<string> resolved;
        ProviderInfo provider;
        try
        {
            resolved = GetResolvedProviderPathFromPSPath(path, out provider);
        }
        catch (ItemNotFoundException ex)
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"The YAML file '{path}' does not exist. {consequence}", path, ex),
                "YamlFileNotFound", ErrorCategory.ObjectNotFound, path));
            throw; // unreachable
        }
        if (provider.Name != "FileSystem")
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"'{path}' is not a file system path. PrismConfig reads YAML files."),
                "YamlPathNotFileSystem", ErrorCategory.InvalidArgument, path));
        }
        foreach (var file in resolved)
        {
            if (Directory.Exists(file))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"'{file}' is a folder; pass YAML files (for example '{System.IO.Path.Combine(file, "*.yaml")}'). {consequence}"),
                    "YamlPathIsFolder", ErrorCategory.InvalidArgument, file));
            }
        }
        return resolved.ToList();
    }

    /// <summary>Whether this call runs under -WhatIf, given or inherited through $WhatIfPreference.</summary>
    private protected bool WhatIfRequested() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
            ? given is SwitchParameter { IsPresent: true } || given is true
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>Whether ShouldProcess will prompt: -Confirm, or a cmdlet of this impact at or above $ConfirmPreference.</summary>
    private protected bool ConfirmationWillBeAsked(ConfirmImpact impact)
    {
        if (MyInvocation.BoundParameters.TryGetValue("Confirm", out var given))
        {
            return given is SwitchParameter { IsPresent: true } || given is true;
        }
        var preference = LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var p) ? p : ConfirmImpact.High;
        return preference != ConfirmImpact.None && impact >= preference;
    }

    /// <summary>Write-Progress while a write waits for another writer's lock, so a user on a stalled disk sees why.</summary>
    private protected IProgress<TimeSpan> LockWaitProgress() => new LockWaitReporter(this);

    private sealed class LockWaitReporter(PrismCmdlet cmdlet) : IProgress<TimeSpan>
    {
        private readonly int thread = Environment.CurrentManagedThreadId;

        public void Report(TimeSpan value)
        {
            // WriteProgress is only legal on the pipeline thread; Core calls back on the writing thread.
            if (Environment.CurrentManagedThreadId != thread) return;
            cmdlet.WriteProgress(new ProgressRecord(2, "Waiting for the write lock",
                $"Another writer holds the lock on '{cmdlet.DatabasePath}'; waited {value.TotalSeconds:0} s") { PercentComplete = -1 });
        }
    }

    /// <summary>-Strict given, or $env:PRISM_CONFIG_STRICT=1: names the registry does not define are refused, not warned about.</summary>
    private protected static bool StrictWrites(bool given) =>
        given || Environment.GetEnvironmentVariable("PRISM_CONFIG_STRICT") is "1" or "true" or "True" or "TRUE";

    /// <summary>Writes the registry's warnings for names it does not define.</summary>
    private protected void WriteRegistryWarnings(IEnumerable<RegistryWarning> warnings)
    {
        foreach (var warning in warnings)
        {
            WriteWarning(warning.Message);
        }
    }

    /// <summary>Reports one failed item and lets the pipeline go on.</summary>
    private protected void WriteCoreError(PrismConfigException ex) => WriteError(ErrorRecordFor(ex));

    /// <summary>
    /// A file as Get-Item shows it: the provider's object carries PSPath and, on Unix, UnixMode, User and Group,
    /// which a FileInfo made here would show blank.
    /// </summary>
    private protected void WriteFileItem(string path) =>
        WriteObject(InvokeProvider.Item.Get([path], force: true, literalPath: true), enumerateCollection: true);

    /// <summary>Stops the command: for failures that make every further item pointless.</summary>
    private protected void ThrowCoreError(PrismConfigException ex) => ThrowTerminatingError(ErrorRecordFor(ex));

    /// <summary>How this command reports a Core error; a command whose own advice differs overrides it.</summary>
    private protected virtual ErrorRecord ErrorRecordFor(PrismConfigException ex) => ToErrorRecord(ex);

    internal static ErrorRecord ToErrorRecord(PrismConfigException ex)
    {
        var record = new ErrorRecord(ex, ex.ErrorId, Categorize(ex), ex.Target);
        var action = RecommendedAction(ex);
        if (action is not null)
        {
            record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = action };
        }
        return record;
    }

    internal static ErrorCategory Categorize(PrismConfigException ex) => ex.Kind switch
    {
        PrismErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        PrismErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        PrismErrorKind.Validation => ErrorCategory.InvalidArgument,
        PrismErrorKind.Conflict => ErrorCategory.InvalidOperation,
        PrismErrorKind.Busy => ErrorCategory.ResourceBusy,
        PrismErrorKind.Corrupt => ErrorCategory.InvalidData,
        PrismErrorKind.SchemaTooNew => ErrorCategory.InvalidData,
        PrismErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        PrismErrorKind.InvalidPath when ex.ErrorId == "DatabaseNotFound" => ErrorCategory.ObjectNotFound,
        PrismErrorKind.InvalidPath => ErrorCategory.InvalidArgument,
        PrismErrorKind.StorageError => ErrorCategory.ResourceUnavailable,
        PrismErrorKind.Unavailable => ErrorCategory.ConnectionError,
        PrismErrorKind.AuthFailed => ErrorCategory.AuthenticationError,
        PrismErrorKind.ReadOnly => ErrorCategory.InvalidOperation,
        PrismErrorKind.Damaged => ErrorCategory.InvalidData,
        _ => ErrorCategory.NotSpecified,
    };

    private static string? RecommendedAction(PrismConfigException ex) => ex switch
    {
        // Not "retry with -ExpectedVersion <actual>": passing the other writer's version unread overwrites its change.
        VersionConflictException c => $"Read '{c.Name}' again (it is at version {c.ActualVersion}), check what changed, and run the command again.",
        StoreBusyException => "Retry the command; another process was writing.",
        NamespaceDamagedException d => NamespaceDamagedException.RepairAdvice(d.Name),
        _ => null,
    };

    /// <summary>
    /// Unwraps PSObjects all the way down, so Core sees plain hashtables, arrays and scalars whatever the user typed
    /// (a value from a pipeline or a variable is often wrapped).
    /// </summary>
    /// <remarks>
    /// A PSCustomObject (ConvertFrom-Json, [pscustomobject]@{}) becomes a table of its properties, and a date its
    /// ISO 8601 text: both would otherwise reach Core as an opaque object and be stored as its ToString().
    /// </remarks>
    internal static object? Unwrap(object? value)
    {
        if (value is PSObject { BaseObject: PSCustomObject } custom)
        {
            var fields = NamespaceConfig.NewTable();
            foreach (var p in custom.Properties)
            {
                if (p is PSNoteProperty or PSProperty) fields[p.Name] = Unwrap(p.Value);
            }
            return fields;
        }
        if (value is PSObject pso)
        {
            value = pso.BaseObject;
        }
        switch (value)
        {
            case null or string:
                return value;
            case DateTime d:
                return d.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
            case DateTimeOffset d:
                return d.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
            case IDictionary d:
                var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry e in d)
                {
                    table[Unwrap(e.Key) ?? ""] = Unwrap(e.Value);
                }
                return table;
            case IEnumerable list:
                return list.Cast<object?>().Select(Unwrap).ToArray();
            default:
                return value;
        }
    }

    internal static Hashtable? UnwrapTable(IDictionary? table) => table is null ? null : (Hashtable?)Unwrap(table);
}
