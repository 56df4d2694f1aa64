using System.Management.Automation;
using PrismConfig.Core;
using PrismConfig.PowerShell.Completers;

namespace PrismConfig.PowerShell.Commands;

/// <summary>Gets the audit history of namespaces, oldest first.</summary>
[Cmdlet(VerbsCommon.Get, "PrismNamespaceHistory")]
[OutputType(typeof(HistoryEntry))]
public sealed class GetPrismNamespaceHistoryCommand : NamespaceCmdlet
{
    /// <summary>Names or wildcard patterns; every namespace when omitted. Only Name binds from a piped object.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NamespaceNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(OperationCompleter))]
    public string[]? Operation { get; set; }

    [Parameter]
    public DateTime Since { get; set; }

    [Parameter]
    public DateTime Until { get; set; }

    [Parameter]
    public string? ChangedBy { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(VersionCompleter))]
    public int Version { get; set; }

    /// <summary>Only the N most recent matching entries, still oldest first.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    /// <summary>Also the history of removed namespaces, under the names they had.</summary>
    [Parameter]
    public SwitchParameter IncludeRemoved { get; set; }

    private protected override void ProcessItem()
    {
        var store = OpenStore(create: false);
        var bound = MyInvocation.BoundParameters;
        var query = new HistoryQuery
        {
            IncludeRemoved = IncludeRemoved,
            Operations = Operation is null ? null : Array.ConvertAll(Operation, o => (o ?? "").ToLowerInvariant()),
            Since = bound.ContainsKey(nameof(Since)) ? ToOffset(Since) : null,
            Until = bound.ContainsKey(nameof(Until)) ? ToOffset(Until) : null,
            ChangedBy = InputConversion.NullIfEmpty(ChangedBy),
            Version = BoundInt(nameof(Version), Version),
            Last = BoundInt(nameof(Last), Last),
        };

        if (Name is not null)
        {
            var names = new List<string>(Name.Length);
            foreach (var name in Name)
            {
                if (string.IsNullOrEmpty(name)) continue;
                // A literal name that was never created is a mistake worth reporting; a filter that leaves nothing is not.
                if (!IncludeRemoved && !WildcardPattern.ContainsWildcardCharacters(name) && store.TryGet(name) is null)
                {
                    WriteNotFound(name);
                    continue;
                }
                names.Add(name);
            }
            if (names.Count == 0) return;
            query.Names = names;
        }

        foreach (var entry in store.GetHistory(query)) WriteObject(entry);
    }

    /// <summary>A DateTime as PowerShell users mean it: Get-Date's Unspecified kind is local time.</summary>
    internal static DateTimeOffset ToOffset(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => new DateTimeOffset(value, TimeSpan.Zero),
        DateTimeKind.Local => new DateTimeOffset(value),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Local)),
    };
}
