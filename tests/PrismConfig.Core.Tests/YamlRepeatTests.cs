using System.Text;
using PrismConfig.Core.Yaml;

namespace PrismConfig.Core.Tests;

/// <summary>A name defined twice: a file stream passes it on, the store refuses it, and the error is placed in the files.</summary>
public sealed class YamlRepeatTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, params string[] namespaces)
    {
        var text = new StringBuilder("namespaces:\n");
        foreach (var ns in namespaces) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - name: {ns}\n    backend: redis\n    pattern: keyvalue\n");
        var path = _dir.File(name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private YamlImportException ImportFails(params string[] paths)
    {
        using var store = T.OpenNew(_dir.Db);
        var ex = Assert.Throws<ValidationException>(() => store.Import(paths.SelectMany(p => NamespaceYaml.StreamFile(p)).Select(e => e.Config).ToList()));
        Assert.Equal(0, store.CountNamespaces());
        return Assert.IsType<YamlImportException>(NamespaceYaml.InFiles(ex, paths));
    }

    [Fact]
    public void A_stream_passes_a_repeated_name_on_and_a_read_file_refuses_it()
    {
        var path = Write("one.yaml", "orders", "other", "orders");
        Assert.Equal(["orders", "other", "orders"], NamespaceYaml.StreamFile(path).Select(e => e.Config.Name));
        var ex = Assert.Throws<YamlImportException>(() => NamespaceYaml.ReadFile(path));
        Assert.Equal(8, ex.Line);
        Assert.Contains("at line 2 and at line 8", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_twice_in_one_file_is_placed_at_both_lines()
    {
        var path = Write("one.yaml", "orders", "other", "orders");
        var ex = ImportFails(path);
        Assert.Equal(path, ex.File);
        Assert.Equal(8, ex.Line);
        Assert.Equal("orders", ex.NamespaceName);
        Assert.Contains("at line 2 and at line 8", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_in_two_files_is_placed_in_both()
    {
        var a = Write("a.yaml", "orders", "other");
        var b = Write("b.yaml", "third", "orders");
        var ex = ImportFails(a, b);
        Assert.Equal(b, ex.File);
        Assert.Equal(5, ex.Line);
        Assert.Contains($"also in {a}:2:5", ex.Problem, StringComparison.Ordinal);
        Assert.Equal("YamlInvalid", ex.ErrorId);
    }

    [Fact]
    public void An_error_about_a_namespace_defined_twice_becomes_the_repeat()
    {
        // The second definition can be checked, and refused, before the store sees that it is a repeat.
        var path = Write("one.yaml", "orders", "orders");
        var refused = new ValidationException("orders", "rate_limit_rps", 0, "must be positive.");
        var placed = Assert.IsType<YamlImportException>(NamespaceYaml.InFiles(refused, [path]));
        Assert.Contains("at line 2 and at line 5", placed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_other_error_is_left_as_it_is()
    {
        var path = Write("one.yaml", "orders", "other");
        var once = new ValidationException("orders", "rate_limit_rps", 0, "must be positive.");
        Assert.Same(once, NamespaceYaml.InFiles(once, [path]));
        var notInFiles = new ValidationException("elsewhere", "name", "elsewhere", "each namespace may appear only once in an import, and this name appears more than once.");
        Assert.Same(notInFiles, NamespaceYaml.InFiles(notInFiles, [path]));
        var noNamespace = new PrismConfigException(PrismErrorKind.Busy, "StoreBusy", "busy", path);
        Assert.Same(noNamespace, NamespaceYaml.InFiles(noNamespace, [path]));
    }
}
