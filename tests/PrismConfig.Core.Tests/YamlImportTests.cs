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

public class YamlImportFieldTests
{
    [Fact]
    public void All_keys_are_read_with_their_types()
    {
        var ns = Assert.Single(Parse("""
            namespaces:
              - name: orders
                description: "Order book: EU"
                backend: redis
                pattern: queue
                status: migrating
                consistency: strong
                cache_ttl_seconds: 300
                rate_limit_rps: 1000
                backend_config:
                  host: cache.local
                  port: 6379
                  big: 9000000000
                  huge: 123456789012345678901234567890
                  ratio: 0.75
                  tls: true
                  off: false
                  nothing: null
                  tilde: ~
                  empty:
                  quoted_number: "6379"
                  single: 'true'
                  yes_word: yes
                  octal_looking: 0123
                  hex: 0x1F
                  list: [1, two, 3.5, {a: b}]
                  nested:
                    Deep:
                      deeper: [x]
                tags: [team-a, "prod"]
                features:
                  fast-path: true
                  legacy: false
            """)).Config;

        Assert.Equal("Order book: EU", ns.Description);
        Assert.Equal("redis", ns.Backend);
        Assert.Equal("queue", ns.Pattern);
        Assert.Equal("migrating", ns.Status);
        Assert.Equal("strong", ns.Consistency);
        Assert.Equal(300, ns.CacheTtlSeconds);
        Assert.Equal(1000, ns.RateLimitRps);
        var c = ns.BackendConfig;
        Assert.Equal("cache.local", c["host"]);
        Assert.Equal(6379, Assert.IsType<int>(c["port"]));
        Assert.Equal(9000000000L, Assert.IsType<long>(c["big"]));
        Assert.IsType<double>(c["huge"]);
        Assert.Equal(0.75, Assert.IsType<double>(c["ratio"]));
        Assert.Equal(true, c["tls"]);
        Assert.Equal(false, c["off"]);
        Assert.True(c.ContainsKey("nothing") && c["nothing"] is null);
        Assert.True(c.ContainsKey("tilde") && c["tilde"] is null);
        Assert.True(c.ContainsKey("empty") && c["empty"] is null);
        Assert.Equal("6379", c["quoted_number"]);
        Assert.Equal("true", c["single"]);
        Assert.Equal("yes", c["yes_word"]);
        Assert.Equal("0123", c["octal_looking"]);
        Assert.Equal(31, c["hex"]);
        var list = Assert.IsType<object?[]>(c["list"]);
        Assert.Equal(1, list[0]);
        Assert.Equal("two", list[1]);
        Assert.Equal(3.5, list[2]);
        Assert.Equal("b", Assert.IsAssignableFrom<Hashtable>(list[3])["a"]);
        var nested = Assert.IsAssignableFrom<Hashtable>(c["NESTED"]); // case-insensitive like every model table
        var deep = Assert.IsAssignableFrom<Hashtable>(nested["deep"]);
        Assert.Equal(new object?[] { "x" }, deep["deeper"]);
        Assert.Equal(new[] { "team-a", "prod" }, ns.Tags);
        Assert.Equal(true, ns.Features["fast-path"]);
        Assert.Equal(false, ns.Features["legacy"]);
    }

    [Fact]
    public void Explicit_null_unsets_optional_fields_and_empty_collections_are_empty()
    {
        var ns = Assert.Single(Parse(Entry(extra: "    description: null\n    cache_ttl_seconds: ~\n    rate_limit_rps:\n    backend_config:\n    tags: []\n    features: {}\n"))).Config;
        Assert.Null(ns.Description);
        Assert.Null(ns.CacheTtlSeconds);
        Assert.Null(ns.RateLimitRps);
        Assert.Empty(ns.BackendConfig);
        Assert.Empty(ns.Tags);
        Assert.Empty(ns.Features);
    }

    [Fact]
    public void Defaults_apply_when_keys_are_absent()
    {
        var ns = Assert.Single(Parse(Entry())).Config;
        Assert.Equal(NamespaceStatus.Active, ns.Status);
        Assert.Equal(ConsistencyLevel.Eventual, ns.Consistency);
        Assert.NotNull(ns.BackendConfig);
        Assert.Empty(ns.BackendConfig);
    }

    [Fact]
    public void An_empty_namespaces_list_is_accepted()
    {
        Assert.Empty(Parse("namespaces: []\n"));
        Assert.Empty(Parse("namespaces:\n"));
    }

    [Fact]
    public void Entries_keep_file_order_and_their_lines()
    {
        var result = Parse("namespaces:\n  - name: zeta\n    backend: postgres\n    pattern: keyvalue\n  - name: alpha\n    backend: redis\n    pattern: queue\n");
        Assert.Equal(["zeta", "alpha"], result.Select(r => r.Config.Name));
        Assert.Equal([2L, 5L], result.Select(r => r.Line));
    }

