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
    public NamespaceConfig()
    {
        BackendConfig = NewTable();
        Features = NewTable();
        Slots = new SlotTable();
        Behavior = NewTable();
    }

    // For a row just read: its tables are already built, so the two empty ones are not.
    internal NamespaceConfig(Hashtable backendConfig, Hashtable features)
    {
        BackendConfig = backendConfig;
        Features = features;
        Slots = new SlotTable();
        Behavior = NewTable();
    }

    // Clone's own constructor: it replaces both tables at once, so it must not build the two empty ones first.
    private NamespaceConfig(NamespaceConfig source)
    {
        Name = source.Name;
        Description = source.Description;
        Backend = source.Backend;
        Pattern = source.Pattern;
        Status = source.Status;
        Consistency = source.Consistency;
        CacheTtlSeconds = source.CacheTtlSeconds;
        RateLimitRps = source.RateLimitRps;
        BackendConfig = (Hashtable)DeepCopy(source.BackendConfig)!;
        Tags = (string[])source.Tags.Clone();
        Features = (Hashtable)DeepCopy(source.Features)!;
        Version = source.Version;
        CreatedAt = source.CreatedAt;
        UpdatedAt = source.UpdatedAt;
        CreatedBy = source.CreatedBy;
        UpdatedBy = source.UpdatedBy;
        PatternVersion = source.PatternVersion;
        Slots = source.Slots.Clone();
        Behavior = (Hashtable)DeepCopy(source.Behavior)!;
    }

    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Backend { get; set; } = "";
    public string Pattern { get; set; } = "";
    public string Status { get; set; } = NamespaceStatus.Active;
    public string Consistency { get; set; } = ConsistencyLevel.Eventual;
    public int? CacheTtlSeconds { get; set; }
    public int? RateLimitRps { get; set; }

    /// <summary>The backend's settings: a JSON object. Nested objects are Hashtables, arrays are object[].</summary>
    public Hashtable BackendConfig { get; set; }

    public string[] Tags { get; set; } = [];

    /// <summary>Feature flag name to enabled.</summary>
    public Hashtable Features { get; set; }

    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }

    /// <summary>The version of the pattern this namespace binds (Prism's pattern_version, for example v1), or null.</summary>
    public string? PatternVersion { get; set; }

    /// <summary>
    /// The pattern's slots, in order; empty for a single-backend (ADR-036) namespace. When there are slots,
    /// <see cref="Backend"/> and <see cref="BackendConfig"/> are the first slot's, kept so by the store.
    /// </summary>
    public SlotTable Slots { get; set; }

    /// <summary>The pattern's behaviour parameters (Prism's behavior): any JSON values, nested tables and lists included.</summary>
    public Hashtable Behavior { get; set; }

    /// <summary>Every backend this namespace uses, in slot order without repeats (the one backend when it has no slots).</summary>
    public string[] Backends => Slots.Count == 0
        ? [Backend]
        : Slots.Entries().Select(e => e.Slot.Backend).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>A deep copy, so a caller can change the copy without touching a cached or stored instance.</summary>
    public NamespaceConfig Clone() => new(this);

    public override string ToString() => Name;

    /// <summary>A new case-insensitive Hashtable, the kind every table in this model uses.</summary>
    public static Hashtable NewTable() => new ConfigTable();

    internal static object? DeepCopy(object? value) => value switch
    {
        null or string => value,
        IDictionary d => CopyTable(d),
        object[] a => Array.ConvertAll(a, DeepCopy),
        _ => value,
    };

    // Every cmdlet lookup copies its tables, so this is on the hot path: sized up front (no rehash as it fills)
    // and walked with the enumerator directly (foreach over IDictionary boxes a DictionaryEntry per item).
    private static ConfigTable CopyTable(IDictionary source)
    {
        var copy = new ConfigTable(source.Count);
        var entry = source.GetEnumerator();
        while (entry.MoveNext())
        {
            copy[entry.Key] = DeepCopy(entry.Value);
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

    internal ConfigTable(int capacity)
        : base(capacity, StringComparer.OrdinalIgnoreCase)
    {
    }

    public override string ToString() => PrismConfig.Core.Validation.ConfigJson.Serialize(this);
}
