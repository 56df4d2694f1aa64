using System.Diagnostics;
using System.Text;
using PrismConfig.Core.Yaml;
using static PrismConfig.Core.Tests.YamlTestSupport;

namespace PrismConfig.Core.Tests;

public sealed class YamlHostileInputTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("prism-yaml-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadFile_reads_a_file_and_names_it_by_the_path_given()
    {
        var path = WriteFile("ok.yaml", Encoding.UTF8.GetBytes(Entry()));
        var item = Assert.Single(NamespaceYaml.ReadFile(path));
        Assert.Equal(path, item.File);
        Assert.Equal("orders", item.Config.Name);

        var bad = WriteFile("bad.yaml", Encoding.UTF8.GetBytes(Entry(extra: "    bogus: 1\n")));
        var ex = Assert.Throws<YamlImportException>(() => NamespaceYaml.ReadFile(bad));
        Assert.Equal(bad, ex.File);
        Assert.StartsWith($"{bad}:5:5: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_an_import_error()
    {
        var path = Path.Combine(dir, "missing.yaml");
        var ex = Assert.Throws<YamlImportException>(() => NamespaceYaml.ReadFile(path));
        Assert.Equal(path, ex.File);
    }

    [Fact]
    public void A_file_over_the_cap_is_refused_before_it_is_read()
    {
        var path = Path.Combine(dir, "big.yaml");
        using (var f = File.Create(path))
        {
            f.SetLength(NamespaceYaml.MaxFileBytes + 1); // sparse on most file systems: cheap
        }
        var sw = Stopwatch.StartNew();
        var ex = Assert.Throws<YamlImportException>(() => NamespaceYaml.ReadFile(path));
        Assert.Contains("limit", ex.Problem, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void The_cap_applies_to_bytes_and_to_files_through_the_internal_overloads()
    {
        var bytes = Encoding.UTF8.GetBytes(Entry());
        var path = WriteFile("small.yaml", bytes);
        Assert.Single(NamespaceYaml.ReadFile(path, bytes.Length));
        Assert.Throws<YamlImportException>(() => NamespaceYaml.ReadFile(path, bytes.Length - 1));
        Assert.Throws<YamlImportException>(() => NamespaceYaml.Parse(bytes, "x.yaml", bytes.Length - 1));
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_the_position_of_the_bad_byte()
    {
        var bytes = Encoding.UTF8.GetBytes(Entry(extra: "    description: caf")).Concat(new byte[] { 0xE9, 0x0A }).ToArray();
        var path = WriteFile("latin1.yaml", bytes);
        var ex = Assert.Throws<YamlImportException>(() => NamespaceYaml.ReadFile(path));
        Assert.Contains("UTF-8", ex.Problem, StringComparison.Ordinal);
        Assert.Equal(5, ex.Line);
        Assert.Equal(21, ex.Column);
    }

    [Fact]
    public void Overlong_and_surrogate_encodings_are_invalid_utf8()
    {
        Assert.Throws<YamlImportException>(() => NamespaceYaml.Parse(new byte[] { 0xC0, 0xAF }, "x"));
        Assert.Throws<YamlImportException>(() => NamespaceYaml.Parse(new byte[] { 0xED, 0xA0, 0x80 }, "x"));
    }

    [Fact]
    public void A_utf8_bom_is_accepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Entry())).ToArray();
        var item = Assert.Single(NamespaceYaml.Parse(bytes, "bom.yaml"));
        Assert.Equal("orders", item.Config.Name);
        Assert.Equal(2, item.Line);
    }

    [Fact]
    public void A_billion_laughs_bomb_is_refused_quickly()
    {
        var sb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 9; i++)
        {
            var prev = (char)('a' + i - 1);
            var cur = (char)('a' + i);
            sb.Append(cur).Append(": &").Append(cur).Append(" [");
            sb.Append(string.Join(",", Enumerable.Repeat("*" + prev, 9)));
            sb.Append("]\n");
        }
        var bomb = "namespaces:\n  - name: orders\n    backend: postgres\n    pattern: keyvalue\n    backend_config:\n"
            + string.Join("", sb.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "      " + l + "\n"));

        var sw = Stopwatch.StartNew();
        var ex = Fails(bomb);
        sw.Stop();
        Assert.Contains("alias", ex.Problem, StringComparison.Ordinal);
        Assert.Equal(7, ex.Line);
        // A guard against expansion, not a speed test: an expanded bomb would run for minutes.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Any_alias_is_refused_even_a_harmless_one()
    {
        var ex = Fails(Entry(extra: "    backend_config:\n      a: &x 1\n      b: *x\n"));
        Assert.Equal(7, ex.Line);
        Assert.Contains("'*x'", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10_000, true)]
    [InlineData(10_000, false)]
    [InlineData(100_000, true)]
    public void Deep_nesting_is_refused_without_crashing(int depth, bool flow)
    {
        string yaml;
        if (flow)
        {
            yaml = Entry(extra: "    backend_config: {x: " + new string('[', depth) + new string(']', depth) + "}\n");
        }
        else
        {
            var sb = new StringBuilder(Entry(extra: "    backend_config:\n"));
            for (var i = 0; i < depth; i++)
            {
                sb.Append(' ', 6 + i).Append("k:\n");
            }
            yaml = sb.ToString();
        }
        var ex = Fails(yaml);
        Assert.Contains("nested", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("orders", ex.NamespaceName);
    }

    [Fact]
    public void Nesting_up_to_the_cap_is_accepted()
    {
        // Top-level mapping, namespaces list, entry and backend_config use 4 levels.
        var inner = NamespaceYaml.MaxNestingDepth - 4;
        var yaml = Entry(extra: "    backend_config: " + new string('[', inner) + new string(']', inner) + "\n");
        Assert.Throws<YamlImportException>(() => Parse(yaml)); // a list is not a mapping
        yaml = Entry(extra: "    backend_config: {x: " + new string('[', inner) + new string(']', inner) + "}\n");
        Assert.Single(Parse(yaml));
        yaml = Entry(extra: "    backend_config: {x: " + new string('[', inner + 1) + new string(']', inner + 1) + "}\n");
        Assert.Contains("nested", Fails(yaml).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    tags: [a, b\n", 5, 11, "'[' is never closed with ']'")]
    [InlineData("    tags: [a, b\n  - name: cache\n    backend: redis\n    pattern: keyvalue\n", 5, 11, "'[' is never closed with ']'")]
    [InlineData("    backend_config: {a: 1\n", 5, 21, "'{' is never closed with '}'")]
    [InlineData("    backend_config: {a: [1, 2], b: 3\n", 5, 21, "'{' is never closed with '}'")]
    public void An_unclosed_flow_collection_is_named_where_it_opens_with_what_to_do(string extra, int line, int column, string problem)
    {
        var ex = Fails(Entry(extra: extra));
        Assert.Equal((line, column), ((int)ex.Line, (int)ex.Column));
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.Contains("one '", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("orders", ex.NamespaceName);

        // A registry file says the same.
        var registry = Assert.Throws<YamlImportException>(() => Registry.RegistryYaml.Parse(Encoding.UTF8.GetBytes("backend: redis\nimplements: [keyvalue_basic\n"), FileName));
        Assert.StartsWith($"{FileName}:2:13: YAML syntax error: this '[' is never closed with ']'", registry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    tags: [a, \"b\" c]\n")]
    [InlineData("    backend_config: {a: 1 b: 2}\n")]
    public void A_closed_flow_collection_with_a_fault_inside_is_not_called_unclosed(string extra)
    {
        var ex = Fails(Entry(extra: extra));
        Assert.DoesNotContain("never closed", ex.Problem, StringComparison.Ordinal);
        Assert.Equal(5, (int)ex.Line);
    }

    [Fact]
    public void A_huge_scalar_is_read_and_then_refused_by_validation()
    {
        var big = new string('a', 5 * 1024 * 1024);
        var ex = Fails(Entry(extra: $"    backend_config:\n      blob: \"{big}\"\n"));
        Assert.Equal("backend_config", Assert.IsType<ValidationException>(ex.InnerException).Field);
    }
}
