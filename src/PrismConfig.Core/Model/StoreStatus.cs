namespace PrismConfig;

/// <summary>What Initialize-PrismConfig found or made: the store's path, schema, size and whether it imported YAML.</summary>
public sealed class StoreStatus
{
    public string Path { get; set; } = "";
    public int SchemaVersion { get; set; }
    /// <summary>How many namespaces the store holds after initialisation.</summary>
    public int Namespaces { get; set; }
    /// <summary>True when this call imported the YAML file (only ever into a store with no namespaces).</summary>
    public bool Imported { get; set; }
    /// <summary>True when this call created the database file.</summary>
    public bool Created { get; set; }

    public override string ToString() => Path;
}
