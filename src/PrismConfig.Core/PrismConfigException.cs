namespace PrismConfig.Core;

/// <summary>What kind of failure an exception reports; the cmdlets map each kind to one ErrorCategory.</summary>
public enum PrismErrorKind
{
    NotFound,
    AlreadyExists,
    Validation,
    Conflict,
    Busy,
    Corrupt,
    SchemaTooNew,
    PermissionDenied,
    /// <summary>The store path cannot be used: missing for a read, a directory, an unreachable folder.</summary>
    InvalidPath,
    /// <summary>The storage failed for another reason: disk full, I/O error, an unexpected SQLite error.</summary>
    StorageError,
    /// <summary>A store server cannot be reached (refused, timed out, shut down, out of connections).</summary>
    Unavailable,
    /// <summary>A store server refused the credentials.</summary>
    AuthFailed,
    /// <summary>One namespace's stored row cannot be read; the rest of the store is fine.</summary>
    Damaged,
    /// <summary>The store is a replica: only Sync-PrismConfig writes it, from its source.</summary>
    ReadOnly,
}

/// <summary>
/// The base of every error Core raises on purpose. Messages name the thing (namespace, field, path) and say
/// what to do; <see cref="Target"/> is that thing, so a host can attach it to its own error record.
/// </summary>
public class PrismConfigException : Exception
{
    public PrismConfigException(PrismErrorKind kind, string errorId, string message, object? target, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ErrorId = errorId;
        Target = target;
    }

    public PrismErrorKind Kind { get; }

    /// <summary>A stable identifier, such as NamespaceNotFound, for scripts and tests to match on.</summary>
    public string ErrorId { get; }

    /// <summary>The namespace name, file path or other object the error is about.</summary>
    public object? Target { get; }
}

public sealed class NamespaceNotFoundException(string name, string? detail = null)
    : PrismConfigException(PrismErrorKind.NotFound, "NamespaceNotFound",
        detail ?? $"Namespace '{name}' was not found. Run Get-PrismNamespace to list the namespaces that exist.", name)
{
    public string Name { get; } = name;
}

/// <summary>
/// One namespace row whose stored data cannot be read. Only that namespace is affected: lists skip it, and it can be
/// rewritten from its history (Restore-PrismNamespace) or removed (Remove-PrismNamespace).
/// </summary>
public sealed class NamespaceDamagedException(string path, string name, string detail, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.Damaged, "NamespaceDamaged",
        $"Namespace '{name}' in '{path}' is damaged: {detail} It was skipped; every other namespace can still be read and changed. " +
        $"{RepairAdvice(name)}", name, inner)
{
    public string Name { get; } = name;

    /// <summary>What to do about a damaged namespace: the same words in this error and in Test-PrismConfig's report.</summary>
    public static string RepairAdvice(string name) =>
        $"Repair it from its history with Restore-PrismNamespace -Name {name} -Version <n> (Get-PrismNamespaceHistory -Name {name} lists its versions), " +
        $"or remove it with Remove-PrismNamespace -Name {name}.";
}

public sealed class VersionNotFoundException(string name, int version, int latest)
    : PrismConfigException(PrismErrorKind.NotFound, "VersionNotFound",
        $"Namespace '{name}' has no version {version}; its versions run from 1 to {latest}. Run Get-PrismNamespaceHistory -Name {name} to see them.", name)
{
    public string Name { get; } = name;
    public int Version { get; } = version;
}

public sealed class NamespaceExistsException(string name)
    : PrismConfigException(PrismErrorKind.AlreadyExists, "NamespaceExists",
        $"Namespace '{name}' already exists. Use Set-PrismNamespace to change it, or choose another name.", name)
{
    public string Name { get; } = name;
}

