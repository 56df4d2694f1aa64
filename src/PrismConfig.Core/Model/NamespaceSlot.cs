using System.Collections;
using System.Collections.Specialized;
using PrismConfig.Core.Validation;

namespace PrismConfig;

/// <summary>One filled slot of a pattern: the backend bound to it, the interfaces it provides there, and its settings.</summary>
public sealed class NamespaceSlot
{
    public NamespaceSlot()
    {
        Config = NamespaceConfig.NewTable();
    }

    public string Backend { get; set; } = "";

    /// <summary>Interface names as the user spelled them (keyvalue_basic or KeyValueBasicInterface); see <see cref="NamespaceValidator.InterfaceKey"/>.</summary>
    public string[] Interfaces { get; set; } = [];

    /// <summary>The backend's settings for this slot: a JSON object, as <see cref="NamespaceConfig.BackendConfig"/>.</summary>
    public Hashtable Config { get; set; }

    public NamespaceSlot Clone() => new()
    {
        Backend = Backend,
        Interfaces = (string[])Interfaces.Clone(),
        Config = (Hashtable)NamespaceConfig.DeepCopy(Config)!,
    };

    /// <summary>Canonical JSON, so Export-Csv and string interpolation show the content, not the type name.</summary>
    public override string ToString() => ConfigJson.Serialize(this);
}

/// <summary>
/// Slot name to <see cref="NamespaceSlot"/>, in the order the user wrote them: Prism binds slots in that order, and the
/// first slot's backend is what the ADR's backend column holds. Keys compare ignoring case, like every table here.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1010", Justification = "PowerShell users index and enumerate it like an ordered hashtable.")]
public sealed class SlotTable : OrderedDictionary
{
    public SlotTable()
        : base(StringComparer.OrdinalIgnoreCase)
    {
    }

    /// <summary>The slot called <paramref name="name"/>, or null.</summary>
    public NamespaceSlot? Get(string name) => this[(object)name] as NamespaceSlot;

    /// <summary>Slots in order, with their names.</summary>
    public IEnumerable<(string Name, NamespaceSlot Slot)> Entries()
    {
        for (var en = GetEnumerator(); en.MoveNext();)
        {
            yield return ((string)en.Key, (NamespaceSlot)en.Value!);
        }
    }

    public SlotTable Clone()
    {
        var copy = new SlotTable();
        foreach (var (name, slot) in Entries())
        {
            copy.Add(name, slot.Clone());
        }
        return copy;
    }

    /// <summary>Canonical JSON (a list in slot order), for Export-Csv and string interpolation.</summary>
    public override string ToString() => ConfigJson.Serialize(this);
}
