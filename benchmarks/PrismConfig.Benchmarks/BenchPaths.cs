namespace PrismConfig.Benchmarks;

/// <summary>Where the bench script's prepared files are (PRISM_BENCH_WORK, set by Program from --work).</summary>
public static class BenchPaths
{
    public static string Work =>
        Environment.GetEnvironmentVariable("PRISM_BENCH_WORK") ?? throw new InvalidOperationException("PRISM_BENCH_WORK is not set.");

    public static string Store10k => Path.Combine(Work, "store-10k.db");
    public static string Store100 => Path.Combine(Work, "store-100.db");
    public static string Yaml10k => Path.Combine(Work, "namespaces-10k.yaml");
    public static string Yaml2500 => Path.Combine(Work, "namespaces-2500.yaml");
    /// <summary>100,000 namespaces in two files of 50,000 (one file would pass NamespaceYaml.MaxFileBytes).</summary>
    public static string Yaml100kA => Path.Combine(Work, "namespaces-100k-a.yaml");
    public static string Yaml100kB => Path.Combine(Work, "namespaces-100k-b.yaml");
    public static string StoreBulk => Path.Combine(Work, "store-bulk.db");
    public static string WriteStore => Path.Combine(Work, "write-core.db");
    public static string WriteRaw => Path.Combine(Work, "write-raw.db");
    public static string WriteCold => Path.Combine(Work, "write-cold.db");
    public static string ImportTarget => Path.Combine(Work, "import-core.db");
}
