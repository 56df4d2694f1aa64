using System.Management.Automation;
using PrismConfig.Core;

namespace PrismConfig.PowerShell;

/// <summary>What the namespace cmdlets share beyond <see cref="PrismCmdlet"/>: write targets, version checks, not-found errors.</summary>
public abstract class NamespaceCmdlet : PrismCmdlet
{
    /// <summary>
    /// The store for a write that needs an existing namespace. A missing file is an empty store: nothing is created
    /// (so -WhatIf and a mistyped path leave no file behind) and the caller reports the namespace as not found.
    /// </summary>
    private protected ConfigStore? OpenStoreForExistingTarget()
    {
        return File.Exists(DatabasePath) ? OpenStore(create: true) : null;
    }

    /// <summary>The ShouldProcess target: the namespace and the file it lives in.</summary>
    protected string TargetText(string name) => Display.Target(name, DatabasePath);

    private protected void WriteNotFound(string name) => WriteCoreError(new NamespaceNotFoundException(name));

    /// <summary>Reports a VersionConflict before anything is asked or written; Core checks again inside the write.</summary>
    private protected bool VersionMatches(NamespaceConfig current, int? expected)
    {
        if (expected is { } e && e != current.Version)
        {
            WriteCoreError(new VersionConflictException(current.Name, e, current.Version));
            return false;
        }
        return true;
    }

    private protected static WriteContext NewContext(string? reason, int? expectedVersion) =>
        new() { Reason = InputConversion.NullIfEmpty(reason), ExpectedVersion = expectedVersion };

    private protected int? BoundInt(string parameter, int value) =>
        MyInvocation.BoundParameters.ContainsKey(parameter) ? value : null;

    /// <summary>
    /// The namespaces a name list means: literal names as given (missing ones reported), wildcards expanded against
    /// the store (matching nothing is not an error). Sorted by name, each once.
    /// </summary>
    private protected List<NamespaceConfig> Resolve(ConfigStore? store, IEnumerable<string> names)
    {
        var found = new SortedDictionary<string, NamespaceConfig>(StringComparer.Ordinal);
        List<string>? patterns = null;
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name)) continue;
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                (patterns ??= []).Add(name);
                continue;
            }
            var ns = store?.TryGet(name);
            if (ns is null)
            {
                WriteNotFound(name);
            }
            else
            {
                found[ns.Name] = ns;
            }
        }
        if (patterns is not null && store is not null)
        {
            foreach (var ns in store.List(new NamespaceQuery { Names = patterns }))
            {
                found[ns.Name] = ns;
            }
        }
        return [.. found.Values];
    }
}
