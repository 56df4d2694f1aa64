using System.Collections;

using PrismConfig.Core;
using PrismConfig.Core.Registry;

namespace PrismConfig;

/// <summary>A pattern or backend definition as the store holds it: versioned and audited like a namespace.</summary>
public sealed class RegistryDefinition
{
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>The definition as imported, unknown keys included.</summary>
    public Hashtable Document { get; set; } = NamespaceConfig.NewTable();

    /// <summary>The file it was last imported from.</summary>
    public string? Source { get; set; }

    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }

    /// <summary>A pattern's slots (optional ones end in '?'); empty for a backend.</summary>
    public string[] Slots { get; internal set; } = [];

    /// <summary>A pattern's behaviour parameters; empty for a backend.</summary>
    public string[] Parameters { get; internal set; } = [];

    /// <summary>A backend's implemented interfaces; empty for a pattern.</summary>
    public string[] Interfaces { get; internal set; } = [];

    /// <summary>A backend's interfaces that are listed but not implemented (planned, for example).</summary>
    public string[] PlannedInterfaces { get; internal set; } = [];

    public string? Description => Document["description"] as string;

    public override string ToString() => $"{Kind} {Name}";
}

/// <summary>What importing one definition did.</summary>
public sealed class RegistryImportResult
{
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string Action { get; init; } = "";
    public int Version { get; init; }
    public string? Source { get; init; }
}

/// <summary>One change to a registry definition, as its history records it.</summary>
public sealed class RegistryHistoryEntry
{
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public int Version { get; init; }
    public string Operation { get; init; } = "";
    public DateTimeOffset ChangedAt { get; init; }
    public string? ChangedBy { get; init; }
    public string? Reason { get; init; }
    public Hashtable? OldDocument { get; init; }
    public Hashtable NewDocument { get; init; } = NamespaceConfig.NewTable();
}

/// <summary>Options for importing registry definitions.</summary>
public sealed class RegistryImportOptions
{
    public string? Reason { get; set; }
    public string? ChangedBy { get; set; }
    public IProgress<TimeSpan>? LockWaitProgress { get; set; }
}

/// <summary>
/// A name the registry does not define (a backend, a pattern or a parameter): accepted, unless the write is strict.
/// </summary>
public sealed class RegistryWarning
{
    internal RegistryWarning(string ns, string field, string value, string? suggestion, string detail)
    {
        Namespace = ns;
        Field = field;
        Value = value;
        Suggestion = suggestion;
        _detail = detail;
    }

    private readonly string _detail;

    public string Namespace { get; }

    /// <summary>backend, pattern, slots.&lt;slot&gt;.backend or behavior.&lt;parameter&gt;.</summary>
    public string Field { get; }
    public string Value { get; }

    /// <summary>The known name it most likely meant, or null.</summary>
    public string? Suggestion { get; }
    public string Message => _detail + " It was accepted; -Strict (or $env:PRISM_CONFIG_STRICT=1) refuses it.";

    public override string ToString() => Message;

    /// <summary>The warning as the error a strict write raises.</summary>
    public RegistryValidationException ToError() => new(Namespace, Field, null, "a name the registry defines", Value,
        _detail + " The write is strict (-Strict or $env:PRISM_CONFIG_STRICT=1), so nothing was written: correct the name, or define it with Import-PrismRegistry.");
}
