using System.Collections;
using PrismConfig.Core.Yaml;
using static PrismConfig.Core.Tests.YamlTestSupport;

namespace PrismConfig.Core.Tests;

public class YamlImportTests
{
    [Fact]
    public void The_ADR_example_imports()
    {
        var result = Parse("""
            # config/namespaces.yaml
            namespaces:
              - name: user-profiles
                backend: postgres
                pattern: keyvalue
                consistency: strong
                connection_string: postgres://db:5432/profiles
            """);

        var item = Assert.Single(result);
        Assert.Equal(FileName, item.File);
        Assert.Equal(3, item.Line);
        Assert.Equal(5, item.Column);
        var ns = item.Config;
        Assert.Equal("user-profiles", ns.Name);
        Assert.Equal("postgres", ns.Backend);
        Assert.Equal("keyvalue", ns.Pattern);
        Assert.Equal("strong", ns.Consistency);
        Assert.Equal("active", ns.Status);
        Assert.Null(ns.Description);
        Assert.Null(ns.CacheTtlSeconds);
        Assert.Null(ns.RateLimitRps);
        Assert.Empty(ns.Tags);
        Assert.Empty(ns.Features);
        Assert.Equal("postgres://db:5432/profiles", ns.BackendConfig["connection_string"]);
        Assert.Single(ns.BackendConfig);
    }
}
