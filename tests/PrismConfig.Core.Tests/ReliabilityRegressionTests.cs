using System.Text;
using PrismConfig.Core.Yaml;

namespace PrismConfig.Core.Tests;

/// <summary>Regressions found by the reliability suites (tests/reliability), each pinned here as a plain case.</summary>
public class ReliabilityRegressionTests
{
    // Found by the hostile-YAML fuzz: an unclosed flow sequence followed by more lines made YamlDotNet's scanner throw
    // InvalidOperationException, which reached the user as "Operation is not valid due to the current state of the
    // object." without naming the file.
    [Theory]
    [InlineData("namespaces:\n  - name: fuzz-cache\n    backend: redis\n    pattern: keyvalue\n    tags: [\n    features:\n      cache_enabled: true\n")]
    [InlineData("namespaces:\n  - name: fuzz-cache\n    backend: redis\n    pattern: keyvalue\n    connection_string: [\n    tags: [staging]\n")]
    public void A_scanner_failure_inside_YamlDotNet_is_a_YamlImportException_naming_the_file(string yaml)
    {
        var ex = Assert.Throws<YamlImportException>(() => NamespaceYaml.Parse(Encoding.UTF8.GetBytes(yaml), "hostile.yaml"));
        Assert.StartsWith("hostile.yaml:", ex.Message, StringComparison.Ordinal);
        Assert.Equal("hostile.yaml", ex.File);
    }
}
