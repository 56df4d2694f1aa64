using BenchmarkDotNet.Attributes;
using PrismConfig.Core;
using PrismConfig.Core.Yaml;
using YamlDotNet.Core;

namespace PrismConfig.Benchmarks;

/// <summary>
/// Figure 3 at Core level: ConfigStore.ImportStream of NamespaceYaml.StreamFile, read-ahead, 10,000 namespaces into an empty store,
/// versus parsing the same file with YamlDotNet alone: read the file as text and walk every parser event, which
/// is the cheapest honest "parse" (it scans every token, builds no objects) and the first step of Core's reader.
/// </summary>
public class ImportBenchmarks
{
    private ConfigStore? store;

    [IterationSetup(Targets = [nameof(CoreImport)])]
    public void FreshStore()
    {
        SqliteCleanup();
        Fixture.DeleteDatabase(BenchPaths.ImportTarget);
        store = ConfigStore.Open(BenchPaths.ImportTarget, new StoreOptions { CreateIfMissing = true });
    }

    [IterationCleanup(Targets = [nameof(CoreImport)])]
    public void CloseStore()
    {
        store?.Dispose();
        store = null;
    }

    /// <summary>What Import-PrismYaml does: the file streamed through the reader, read ahead of the writes.</summary>
    [Benchmark(Description = "ConfigStore.ImportStream(NamespaceYaml.StreamFile), read-ahead (10k, empty store)")]
    public int CoreImport() =>
        store!.ImportStream(NamespaceYaml.StreamFile(BenchPaths.Yaml10k).Select(e => e.Config), new ImportOptions { ReadAhead = true }).Count;

    [Benchmark(Baseline = true, Description = "YamlDotNet Parser: every event of the same file")]
    public int YamlParseOnly() => ParseEvents(BenchPaths.Yaml10k);

    public static int ParseEvents(string path)
    {
        var parser = new Parser(new StringReader(File.ReadAllText(path)));
        var n = 0;
        while (parser.MoveNext()) n++;
        return n;
    }

    private static void SqliteCleanup() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
}
