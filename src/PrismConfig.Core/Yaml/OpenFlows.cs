using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PrismConfig.Core.Yaml;

/// <summary>
/// The flow collections ('[' and '{') open at the parser's position. YamlDotNet reports an unclosed one where it
/// gave up, often the line after the end of the file, in words about its own grammar; the bracket the user must
/// close is what this remembers.
/// </summary>
internal sealed class OpenFlows
{
    private readonly Stack<(int Depth, ParsingEvent Start)> open = new();
    private int depth;
    private long lastLine;

    /// <summary>Follows one event of the stream.</summary>
    public void Track(ParsingEvent ev)
    {
        lastLine = ev.End.Line;
        switch (ev)
        {
            case SequenceStart { Style: SequenceStyle.Flow } or MappingStart { Style: MappingStyle.Flow }:
                open.Push((++depth, ev));
                break;
            case SequenceStart or MappingStart:
                depth++;
                break;
            case SequenceEnd or MappingEnd:
                if (open.Count > 0 && open.Peek().Depth == depth) open.Pop();
                depth--;
                break;
        }
    }

    /// <summary>
    /// The error for a parser failure that an unclosed flow collection explains, at its opening bracket; null for any
    /// other failure (a bad escape or a missing comma inside a list is not a missing ']').
    /// </summary>
    /// <remarks>
    /// The scanner throws InvalidOperationException, not a YamlException, when lines follow an unclosed '['; the
    /// parser's own complaints name the flow collection it was reading.
    /// </remarks>
    public YamlImportException? Unclosed(string file, Exception cause)
    {
        if (open.Count == 0) return null;
        // A complaint inside the text read so far ('[a, "b" c]') is about that text, not a missing bracket: only one
        // past the last line read means the parser ran out of input looking for the close.
        if (cause is not InvalidOperationException
            && !(cause is YamlException yaml && yaml.Start.Line > lastLine
                && (cause.Message.Contains("flow sequence", StringComparison.Ordinal) || cause.Message.Contains("flow mapping", StringComparison.Ordinal))))
        {
            return null;
        }
        var start = open.Peek().Start;
        var problem = start is SequenceStart
            ? "YAML syntax error: this '[' is never closed with ']'. Close the list where it ends ([a, b]), or write it one '- item' per line"
            : "YAML syntax error: this '{' is never closed with '}'. Close the mapping where it ends ({ key: value }), or write it one 'key: value' per line";
        return new YamlImportException(file, Math.Max(1, start.Start.Line), Math.Max(1, start.Start.Column), problem, null, cause);
    }
}
