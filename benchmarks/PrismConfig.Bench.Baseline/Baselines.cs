using System.Management.Automation;
using YamlDotNet.Core;

namespace PrismConfig.Bench.Baseline;

/// <summary>What the floor cmdlet returns: one constant object, built once.</summary>
public sealed class ConstantResult
{
    public string Name { get; } = "constant";
    public int Version { get; } = 1;
}

/// <summary>
/// The cmdlet floor for figure 2: a binary cmdlet with the same parameters as Get-PrismNamespace's lookup
/// (-Name, -Database) that does nothing but write a constant object. Whatever Get-PrismNamespace costs above
/// this is PrismConfig's own work, not PowerShell's binding and pipeline.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BenchConstant")]
[OutputType(typeof(ConstantResult))]
public sealed class GetBenchConstantCommand : PSCmdlet
{
    private static readonly ConstantResult Constant = new();

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    protected override void ProcessRecord() => WriteObject(Constant);
}

/// <summary>The parse-only baseline for figure 3: read the file as text and walk every YamlDotNet parser event.</summary>
public static class YamlParse
{
    public static int CountEvents(string path)
    {
        var parser = new Parser(new StringReader(File.ReadAllText(path)));
        var n = 0;
        while (parser.MoveNext()) n++;
        return n;
    }
}
