using System.Collections;
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
    /// <summary>The SQLite file. Defaults to $env:PRISM_CONFIG_DB, then the ADR's location.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    private string? resolvedDatabase;

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
            ThrowTerminatingError(ToErrorRecord(ex));
        }
        catch (PrismConfigException ex)
        {
            WriteError(ToErrorRecord(ex));
        }
    }

    internal static bool IsSetupFailure(PrismConfigException ex) => ex.Kind is PrismErrorKind.Corrupt
        or PrismErrorKind.SchemaTooNew or PrismErrorKind.PermissionDenied or PrismErrorKind.InvalidPath
        or PrismErrorKind.StorageError;

    /// <summary>The full path of the database this call uses, resolved against the current PowerShell location.</summary>
    protected string DatabasePath => resolvedDatabase ??= ResolveDatabasePath();

    private string ResolveDatabasePath()
    {
        var path = Database;
        if (string.IsNullOrEmpty(path))
        {
            path = Environment.GetEnvironmentVariable("PRISM_CONFIG_DB");
        }
        if (string.IsNullOrEmpty(path))
        {
            return DefaultDatabasePath();
        }
        // A plain absolute path is already a provider path; asking the provider costs more than a lookup, and
        // Get-PrismNamespace in a loop is a hot path.
        if (IsPlainAbsolutePath(path))
        {
            return path;
        }
        // Relative paths follow $PWD, not the process's working directory, which PowerShell never changes.
        return GetUnresolvedProviderPathFromPSPath(path);
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
    /// The session's store for <see cref="DatabasePath"/>. Reads never create a database; writes create it and its
    /// folder. Setup failures (missing, corrupt, too new, unreadable) are terminating errors.
    /// </summary>
    private protected ConfigStore OpenStore(bool create)
    {
        try
        {
            return StoreCache.Get(DatabasePath, create);
        }
        catch (PrismConfigException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    /// <summary>Reports one failed item and lets the pipeline go on.</summary>
    private protected void WriteCoreError(PrismConfigException ex) => WriteError(ToErrorRecord(ex));

    /// <summary>Stops the command: for failures that make every further item pointless.</summary>
    private protected void ThrowCoreError(PrismConfigException ex) => ThrowTerminatingError(ToErrorRecord(ex));

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
        _ => ErrorCategory.NotSpecified,
    };

    private static string? RecommendedAction(PrismConfigException ex) => ex switch
    {
        VersionConflictException c => $"Read '{c.Name}' again and retry with -ExpectedVersion {c.ActualVersion}.",
        StoreBusyException => "Retry the command; another process was writing.",
        _ => null,
    };

    /// <summary>
    /// Unwraps PSObjects all the way down, so Core sees plain hashtables, arrays and scalars whatever the user typed
    /// (a value from a pipeline or a variable is often wrapped).
    /// </summary>
    internal static object? Unwrap(object? value)
    {
        if (value is PSObject pso)
        {
            value = pso.BaseObject;
        }
        switch (value)
        {
            case null or string:
                return value;
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