    [Fact]
    public void Flow_style_entries_are_accepted()
    {
        var ns = Assert.Single(Parse("{namespaces: [{name: orders, backend: postgres, pattern: keyvalue, config: {port: 5432}}]}")).Config;
        Assert.Equal(5432, ns.BackendConfig["port"]);
    }

    [Fact]
    public void An_explicit_str_tag_keeps_a_string()
    {
        var ns = Assert.Single(Parse(Entry(extra: "    backend_config:\n      port: !!str 5432\n"))).Config;
        Assert.Equal("5432", ns.BackendConfig["port"]);
    }

    [Fact]
    public void Multi_line_and_unicode_strings_are_read()
    {
        var ns = Assert.Single(Parse(Entry(extra: "    description: |\n      line one\n      línea dos ✓\n    backend_config:\n      emoji: \"\\U0001F600 ok\"\n"))).Config;
        Assert.Equal("line one\nlínea dos ✓\n", ns.Description);
        Assert.Equal("\U0001F600 ok", ns.BackendConfig["emoji"]);
    }
}

public class YamlAliasKeyTests
{
    [Fact]
    public void Config_is_backend_config()
    {
        var ns = Assert.Single(Parse(Entry(extra: "    config:\n      host: db\n"))).Config;
        Assert.Equal("db", ns.BackendConfig["host"]);
    }

    [Fact]
    public void Abstraction_is_pattern()
    {
        var ns = Assert.Single(Parse("namespaces:\n  - name: orders\n    backend: kafka\n    abstraction: stream\n")).Config;
        Assert.Equal("stream", ns.Pattern);
    }

    [Fact]
    public void Connection_string_joins_the_backend_config()
    {
        var ns = Assert.Single(Parse(Entry(extra: "    connection_string: postgres://db/x\n    backend_config:\n      pool: 5\n"))).Config;
        Assert.Equal("postgres://db/x", ns.BackendConfig["connection_string"]);
        Assert.Equal(5, ns.BackendConfig["pool"]);
    }

    [Fact]
    public void Connection_string_in_both_places_with_the_same_value_is_accepted()
    {
        var ns = Assert.Single(Parse(Entry(extra: "    connection_string: postgres://db/x\n    config:\n      connection_string: postgres://db/x\n"))).Config;
        Assert.Equal("postgres://db/x", ns.BackendConfig["connection_string"]);
    }

