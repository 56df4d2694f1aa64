using System.Text;
using PrismConfig.Core;
using PrismConfig.Core.Yaml;

namespace PrismConfig.Core.Tests;

internal static class YamlTestSupport
{
    public const string FileName = "/tmp/ns.yaml";

    public static IReadOnlyList<YamlNamespace> Parse(string yaml) => NamespaceYaml.Parse(Encoding.UTF8.GetBytes(yaml), FileName);

    public static YamlImportException Fails(string yaml)
    {
        var ex = Assert.Throws<YamlImportException>(() => Parse(yaml));
        Assert.Equal(FileName, ex.File);
        Assert.True(ex.Line >= 1 && ex.Column >= 1, $"line/column must be 1-based: {ex.Message}");
        Assert.StartsWith($"{FileName}:{ex.Line}:{ex.Column}: ", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    /// <summary>A namespace entry with the required fields, for tests that add one key.</summary>
    public static string Entry(string name = "orders", string extra = "") =>
        $"namespaces:\n  - name: {name}\n    backend: postgres\n    pattern: keyvalue\n{extra}";
}
