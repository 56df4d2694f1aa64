using System.Collections;
using System.Text;

namespace PrismConfig.Core.Tests;

public sealed class ValidationTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ConfigStore _store;

    public ValidationTests() => _store = T.OpenNew(_dir.Db);

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private void Valid(Action<NamespaceConfig> change, string name = "valid-ns")
    {
        var ns = T.Ns(name);
        change(ns);
        Assert.Equal(1, _store.Create(ns).Version);
    }

    private void Invalid(Action<NamespaceConfig> change, string field, string name = "invalid-ns")
    {
        var ns = T.Ns(name);
        change(ns);
        var before = _store.CountNamespaces();
        var ex = Assert.Throws<ValidationException>(() => _store.Create(ns));
        Assert.Equal(field, ex.Field);
        Assert.Contains(field.Split('.')[0], ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, _store.CountNamespaces());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a-b")]
    [InlineData("0a9")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")] // 63
    public void Valid_names(string name) => Valid(_ => { }, name);

    [Theory]
    [InlineData("ab")] // 2
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")] // 64
    [InlineData("-ab")]
    [InlineData("ab-")]
    [InlineData("aBc")]
    [InlineData("a_c")]
    [InlineData("abc\n")]
    [InlineData("")]
    public void Invalid_names(string name) => Invalid(_ => { }, "name", name);

    [Fact]
    public void Description_up_to_500()
    {
        Valid(n => n.Description = new string('d', 500));
        Invalid(n => n.Description = new string('d', 501), "description");
    }

    [Fact]
    public void Tags_up_to_10_each_1_to_50_lowercase_no_duplicates()
    {
        Valid(n => n.Tags = Enumerable.Range(0, 10).Select(i => "t" + i).ToArray(), "ten-tags");
        Valid(n => n.Tags = [new string('t', 50), "a", "0-9"], "long-tag");
        Invalid(n => n.Tags = Enumerable.Range(0, 11).Select(i => "t" + i).ToArray(), "tags");
        Invalid(n => n.Tags = [new string('t', 51)], "tags");
        Invalid(n => n.Tags = [""], "tags");
        Invalid(n => n.Tags = ["Prod"], "tags");
        Invalid(n => n.Tags = ["a_b"], "tags");
        Invalid(n => n.Tags = ["dup", "dup"], "tags");
    }

    [Fact]
    public void Backend_and_pattern_are_lowercase_kinds_up_to_63()
    {
        Valid(n => { n.Backend = "a"; n.Pattern = "multicast-registry"; }, "kind-short");
        Valid(n => n.Backend = "a" + new string('b', 62), "kind-long");
        Invalid(n => n.Backend = "a" + new string('b', 63), "backend");
        Invalid(n => n.Backend = "", "backend");
        Invalid(n => n.Backend = "1redis", "backend");
        Invalid(n => n.Pattern = "Key", "pattern");
        Invalid(n => n.Pattern = "key_value", "pattern");
    }

    [Fact]
    public void Status_consistency_ttl_and_rate_limit()
    {
        Valid(n => { n.Status = "migrating"; n.Consistency = "strong"; n.CacheTtlSeconds = 0; n.RateLimitRps = 1; }, "edge-values");
        Invalid(n => n.Status = "paused", "status");
        Invalid(n => n.Status = "Active", "status");
        Invalid(n => n.Consistency = "linearizable", "consistency");
        Invalid(n => n.CacheTtlSeconds = -1, "cache_ttl_seconds");
        Invalid(n => n.RateLimitRps = 0, "rate_limit_rps");
    }

    [Fact]
    public void Default_consistency_is_eventual_and_status_active()
    {
        var ns = _store.Create(T.Ns("defaults-ns"));
        Assert.Equal("eventual", ns.Consistency);
        Assert.Equal("active", ns.Status);
    }

    [Fact]
    public void Backend_config_is_an_object_up_to_64_kib()
    {
        // {"k":"..."} is 8 bytes of overhead.
        Valid(n => n.BackendConfig = new Hashtable { ["k"] = new string('x', 64 * 1024 - 8) }, "config-max");
        Invalid(n => n.BackendConfig = new Hashtable { ["k"] = new string('x', 64 * 1024 - 7) }, "backend_config");
        Invalid(n => n.BackendConfig = null!, "backend_config");
        Invalid(n => n.BackendConfig = new Hashtable { ["k"] = double.NaN }, "backend_config");
        var caseDup = new Hashtable(StringComparer.Ordinal) { ["Key"] = 1, ["key"] = 2 };
        Invalid(n => n.BackendConfig = caseDup, "backend_config");
        Assert.Equal(64 * 1024, Encoding.UTF8.GetByteCount(Validation.ConfigJson.Serialize(new Hashtable { ["k"] = new string('x', 64 * 1024 - 8) })));
    }

    [Fact]
    public void Feature_names_and_values()
    {
        Valid(n => { n.Features["a"] = true; n.Features["0.b_c-d"] = false; n.Features["f" + new string('x', 62)] = true; }, "feature-ok");
        Invalid(n => n.Features["f" + new string('x', 63)] = true, "features");
        Invalid(n => n.Features["_lead"] = true, "features");
        Invalid(n => n.Features["Upper"] = true, "features");
        Invalid(n => n.Features["bad flag"] = true, "features");
        Invalid(n => n.Features["ok"] = 1, "features.ok");
    }

    [Fact]
    public void Reason_up_to_1000()
    {
        _store.Create(T.Ns("reason-ns"), new WriteContext { Reason = new string('r', 1000) });
        var ex = Assert.Throws<ValidationException>(() => _store.Update("reason-ns", new NamespacePatch { Description = "x" }, new WriteContext { Reason = new string('r', 1001) }));
        Assert.Equal("reason", ex.Field);
        Assert.Equal(1, _store.Get("reason-ns").Version);
    }

    [Fact]
    public void Violation_names_field_value_and_rule()
    {
        var ns = T.Ns("msg-ns");
        ns.RateLimitRps = 0;
        var ex = Assert.Throws<ValidationException>(() => _store.Create(ns));
        Assert.Equal("msg-ns", ex.NamespaceName);
        Assert.Equal(0, ex.Value);
        Assert.Contains("'rate_limit_rps'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'0'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1 or more", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backend_config_with_100000_keys_is_refused_by_size_naming_the_field()
    {
        // Checked in linear time: a key-by-key case comparison made this take minutes.
        var ns = T.Ns("many-keys");
        for (var i = 0; i < 100_000; i++) ns.BackendConfig["key_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = i;
        var ex = Assert.Throws<ValidationException>(() => PrismConfig.Core.Validation.NamespaceValidator.Validate(ns));
        Assert.Equal("backend_config", ex.Field);
        Assert.Contains("KiB", ex.Message, StringComparison.Ordinal);

        var plain = new System.Collections.Hashtable { ["Host"] = "a", ["host"] = "b" };
        ns.BackendConfig = plain;
        Assert.Throws<ValidationException>(() => PrismConfig.Core.Validation.NamespaceValidator.Validate(ns)); // two keys differing only in case
    }

    [Fact]
    public void Serialising_a_table_whose_key_is_itself_a_table_gives_the_same_text_as_before()
    {
        // The key's ToString serialises on the same thread while the outer serialisation is in progress.
        var inner = new ConfigTable { ["x"] = 1 };
        var text = PrismConfig.Core.Validation.ConfigJson.Serialize(new System.Collections.Hashtable { ["a"] = new System.Collections.Hashtable { [inner] = "v" }, ["b"] = 2 });
        Assert.Equal("{\"a\":{\"{\\\"x\\\":1}\":\"v\"},\"b\":2}", text);
    }
}