    [Fact]
    public void Connection_string_in_both_places_with_different_values_is_an_error()
    {
        var ex = Fails(Entry(extra: "    backend_config:\n      Connection_String: postgres://db/a\n    connection_string: postgres://db/b\n"));
        Assert.Equal(7, ex.Line);
        Assert.Contains("connection_string", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("line 5", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("orders", ex.NamespaceName);
    }

    [Fact]
    public void Pattern_and_abstraction_together_are_an_error()
    {
        var ex = Fails(Entry(extra: "    abstraction: keyvalue\n"));
        Assert.Equal(5, ex.Line);
        Assert.Contains("'abstraction'", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("line 4", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_and_backend_config_together_are_an_error()
    {
        var ex = Fails(Entry(extra: "    config: {}\n    backend_config: {}\n"));
        Assert.Equal(6, ex.Line);
        Assert.Contains("'config'", ex.Problem, StringComparison.Ordinal);
    }
}

public class YamlStrictnessTests
{
    [Fact]
    public void An_unknown_entry_key_names_key_namespace_and_line()
    {
        var ex = Fails(Entry(extra: "    replicas: 3\n"));
        Assert.Equal(5, ex.Line);
        Assert.Equal(5, ex.Column);
        Assert.Equal("orders", ex.NamespaceName);
        Assert.Contains("'replicas'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("namespace 'orders'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(":5:5:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_before_the_name_still_names_the_namespace()
    {
        var ex = Fails("namespaces:\n  - name: first\n    backend: redis\n    pattern: queue\n  - Name: wrong-case\n    backend: redis\n    name: orders\n");
        Assert.Equal(5, ex.Line);
        Assert.Contains("'Name'", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("orders", ex.NamespaceName);
    }

    [Fact]
    public void An_unknown_top_level_key_is_an_error()
    {
        var ex = Fails("version: 2\nnamespaces: []\n");
        Assert.Equal(1, ex.Line);
        Assert.Contains("'version'", ex.Problem, StringComparison.Ordinal);
        Assert.Null(ex.NamespaceName);
    }

    [Fact]
    public void A_misspelt_key_inside_the_entry_is_an_error()
    {
        var ex = Fails(Entry(extra: "    rate_limit: 5\n"));
        Assert.Contains("'rate_limit'", ex.Problem, StringComparison.Ordinal);
        Assert.Equal(5, ex.Line);
    }

    [Fact]
    public void A_duplicate_entry_key_is_an_error_naming_both_lines()
    {
        var ex = Fails(Entry(extra: "    backend: redis\n"));
        Assert.Equal(5, ex.Line);
        Assert.Contains("duplicate key 'backend'", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("line 3", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_top_level_key_is_an_error()
    {
        var ex = Fails("namespaces: []\nnamespaces: []\n");
        Assert.Equal(2, ex.Line);
        Assert.Contains("duplicate", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_in_backend_config_is_an_error()
    {
        var ex = Fails(Entry(extra: "    backend_config:\n      nested:\n        a: 1\n        a: 2\n"));
        Assert.Equal(8, ex.Line);
        Assert.Contains("duplicate key 'a'", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("orders", ex.NamespaceName);
    }

    [Fact]
    public void Backend_config_keys_differing_only_in_case_are_an_error()
    {
        var ex = Fails(Entry(extra: "    backend_config:\n      Host: a\n      host: b\n"));
        Assert.Equal(7, ex.Line);
    }

    [Fact]
    public void A_duplicate_feature_is_an_error()
    {
        var ex = Fails(Entry(extra: "    features:\n      fast: true\n      fast: false\n"));
        Assert.Equal(7, ex.Line);
    }

    [Fact]
    public void A_namespace_name_twice_is_an_error_naming_both_lines()
    {
        var ex = Fails("namespaces:\n  - name: orders\n    backend: redis\n    pattern: queue\n  - name: other\n    backend: redis\n    pattern: queue\n  - name: orders\n    backend: redis\n    pattern: queue\n");
        Assert.Equal(8, ex.Line);
        Assert.Contains("line 2", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("line 8", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("orders", ex.NamespaceName);
    }

    [Fact]
    public void Complex_mapping_keys_are_an_error()
    {
        var ex = Fails(Entry(extra: "    backend_config:\n      ? [a, b]\n      : 1\n"));
        Assert.Equal(6, ex.Line);
    }

    [Fact]
    public void Unsupported_tags_are_an_error()
    {
        var ex = Fails(Entry(extra: "    backend_config:\n      port: !!int 5\n"));
        Assert.Contains("tag", ex.Problem, StringComparison.Ordinal);
        Assert.Equal(6, ex.Line);
    }

    [Fact]
    public void An_empty_file_is_an_error_naming_the_file()
    {
        var ex = Fails("");
        Assert.Contains("namespaces:", ex.Problem, StringComparison.Ordinal);
        Assert.Contains(FileName, ex.Message, StringComparison.Ordinal);
        Fails("# only a comment\n");
    }

    [Fact]
    public void A_file_without_a_namespaces_key_is_an_error()
    {
        Assert.Contains("namespaces", Fails("{}").Problem, StringComparison.Ordinal);
        Assert.Contains("namespaces", Fails("- name: orders\n").Problem, StringComparison.Ordinal);
        Assert.Contains("namespaces", Fails("just text\n").Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_one_document_is_an_error()
    {
        var ex = Fails("namespaces: []\n---\nnamespaces: []\n");
        Assert.Equal(2, ex.Line);
        Assert.Contains("more than one", ex.Problem, StringComparison.Ordinal);
    }
}

public class YamlWrongTypeTests
{
    [Theory]
    [InlineData("cache_ttl_seconds: abc", "cache_ttl_seconds")]
    [InlineData("cache_ttl_seconds: 1.5", "cache_ttl_seconds")]
    [InlineData("cache_ttl_seconds: [1]", "cache_ttl_seconds")]
    [InlineData("cache_ttl_seconds: \"60\"", "cache_ttl_seconds")]
    [InlineData("cache_ttl_seconds: true", "cache_ttl_seconds")]
    [InlineData("rate_limit_rps: 99999999999", "rate_limit_rps")]
    [InlineData("rate_limit_rps: {a: 1}", "rate_limit_rps")]
    [InlineData("description: [a, b]", "description")]
    [InlineData("description: {a: b}", "description")]
    [InlineData("status: [active]", "status")]
    [InlineData("status: null", "status")]
    [InlineData("consistency: ~", "consistency")]
    [InlineData("backend_config: [a, b]", "backend_config")]
    [InlineData("backend_config: text", "backend_config")]
    [InlineData("config: 5", "config")]
    [InlineData("tags: team-a", "tags")]
    [InlineData("tags: {a: b}", "tags")]
    [InlineData("tags: [[a]]", "tag")]
    [InlineData("tags: [a, null]", "tag")]
    [InlineData("features: [a]", "features")]
    [InlineData("features: {fast: yes}", "fast")]
    [InlineData("features: {fast: \"true\"}", "fast")]
    [InlineData("features: {fast: 1}", "fast")]
    [InlineData("features: {fast: {a: true}}", "fast")]
    public void A_value_of_the_wrong_type_names_the_field_and_line(string line, string field)
    {
        var ex = Fails(Entry(extra: $"    {line}\n"));
        Assert.Equal(5, ex.Line);
        Assert.Contains(field, ex.Problem, StringComparison.Ordinal);
        Assert.Equal("orders", ex.NamespaceName);
    }

    [Theory]
    [InlineData("name: [a]")]
    [InlineData("backend: {a: b}")]
    [InlineData("pattern: null")]
    public void Required_strings_must_be_present_scalars(string line)
    {
        var ex = Fails($"namespaces:\n  - {line}\n");
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void An_entry_that_is_not_a_mapping_is_an_error()
    {
        var ex = Fails("namespaces:\n  - orders\n");
        Assert.Equal(2, ex.Line);
        Assert.Contains("entry 1", ex.Problem, StringComparison.Ordinal);
        Assert.Equal(3, Fails("namespaces: {a: b}\n").Column - 10);
    }
}

public class YamlValidationTests
{
    [Fact]
    public void A_validation_failure_points_at_the_offending_key()
    {
        var ex = Fails(Entry(extra: "    status: paused\n"));
        Assert.Equal(5, ex.Line);
        Assert.Equal(5, ex.Column);
        Assert.Equal("orders", ex.NamespaceName);
        var inner = Assert.IsType<ValidationException>(ex.InnerException);
        Assert.Equal("status", inner.Field);
        Assert.Contains("status", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("paused", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_name_points_at_the_name()
    {
        var ex = Fails("namespaces:\n  - backend: postgres\n    name: Bad_Name\n    pattern: keyvalue\n");
        Assert.Equal(3, ex.Line);
        Assert.Equal("name", Assert.IsType<ValidationException>(ex.InnerException).Field);
    }

    [Fact]
    public void A_missing_name_points_at_the_entry()
    {
        var ex = Fails("namespaces:\n  - backend: postgres\n    pattern: keyvalue\n");
        Assert.Equal(2, ex.Line);
        Assert.Equal("name", Assert.IsType<ValidationException>(ex.InnerException).Field);
    }

    [Fact]
    public void A_bad_tag_points_at_the_tag()
    {
        var ex = Fails(Entry(extra: "    tags:\n      - ok\n      - Not_OK\n"));
        Assert.Equal(7, ex.Line);
        var repeat = Fails(Entry(extra: "    tags:\n      - a\n      - b\n      - a\n"));
        Assert.Equal(8, repeat.Line);
    }

    [Fact]
    public void A_bad_feature_name_points_at_the_feature()
    {
        var ex = Fails(Entry(extra: "    features:\n      ok: true\n      Bad Name: true\n"));
        Assert.Equal(7, ex.Line);
    }

    [Fact]
    public void Negative_numbers_fail_validation_at_their_key()
    {
        var ex = Fails(Entry(extra: "    description: x\n    rate_limit_rps: 0\n"));
        Assert.Equal(6, ex.Line);
        Assert.Equal("rate_limit_rps", Assert.IsType<ValidationException>(ex.InnerException).Field);
    }

    [Fact]
    public void A_backend_config_over_64_KiB_fails_validation()
    {
        var big = new string('x', 70 * 1024);
        var ex = Fails(Entry(extra: $"    backend_config:\n      blob: {big}\n"));
        Assert.Equal(5, ex.Line);
        Assert.Equal("backend_config", Assert.IsType<ValidationException>(ex.InnerException).Field);
    }

    [Fact]
    public void Non_finite_numbers_fail_validation()
    {
        var ex = Fails(Entry(extra: "    backend_config:\n      x: .inf\n"));
        Assert.Equal("backend_config", Assert.IsType<ValidationException>(ex.InnerException).Field);
    }
}

public class YamlSyntaxErrorTests
{
    [Fact]
    public void A_syntax_error_carries_line_and_column()
    {
        var ex = Fails("namespaces:\n  - name: orders\n    backend: \"unterminated\n    pattern: keyvalue\n");
        Assert.True(ex.Line >= 3, ex.Message);
        Assert.IsAssignableFrom<YamlDotNet.Core.YamlException>(ex.InnerException);
        Assert.Contains("syntax", ex.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_indent_carries_its_line()
    {
        var ex = Fails("namespaces:\n  - name: orders\n    backend: postgres\n    pattern: keyvalue: x\n");
        Assert.Equal(4, ex.Line);

    }

    [Fact]
    public void A_tab_indent_is_an_error()
    {
        var ex = Fails("namespaces:\n\t- name: orders\n");
        Assert.Contains("tab", ex.Problem, StringComparison.Ordinal);
    }
}
