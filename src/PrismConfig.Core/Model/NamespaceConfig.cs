using System.Collections;

namespace PrismConfig;

/// <summary>
/// One namespace's complete configuration, as stored and as shown to users.
/// </summary>
/// <remarks>
/// The collections are plain .NET types (Hashtable, string[]) on purpose: PowerShell users index, pipe and
/// serialise them without conversion, and nothing here ties Core to PowerShell. Hashtables use a
/// case-insensitive comparer because that is what every PowerShell user expects of one; validation rejects
/// backend_config keys that differ only in case, so nothing is ever lost to that choice.
/// </remarks>
public sealed class NamespaceConfig
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Backend { get; set; } = "";
    public string Pattern { get; set; } = "";
    public string Status { get; set; } = NamespaceStatus.Active;
    public string Consistency { get; set; } = ConsistencyLevel.Eventual;
    public int? CacheTtlSeconds { get; set; }
    public int? RateLimitRps { get; set; }

    /// <summary>The backend's settings: a JSON object. Nested objects are Hashtables, arrays are object[].</summary>
    public Hashtable BackendConfig { get; set; } = NewTable();

    public string[] Tags { get; set; } = [];

    /// <summary>Feature flag name to enabled.</summary>
    public Hashtable Features { get; set; } = NewTable();

    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }

    /// <summary>A deep copy, so a caller can change the copy without touching a cached or stored instance.</summary>
    public NamespaceConfig Clone() => new()
    {
        Name = Name,
        Description = Description,
        Backend = Backend,
        Pattern = Pattern,
        Status = Status,
        Consistency = Consistency,
        CacheTtlSeconds = CacheTtlSeconds,
        RateLimitRps = RateLimitRps,
        BackendConfig = (Hashtable)DeepCopy(BackendConfig)!,
        Tags = (string[])Tags.Clone(),
        Features = (Hashtable)DeepCopy(Features)!,
        Version = Version,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        CreatedBy = CreatedBy,
        UpdatedBy = UpdatedBy,
    };

    public override string ToString() => Name;

    /// <summary>A new case-insensitive Hashtable, the kind every table in this model uses.</summary>
    public static Hashtable NewTable() => new ConfigTable();

    internal static object? DeepCopy(object? value) => value switch
    {
        IDictionary d => CopyTable(d),
        object[] a => Array.ConvertAll(a, DeepCopy),
        _ => value,
    };

    private static Hashtable CopyTable(IDictionary source)
    {
        var copy = NewTable();
        foreach (DictionaryEntry e in source)
        {
            copy[e.Key] = DeepCopy(e.Value);
        }
        return copy;
    }
}

/// <summary>The statuses the ADR's CHECK constraint allows.</summary>
public static class NamespaceStatus
{
    public const string Active = "active";
    public const string Disabled = "disabled";
    public const string Migrating = "migrating";

    public static IReadOnlyList<string> All { get; } = [Active, Disabled, Migrating];
}

/// <summary>The consistency levels a namespace may ask for.</summary>
public static class ConsistencyLevel
{
    public const string Strong = "strong";
    public const string Eventual = "eventual";

    public static IReadOnlyList<string> All { get; } = [Strong, Eventual];
}

/// <summary>
/// The Hashtable every table in the model is: case-insensitive, and whose text form is its canonical JSON. Export-Csv
/// and string interpolation call ToString, which on a plain Hashtable gives only its type name.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1010", Justification = "PowerShell users expect a Hashtable; a generic dictionary would not index, splat or format like one.")]
public sealed class ConfigTable : Hashtable
{
    public ConfigTable()
        : base(StringComparer.OrdinalIgnoreCase)
    {
    }

    public override string ToString() => PrismConfig.Core.Validation.ConfigJson.Serialize(this);
}
