using System.Collections;
using System.Diagnostics;
using System.Text;
using PrismConfig.Core.Validation;
using PrismConfig.Core.Yaml;

namespace PrismConfig.Core.Tests;

public class YamlExportTests
{
    private static NamespaceConfig Sample(string name = "orders")
    {
        var ns = new NamespaceConfig
        {
            Name = name,
            Description = "Orders: EU \"primary\"",
            Backend = "postgres",
            Pattern = "keyvalue",
            Consistency = ConsistencyLevel.Strong,
            CacheTtlSeconds = 60,
            Tags = ["team-a", "123"],
        };
        ns.BackendConfig["port"] = 5432;
        ns.BackendConfig["host"] = "db.local";
        ns.BackendConfig["Auth"] = new Hashtable { ["user"] = "app", ["enabled"] = true };
        ns.Features["zeta"] = false;
        ns.Features["alpha"] = true;
        ns.Version = 7;
        ns.CreatedBy = "someone";
        return ns;
    }

    private static List<NamespaceConfig> RoundTrip(IEnumerable<NamespaceConfig> input) =>
        NamespaceYaml.Parse(Encoding.UTF8.GetBytes(NamespaceYaml.Export(input)), "export.yaml").Select(r => r.Config).ToList();

    [Fact]
    public void Export_writes_the_fixed_key_order_and_sorted_maps()
    {
        var yaml = NamespaceYaml.Export([Sample()]);
        var expected = """
            namespaces:
              - name: orders
                description: "Orders: EU \"primary\""
                backend: postgres
                pattern: keyvalue
                status: active
                consistency: strong
                cache_ttl_seconds: 60
                backend_config:
                  Auth:
                    enabled: true
                    user: app
                  host: db.local
                  port: 5432
                tags:
                  - team-a
                  - "123"
                features:
                  alpha: true
                  zeta: false

            """.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.StartsWith("#", yaml, StringComparison.Ordinal);
        Assert.EndsWith(expected, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("version", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("someone", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_sorts_namespaces_by_name_and_is_deterministic()
    {
        var a = NamespaceYaml.Export([Sample("zeta"), Sample("alpha"), Sample("Mid".ToLowerInvariant())]);
        var b = NamespaceYaml.Export([Sample("mid"), Sample("zeta"), Sample("alpha")]);
        Assert.Equal(a, b);
        var names = RoundTrip([Sample("zeta"), Sample("alpha"), Sample("mid")]).Select(n => n.Name);
        Assert.Equal(["alpha", "mid", "zeta"], names);
    }

    [Fact]
    public void Export_omits_null_optional_fields_and_empty_lists()
    {
        var yaml = NamespaceYaml.Export([new NamespaceConfig { Name = "plain", Backend = "redis", Pattern = "queue" }]);
        Assert.DoesNotContain("description", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("cache_ttl_seconds", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("rate_limit_rps", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("tags", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("features", yaml, StringComparison.Ordinal);
        Assert.Contains("backend_config: {}", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_export_reads_back_as_no_namespaces()
    {
        var yaml = NamespaceYaml.Export([]);
        Assert.Contains("namespaces: []", yaml, StringComparison.Ordinal);
        Assert.Empty(NamespaceYaml.Parse(Encoding.UTF8.GetBytes(yaml), "e.yaml"));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("False")]
    [InlineData("yes")]
    [InlineData("No")]
    [InlineData("on")]
    [InlineData("OFF")]
    [InlineData("y")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("123")]
    [InlineData("0123")]
    [InlineData("-1.5e3")]
    [InlineData("0x1F")]
    [InlineData(".inf")]
    [InlineData(".nan")]
    [InlineData("1_000")]
    [InlineData("12:30")]
    [InlineData("2001-12-14")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("a: b")]
    [InlineData("ends:")]
    [InlineData("a #comment")]
    [InlineData("#hash")]
    [InlineData("- dash")]
    [InlineData("[x]")]
    [InlineData("{x}")]
    [InlineData("*alias")]
    [InlineData("&anchor")]
    [InlineData("!tag")]
    [InlineData("%percent")]
    [InlineData("@at")]
    [InlineData("`tick")]
    [InlineData("'single'")]
    [InlineData("\"double\"")]
    [InlineData("back\\slash")]
    [InlineData("line1\nline2\n")]
    [InlineData("tab\there")]
    [InlineData("cr\r\nlf")]
    [InlineData("nul\0byte")]
    [InlineData("bell\u0007")]
    [InlineData("del\u007F")]
    [InlineData("nel\u0085")]
    [InlineData("ls\u2028ps\u2029")]
    [InlineData("bom\uFEFF")]
    [InlineData("nbsp\u00A0")]
    [InlineData("ünïcödé ✓ 日本語 \U0001F600")]
    [InlineData("<<")]
    [InlineData("=")]
    [InlineData("?")]
    [InlineData("---")]
    [InlineData("...")]
    [InlineData("|")]
    [InlineData(">")]
    [InlineData("http://example.com:8080/x?y=1#frag")]
    [InlineData("postgres://db:5432/profiles")]
    public void Tricky_strings_round_trip_as_strings(string value)
    {
        var ns = new NamespaceConfig { Name = "tricky", Backend = "redis", Pattern = "queue", Description = value };
        ns.BackendConfig["v"] = value;
        ns.BackendConfig[value] = "as key";
        ns.BackendConfig["list"] = new object?[] { value, new object?[] { value } };
        var back = Assert.Single(RoundTrip([ns]));
        Assert.Equal(value, back.Description);
        Assert.Equal(value, Assert.IsType<string>(back.BackendConfig["v"]));
        Assert.Equal("as key", back.BackendConfig[value]);
        Assert.Equal(ConfigJson.Serialize(ns.BackendConfig), ConfigJson.Serialize(back.BackendConfig));
    }

    [Fact]
    public void Typed_values_round_trip_with_their_types()
    {
        var ns = new NamespaceConfig { Name = "typed", Backend = "redis", Pattern = "queue" };
        var c = ns.BackendConfig;
        c["int"] = 42;
        c["neg"] = -7;
        c["long"] = 9_000_000_000L;
        c["double"] = 1.0;
        c["small"] = 1e-300;
        c["large"] = 1.5e300;
        c["third"] = 1.0 / 3;
        c["negzero"] = -0.0;
        c["true"] = true;
        c["false"] = false;
        c["null"] = null;
        c["empty_table"] = NamespaceConfig.NewTable();
        c["empty_list"] = Array.Empty<object?>();
        c["nested"] = new Hashtable
        {
            ["list"] = new object?[] { 1, "1", 1.5, true, null, new Hashtable { ["b"] = 2, ["a"] = new object?[] { new object?[] { 1, 2 }, Array.Empty<object?>() } } },
        };
        var back = Assert.Single(RoundTrip([ns])).BackendConfig;
        Assert.IsType<int>(back["int"]);
        Assert.Equal(-7, back["neg"]);
        Assert.IsType<long>(back["long"]);
        Assert.Equal(1.0, Assert.IsType<double>(back["double"]));
        Assert.Equal(1e-300, back["small"]);
        Assert.Equal(1.5e300, back["large"]);
        Assert.Equal(1.0 / 3, back["third"]);
        Assert.True(back["true"] is true);
        Assert.True(back["false"] is false);
        Assert.True(back.ContainsKey("null") && back["null"] is null);
        Assert.Empty(Assert.IsAssignableFrom<Hashtable>(back["empty_table"]));
        Assert.Empty(Assert.IsType<object?[]>(back["empty_list"]));
        Assert.Equal(ConfigJson.Serialize(c), ConfigJson.Serialize(back));
        AssertSameShape(c, back);
    }

    [Fact]
    public void Very_long_keys_use_explicit_key_syntax()
    {
        var ns = new NamespaceConfig { Name = "longkey", Backend = "redis", Pattern = "queue" };
        var key = new string('k', 1500);
        var quotedKey = string.Concat(Enumerable.Repeat("\n", 600));
        ns.BackendConfig[key] = 1;
        ns.BackendConfig["list"] = new object?[] { new Hashtable { [quotedKey] = "x", ["a"] = 2 } };
        ns.Features["f"] = true;
        var back = Assert.Single(RoundTrip([ns]));
        Assert.Equal(ConfigJson.Serialize(ns.BackendConfig), ConfigJson.Serialize(back.BackendConfig));
    }

    [Fact]
    public void Randomized_round_trip_is_exact()
    {
        var random = new Random(20240611);
        var input = new List<NamespaceConfig>();
        for (var i = 0; i < 200; i++)
        {
            input.Add(RandomNamespace(random, i));
        }
        var yaml = NamespaceYaml.Export(input);
        var parsed = NamespaceYaml.Parse(Encoding.UTF8.GetBytes(yaml), "random.yaml");
        var back = parsed.Select(p => p.Config).ToList();

        var expected = input.OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, back.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var x = expected[i];
            var y = back[i];
            Assert.Equal(x.Name, y.Name);
            Assert.Equal(x.Description, y.Description);
            Assert.Equal(x.Backend, y.Backend);
            Assert.Equal(x.Pattern, y.Pattern);
            Assert.Equal(x.Status, y.Status);
            Assert.Equal(x.Consistency, y.Consistency);
            Assert.Equal(x.CacheTtlSeconds, y.CacheTtlSeconds);
            Assert.Equal(x.RateLimitRps, y.RateLimitRps);
            Assert.Equal(x.Tags, y.Tags);
            Assert.Equal(ConfigJson.Serialize(x.Features), ConfigJson.Serialize(y.Features));
            Assert.Equal(ConfigJson.Serialize(x.BackendConfig), ConfigJson.Serialize(y.BackendConfig));
            AssertSameShape(x.BackendConfig, y.BackendConfig);
            AssertSameShape(x.Features, y.Features);
        }

        // Export of the re-imported set is byte-identical: a git diff shows only real changes.
        Assert.Equal(yaml, NamespaceYaml.Export(back));
    }

    [Fact]
    public void Ten_thousand_namespaces_parse()
    {
        var random = new Random(7);
        var input = Enumerable.Range(0, 10_000).Select(i => RandomNamespace(random, i, simple: true)).ToList();
        var bytes = Encoding.UTF8.GetBytes(NamespaceYaml.Export(input));
        var result = NamespaceYaml.Parse(bytes, "bulk.yaml");
        Assert.Equal(10_000, result.Count);
        Assert.True(bytes.Length > 1_000_000);
    }

    /// <summary>Same keys, same value types (int stays int, string stays string) all the way down.</summary>
    internal static void AssertSameShape(object? expected, object? actual)
    {
        switch (expected)
        {
            case IDictionary d:
                var a = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.Equal(d.Count, a.Count);
                foreach (DictionaryEntry e in d)
                {
                    var key = (string)e.Key;
                    Assert.True(a.Contains(key), $"missing key '{key}'");
                    AssertSameShape(e.Value, a[key]);
                }
                break;
            case object?[] list:
                var b = Assert.IsType<object?[]>(actual);
                Assert.Equal(list.Length, b.Length);
                for (var i = 0; i < list.Length; i++) AssertSameShape(list[i], b[i]);
                break;
            case null:
                Assert.Null(actual);
                break;
            default:
                Assert.Equal(expected.GetType(), actual?.GetType());
                Assert.Equal(expected, actual);
                break;
        }
    }

    private static readonly string[] Tricky =
    [
        "", " ", "true", "false", "yes", "no", "on", "off", "Y", "N", "null", "Null", "~", "123", "-5", "0.5", "1e5",
        "0x10", "0o17", "0123", ".inf", "-.inf", ".nan", "a: b", "a:b", "key:", "#x", "a #b", "a#b", "- x", "'q'", "\"dq\"",
        "multi\nline", "trailing\n", "\ttab", "ünï ✓", "日本", "\U0001F680", "[a]", "{b}", "*x", "&y", "!z", "%p", "@a",
        "`b", "|", ">", "---", "...", "?", "<<", "=", "C:\\path\\file", "s p a c e", "  lead", "trail  ", "\\", "a\u2028b",
    ];

    private static string RandomString(Random r)
    {
        switch (r.Next(4))
        {
            case 0:
                return Tricky[r.Next(Tricky.Length)];
            case 1:
                return Tricky[r.Next(Tricky.Length)] + Tricky[r.Next(Tricky.Length)];
            case 2:
                var sb = new StringBuilder();
                var n = r.Next(0, 20);
                for (var i = 0; i < n; i++)
                {
                    // Printable ASCII plus some BMP and astral characters.
                    var pick = r.Next(10);
                    if (pick < 7) sb.Append((char)r.Next(0x20, 0x7F));
                    else if (pick < 9) sb.Append((char)r.Next(0xA0, 0x3000));
                    else sb.Append(char.ConvertFromUtf32(r.Next(0x1F300, 0x1F600)));
                }
                return sb.ToString();
            default:
                return "word" + r.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static object? RandomValue(Random r, int depth)
    {
        var kind = r.Next(depth > 3 ? 7 : 9);
        switch (kind)
        {
            case 0: return RandomString(r);
            case 1: return r.Next(int.MinValue, int.MaxValue);
            case 2: return (long)r.Next() * 100_000L;
            case 3: return Math.Round((r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-10, 20)), r.Next(0, 8));
            case 4: return r.Next(2) == 0;
            case 5: return null;
            case 6: return RandomString(r);
            case 7: return RandomTable(r, depth + 1);
            default:
                var len = r.Next(0, 4);
                var list = new object?[len];
                for (var i = 0; i < len; i++) list[i] = RandomValue(r, depth + 1);
                return list;
        }
    }

    private static Hashtable RandomTable(Random r, int depth)
    {
        var table = NamespaceConfig.NewTable();
        var n = r.Next(0, 5);
        for (var i = 0; i < n; i++)
        {
            var key = RandomString(r);
            if (!table.ContainsKey(key)) table[key] = RandomValue(r, depth);
        }
        return table;
    }

    internal static NamespaceConfig RandomNamespace(Random r, int i, bool simple = false)
    {
        var ns = new NamespaceConfig
        {
            Name = $"ns-{i:D5}-{r.Next(1000)}",
            Description = r.Next(3) == 0 ? null : (simple ? "A namespace" : RandomString(r)),
            Backend = new[] { "postgres", "redis", "kafka", "nats", "s3" }[r.Next(5)],
            Pattern = new[] { "keyvalue", "pubsub", "queue", "stream" }[r.Next(4)],
            Status = NamespaceStatus.All[r.Next(3)],
            Consistency = ConsistencyLevel.All[r.Next(2)],
            CacheTtlSeconds = r.Next(2) == 0 ? null : r.Next(0, 100_000),
            RateLimitRps = r.Next(2) == 0 ? null : r.Next(1, 100_000),
            Tags = Enumerable.Range(0, r.Next(0, 4)).Select(t => new[] { "prod", "123", "true", "no", "team-a", "null" }[(t + r.Next(2)) % 6] + t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        };
        if (r.Next(2) == 0) ns.Tags = [.. ns.Tags, "yes", "on", "1e3"];
        ns.BackendConfig = simple
            ? new Hashtable(StringComparer.OrdinalIgnoreCase) { ["host"] = $"db-{i}.local", ["port"] = 5432, ["pool"] = new object?[] { 1, 2 }, ["tls"] = true }
            : RandomTable(r, 1);
        if (!simple && r.Next(2) == 0) ns.BackendConfig["connection_string"] = "postgres://u:p@db:5432/x?sslmode=require";
        foreach (var f in new[] { "fast-path", "yes", "1", "a.b_c" })
        {
            if (r.Next(2) == 0) ns.Features[f] = r.Next(2) == 0;
        }
        NamespaceValidator.Validate(ns);
        return ns;
    }
}
