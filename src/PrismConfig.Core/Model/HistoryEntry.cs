namespace PrismConfig;

/// <summary>One audited change to one namespace: a row of namespace_history.</summary>
public sealed class HistoryEntry
{
    public string Name { get; set; } = "";
    public int Version { get; set; }
    /// <summary>create, update, disable, enable, restore or import-style operations recorded by Core.</summary>
    public string Operation { get; set; } = "";
    public DateTimeOffset ChangedAt { get; set; }
    public string? ChangedBy { get; set; }
    public string? Reason { get; set; }
    public NamespaceConfig? OldConfig { get; set; }
    public NamespaceConfig? NewConfig { get; set; }
    public PropertyChange[] Changes { get; set; } = [];
    /// <summary>The store-wide revision of the commit that made this change; every later commit has a higher one.</summary>
    public long Revision { get; set; }
    /// <summary>
    /// The history row's id: within one <see cref="Revision"/>, entries come in its order. With the revision, it is
    /// where a watch resumes in the middle of a commit of many entries (Watch-PrismNamespace -After).
    /// </summary>
    public long Id { get; set; }

    public override string ToString() => $"{Name} v{Version} {Operation}";
}

/// <summary>One field that a change altered. Values are display-neutral: strings, numbers, arrays or tables.</summary>
public sealed class PropertyChange
{
    public PropertyChange() { }

    public PropertyChange(string property, object? oldValue, object? newValue)
    {
        Property = property;
        OldValue = oldValue;
        NewValue = newValue;
    }

    /// <summary>The NamespaceConfig property name; a BackendConfig or Features key is written as BackendConfig.key.</summary>
    public string Property { get; set; } = "";
    public object? OldValue { get; set; }
    public object? NewValue { get; set; }

    public override string ToString() => Property;
}

/// <summary>What an import did, or would do, to one namespace.</summary>
/// <remarks>
/// Strings, not an enum, as <see cref="NamespaceStatus"/> is: ConvertTo-Json, Export-Csv and a proxy reading the
/// JSON all see "Created", where an enum would come out as the number 1.
/// </remarks>
public static class ImportAction
{
    public const string Unchanged = "Unchanged";
    public const string Created = "Created";
    public const string Updated = "Updated";
    public const string Disabled = "Disabled";
}

/// <summary>One line of an import's plan or result.</summary>
public sealed class ImportResult
{
    public string Name { get; set; } = "";
    /// <summary>One of <see cref="ImportAction"/>'s values.</summary>
    public string Action { get; set; } = ImportAction.Unchanged;
    /// <summary>The namespace's version after the import (or, for -WhatIf, the version it would have).</summary>
    public int Version { get; set; }
    public PropertyChange[] Changes { get; set; } = [];
    /// <summary>The file the namespace came from; null for namespaces disabled by -Prune.</summary>
    public string? Source { get; set; }

    /// <summary>Names the store's registry does not define (accepted, as the import was not strict).</summary>
    public RegistryWarning[] Warnings { get; set; } = [];

    public override string ToString() => $"{Name} {Action}";
}

/// <summary>One changed field of one namespace, as Compare-PrismNamespace reports it.</summary>
public sealed class FieldChange
{
    /// <summary>The namespace.</summary>
    public string Name { get; set; } = "";
    /// <summary>The field, as <see cref="PropertyChange.Property"/> names it: Description, BackendConfig.host, Slots.queue.Config.topic.</summary>
    public string Path { get; set; } = "";
    public object? OldValue { get; set; }
    public object? NewValue { get; set; }

    public override string ToString() => $"{Name} {Path}";
}
