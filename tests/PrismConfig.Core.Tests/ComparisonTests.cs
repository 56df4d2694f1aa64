using System.Collections;
using System.Reflection;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Store;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Tests;

/// <summary>
/// The field-by-field comparisons a write makes (no-op detection, changed columns, table equality, canonical form)
/// must say exactly what comparing the stored JSON text says: each is checked against the text it stands in for.
/// </summary>
public class ComparisonTests
{
    /// <summary>The NamespaceConfig properties that are not content: a new property must be added to one list or the other.</summary>
    private static readonly string[] Metadata = ["Version", "CreatedAt", "UpdatedAt", "CreatedBy", "UpdatedBy"];

    private static readonly (string Property, Action<NamespaceConfig> Change)[] ContentChanges =
    [
        ("Name", n => n.Name = "other-ns"),
        ("Description", n => n.Description = "changed"),
        ("Backend", n => n.Backend = "kafka"),
        ("Pattern", n => n.Pattern = "consumer"),
        ("Status", n => n.Status = NamespaceStatus.Disabled),
        ("Consistency", n => n.Consistency = ConsistencyLevel.Eventual),
        ("CacheTtlSeconds", n => n.CacheTtlSeconds = 61),
        ("RateLimitRps", n => n.RateLimitRps = null),
        ("BackendConfig", n => ((Hashtable)n.BackendConfig["pool"]!)["max"] = 11L),
        ("Tags", n => n.Tags = ["production"]),
        ("Features", n => n.Features["compression"] = true),
        ("PatternVersion", n => n.PatternVersion = "0.2.0"),
        ("Behavior", n => n.Behavior["retries"] = 3),
        ("Slots", n => n.Slots["primary"] = new NamespaceSlot { Backend = "redis", Interfaces = ["keyvalue_basic"] }),
    ];