public sealed class ValidationException(string? namespaceName, string field, object? value, string rule)
    : PrismConfigException(PrismErrorKind.Validation, "ValidationFailed",
        FormatMessage(namespaceName, field, value, rule), namespaceName ?? (object?)value)
{
    public string? NamespaceName { get; } = namespaceName;
    public string Field { get; } = field;
    public object? Value { get; } = value;
    public string Rule { get; } = rule;

    private static string FormatMessage(string? ns, string field, object? value, string rule)
    {
        var where = ns is null ? "" : $" of namespace '{ns}'";
        return $"Field '{field}'{where} has the value {Describe(value)}, which is not valid: {rule}";
    }

    internal static string Describe(object? value)
    {
        if (value is null) return "null";
        var text = value switch
        {
            string s => s,
            IEnumerable<string> list => string.Join(", ", list),
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
        if (text.Length > 80) text = string.Concat(text.AsSpan(0, 77), "...");
        return $"'{text}'";
    }
}

/// <summary>
/// A namespace the store's registry refuses: a slot, interface or parameter that does not fit the pattern or backend
/// definition. Same error ID as any other invalid input; the message names the namespace, the slot, what the
/// registry requires and what was given.
/// </summary>
public sealed class RegistryValidationException(string namespaceName, string field, string? slot, string? required, string? given, string message)
    : PrismConfigException(PrismErrorKind.Validation, "ValidationFailed", message, namespaceName)
{
    public string NamespaceName { get; } = namespaceName;

    /// <summary>The field at fault: slots, slots.&lt;slot&gt;.interfaces, behavior.&lt;parameter&gt;, backend, pattern...</summary>
    public string Field { get; } = field;
    public string? Slot { get; } = slot;
    public string? Required { get; } = required;
    public string? Given { get; } = given;
}

public sealed class VersionConflictException(string name, int expected, int actual)
    : PrismConfigException(PrismErrorKind.Conflict, "VersionConflict", FormatMessage(name, expected, actual), name)
{
    private static string FormatMessage(string name, int expected, int actual) => expected == 0
        ? $"Namespace '{name}' was created by someone else (it is at version {actual}) after your change was planned. Nothing was written; read it with Get-PrismNamespace and try again."
        : $"Namespace '{name}' is at version {actual}, not version {expected}: someone changed it after it was read for this change, so nothing was written. Read it again with Get-PrismNamespace, check what changed, then run your command again.";

    public string Name { get; } = name;
    public int ExpectedVersion { get; } = expected;
    public int ActualVersion { get; } = actual;
}

public sealed class StoreBusyException(string path, TimeSpan waited, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.Busy, "StoreBusy",
        $"The configuration store '{path}' is busy: another process held its write lock for longer than {waited.TotalSeconds:0.#} s. Nothing was written; try again.", path, inner)
{
    public string Path { get; } = path;
}

public sealed class StoreCorruptException(string path, string detail, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.Corrupt, "StoreCorrupt",
        $"'{path}' is not a usable PrismConfig database: {detail} The file was not changed. Restore it from a backup with Restore-PrismConfig, or choose another file with -Database.", path, inner)
{
    public string Path { get; } = path;

    /// <summary>What is wrong with the file, without the advice that follows it in the message.</summary>
    public string Detail { get; } = detail;
}

public sealed class SchemaTooNewException(string path, int found, int supported)
    : PrismConfigException(PrismErrorKind.SchemaTooNew, "SchemaTooNew",
        $"The database '{path}' has schema version {found}, but this PrismConfig understands versions up to {supported}. It was not modified. Upgrade the PrismConfig module to use it.", path)
{
    public string Path { get; } = path;
    public int FoundVersion { get; } = found;
    public int SupportedVersion { get; } = supported;
}

public sealed class StorePermissionException(string path, string detail, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.PermissionDenied, "PermissionDenied",
        $"Permission denied for '{path}': {detail}", path, inner)
{
    public string Path { get; } = path;
}

public sealed class StorePathException(string path, string errorId, string message, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.InvalidPath, errorId, message, path, inner)
{
    public string Path { get; } = path;

    public static StorePathException Missing(string path) => new(path, "DatabaseNotFound",
        $"The configuration database '{path}' does not exist. Create it with Initialize-PrismConfig or New-PrismNamespace, or point -Database (or $env:PRISM_CONFIG_DB) at an existing file.");
}

/// <summary>A store server cannot be reached. <see cref="Server"/> is host:port; nothing here holds a password.</summary>
public sealed class StoreUnavailableException(string store, string server, string detail, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.Unavailable, "StoreUnavailable",
        $"The configuration store '{store}' cannot be reached at {server}: {detail} Nothing was written. Check that the server is running and reachable from this host, then try again.", store, inner)
{
    public string Server { get; } = server;
}

/// <summary>A write to a replica, which only Sync-PrismConfig writes. <see cref="ReplicaSource"/> is where writes go (no password).</summary>
public sealed class ReplicaReadOnlyException(string path, string source)
    : PrismConfigException(PrismErrorKind.ReadOnly, "ReplicaReadOnly",
        $"'{path}' is a read-only replica of '{source}'; nothing was written. Make the change in the source (-Database '{StoreLocator.ForCommand(source)}'), and Sync-PrismConfig brings it here.", path)
{
    public string ReplicaSource { get; } = source;
}

/// <summary>A store server refused the user or password.</summary>
public sealed class StoreAuthFailedException(string store, string user, string detail, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.AuthFailed, "StoreAuthFailed",
        $"The configuration store '{store}' refused user '{user}': {detail} Check the password (in the URI, PGPASSWORD or the pgpass file) and the server's pg_hba.conf.", store, inner)
{
    public string User { get; } = user;
}

/// <summary>The store could not complete an operation for a reason outside the other kinds (disk full, I/O error).</summary>
public sealed class StoreErrorException(string path, string detail, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.StorageError, "StoreError",
        $"The configuration store '{path}' failed: {detail}", path, inner)
{
    public string Path { get; } = path;
}

/// <summary>A YAML document that cannot be imported. File, line and column say where.</summary>
public sealed class YamlImportException(string file, long line, long column, string problem, string? namespaceName = null, Exception? inner = null)
    : PrismConfigException(PrismErrorKind.Validation, "YamlInvalid",
        $"{file}:{line}:{column}: {problem}{NamespaceSuffix(problem, namespaceName)}. Nothing was imported.", file, inner)
{
    public string File { get; } = file;
    public long Line { get; } = line;
    public long Column { get; } = column;
    public string Problem { get; } = problem;
    public string? NamespaceName { get; } = namespaceName;

    // A validation message already names its namespace; saying it twice reads as two problems.
    private static string NamespaceSuffix(string problem, string? ns) =>
        ns is null || problem.Contains($"'{ns}'", StringComparison.Ordinal) ? "" : $" (namespace '{ns}')";
}

/// <summary>A prune refused without Force: it would disable too much, or the desired set is empty.</summary>
public sealed class PruneRefusedException(string errorId, string message, object target)
    : PrismConfigException(PrismErrorKind.Conflict, errorId, message, target)
{
    internal static PruneRefusedException EmptyDesiredSet(int active) => new("PruneEmptyDesiredSet",
        $"The files list no namespaces, so -Prune would disable all {active} active namespaces. Nothing was written. If that is really intended, add -Force.",
        "namespaces");

    internal static PruneRefusedException TooBroad(int disabling, int active) => new("PruneTooBroad",
        disabling == active
            ? $"-Prune would disable all {active} active namespaces. Nothing was written. Check that the files are the whole desired state; add -Force if this is intended."
            : $"-Prune would disable {disabling} of the {active} active namespaces, more than half. Nothing was written. Check that the files are the whole desired state; add -Force if this is intended.",
        "namespaces");
}
