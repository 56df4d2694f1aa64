namespace PrismConfig.Core.Yaml;

/// <summary>One namespace read from a YAML file, with where it came from.</summary>
public sealed class YamlNamespace
{
    public YamlNamespace(NamespaceConfig config, string file, long line, long column)
    {
        Config = config;
        File = file;
        Line = line;
        Column = column;
    }

    public NamespaceConfig Config { get; }
    public string File { get; }
    public long Line { get; }
    public long Column { get; }
}

/// <summary>The YAML import/export format: a top-level namespaces: list in snake_case.</summary>
public static class NamespaceYaml
{
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>Reads and strictly validates a file. Every problem is a YamlImportException naming file, line and column.</summary>
    public static IReadOnlyList<YamlNamespace> ReadFile(string path) => throw new NotImplementedException();

    /// <summary>Parses YAML bytes; <paramref name="fileName"/> is used in messages.</summary>
    public static IReadOnlyList<YamlNamespace> Parse(ReadOnlySpan<byte> content, string fileName) => throw new NotImplementedException();

    /// <summary>Writes the import format, sorted by name with keys in a fixed order.</summary>
    public static string Export(IEnumerable<NamespaceConfig> namespaces) => throw new NotImplementedException();
}