    [Fact]
    public void Every_property_is_either_content_or_metadata()
    {
        var properties = typeof(NamespaceConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name);
        Assert.Equal(properties.Order(StringComparer.Ordinal), Metadata.Concat(ContentChanges.Select(c => c.Property)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SameContent_agrees_with_the_content_text_for_every_field()
    {
        var stored = Stored();
        Assert.True(Snapshot.SameContent(stored, stored.Clone()));
        foreach (var (property, change) in ContentChanges)
        {
            var changed = stored.Clone();
            change(changed);
            Assert.True(Snapshot.ContentKey(stored) != Snapshot.ContentKey(changed), property);
            Assert.False(Snapshot.SameContent(stored, changed), property);
        }
        foreach (var property in Metadata)
        {
            var changed = stored.Clone();
            typeof(NamespaceConfig).GetProperty(property)!.SetValue(changed, property switch
            {
                "Version" => 99,
                "CreatedAt" or "UpdatedAt" => DateTimeOffset.UnixEpoch,
                _ => "someone-else",
            });
            Assert.True(Snapshot.SameContent(stored, changed), property);
        }
    }

    [Fact]
    public void SameContent_treats_empty_and_missing_behaviour_alike_and_a_false_feature_as_false()
    {
        var a = Stored();
        var b = a.Clone();
        b.Behavior = NamespaceConfig.NewTable();
        a.Behavior = new ConfigTable();
        b.Features["compression"] = "not true";
        Assert.Equal(Snapshot.ContentKey(a) == Snapshot.ContentKey(b), Snapshot.SameContent(a, b));
        Assert.True(Snapshot.SameContent(a, b));
        b.Features.Remove("compression");
        b.Features["Compression"] = false;
        Assert.Equal(Snapshot.ContentKey(a) == Snapshot.ContentKey(b), Snapshot.SameContent(a, b));
    }

    public static TheoryData<object?, object?> Pairs() => new()
    {
        { "a", "a" }, { "a", "A" }, { 1, 1L }, { 1, 1.0 }, { 1L, 2L }, { true, "true" }, { null, null }, { null, "" },
        { new object[] { 1, "x" }, new object[] { 1L, "x" } }, { new object[] { 1 }, new object[] { 1, 2 } },
        { Table(("k", 1)), Table(("k", 1L)) }, { Table(("k", 1)), Table(("K", 1)) }, { Table(("k", 1)), Table(("k", 1), ("j", 2)) },
        { Table(("k", Table(("n", "v")))), Table(("k", Table(("n", "v")))) }, { Table(("k", Table(("n", "v")))), Table(("k", Table(("n", "w")))) },
        { Table(("k", null)), Table(("j", null)) }, { Table(), new Hashtable() },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void DeepEquals_agrees_with_the_text(object? a, object? b)
    {
        Assert.Equal(ConfigJson.Serialize(a) == ConfigJson.Serialize(b), ConfigJson.DeepEquals(a, b));
        Assert.Equal(ConfigJson.Serialize(a) == ConfigJson.Serialize(b), ConfigJson.DeepEquals(b, a));
    }

    [Fact]
    public void DeepEquals_of_tables_too_large_to_scan_agrees_with_the_text()
    {
        var a = Table([.. Enumerable.Range(0, 40).Select(i => ("key" + i, (object?)i))]);
        var b = (Hashtable)NamespaceConfig.DeepCopy(a)!;
        Assert.True(ConfigJson.DeepEquals(a, b));
        b["key7"] = 8;
        Assert.False(ConfigJson.DeepEquals(a, b));
    }

    [Fact]
    public void Changed_columns_are_exactly_the_columns_whose_stored_text_differs()
    {
        var stored = Stored();
        foreach (var (property, change) in ContentChanges)
        {
            var changed = stored.Clone();
            change(changed);
            var (mask, values) = ChangedColumns.Compute(stored, changed);
            var before = StoredColumns(stored);
            var after = StoredColumns(changed);
            for (var i = 0; i < ChangedColumns.Names.Length; i++)
            {
                var differs = !Equals(before[i], after[i]);
                Assert.True(differs == ((mask & (1 << i)) != 0), $"{property}: column {ChangedColumns.Names[i]}");
                if (differs) Assert.Equal(after[i], values[i]);
            }
        }
    }

    [Fact]
    public void A_stored_table_is_copied_as_its_own_canonical_form()
    {
        var stored = Stored();
        var copy = NamespaceNormalizer.CanonicalTable("full-ns", "backend_config", stored.BackendConfig);
        Assert.NotSame(stored.BackendConfig, copy);
        Assert.NotSame(stored.BackendConfig["pool"], copy["pool"]);
        Assert.Equal(ConfigJson.Serialize(stored.BackendConfig), ConfigJson.Serialize(copy));
        Assert.True(NamespaceNormalizer.IsCanonicalTable(stored.BackendConfig));
    }

    [Theory]
    [InlineData("int-sized long")]
    [InlineData("double")]
    [InlineData("plain hashtable")]
    [InlineData("list")]
    [InlineData("surrogate")]
    public void A_table_that_parsing_would_change_is_not_taken_as_canonical(string what)
    {
        var table = NamespaceConfig.NewTable();
        switch (what)
        {
            case "int-sized long": table["n"] = 5L; break;
            case "double": table["n"] = 2.0; break;
            case "plain hashtable": table["n"] = new Hashtable { ["x"] = 1 }; break;
            case "list": table["n"] = new List<object> { 1 }; break;
            default: table["n"] = "\uD800"; break;
        }
        Assert.False(NamespaceNormalizer.IsCanonicalTable(table));
        var parsed = ConfigJson.ParseObject(ConfigJson.Serialize(ConfigJson.Normalize(table)));
        if (what != "surrogate")
        {
            Assert.Equal(ConfigJson.Serialize(parsed), ConfigJson.Serialize(NamespaceNormalizer.CanonicalTable("ns", "backend_config", table)));
        }
        var canonical = NamespaceNormalizer.CanonicalTable("ns", "backend_config", ConfigJson.ParseObject("""{"n":5,"m":"text","l":[1,{"x":true}],"big":5000000000}"""));
        Assert.IsType<int>(canonical["n"]);
        Assert.IsType<long>(canonical["big"]);
    }

    /// <summary>A namespace as the store reads it back: parsed from its stored JSON.</summary>
    private static NamespaceConfig Stored()
    {
        var ns = T.Full("full-ns");
        ns.BackendConfig["pool"] = new Hashtable { ["max"] = 10, ["idle"] = 2 };
        return NamespaceNormalizer.Canonicalize(Snapshot.Parse(Snapshot.Serialize(NamespaceNormalizer.Canonicalize(ns))));
    }

    /// <summary>Each updatable column as the stored text (or value) the engine would write, computed the plain way.</summary>
    private static object?[] StoredColumns(NamespaceConfig ns) =>
    [
        ns.Description, ns.Backend, ns.Pattern, ns.Status, ns.Consistency, ns.CacheTtlSeconds, ns.RateLimitRps,
        ConfigJson.Serialize(ns.BackendConfig), ConfigJson.Serialize(ns.Tags), ns.PatternVersion,
        ChangedColumns.BehaviorJson(ns), ChangedColumns.SlotsJson(ns),
    ];

    private static Hashtable Table(params (string Key, object? Value)[] entries)
    {
        var table = NamespaceConfig.NewTable();
        foreach (var (key, value) in entries) table[key] = value;
        return table;
    }
}
