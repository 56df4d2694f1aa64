using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PrismConfig.Core;

namespace PrismConfig.PowerShell.Completers;

/// <summary>Shared plumbing for the completers: which database the command line means, matching and quoting.</summary>
internal static class CompletionHelper
{
    /// <summary>
    /// The candidates that start with what was typed (case-insensitive), sorted, quoted when they need it.
    /// </summary>
    public static IEnumerable<CompletionResult> Complete(IEnumerable<string> candidates, string? wordToComplete)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
        return candidates
            .Where(c => !string.IsNullOrEmpty(c) && pattern.IsMatch(c))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(c => c, StringComparer.Ordinal)
            .Select(c => new CompletionResult(Quote(c), c, CompletionResultType.ParameterValue, c))
            .ToList();
    }

    /// <summary>Single-quotes a value that the parser would otherwise split or expand.</summary>
    public static string Quote(string value)
    {
        foreach (var ch in value)
        {
            if (char.IsWhiteSpace(ch) || "'\"`$&@(){}[];,|<>#".Contains(ch, StringComparison.Ordinal))
            {
                return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
            }
        }
        return value;
    }

    /// <summary>
    /// The store the command line points at, or null. Honours a -Database already typed, then $env:PRISM_CONFIG_DB,
    /// then the default location. Never creates a file.
    /// </summary>
    public static ConfigStore? TryOpenStore(IDictionary? fakeBoundParameters, string? commandName = null)
    {
        var typed = fakeBoundParameters?["Database"] is { } value ? Convert.ToString(value is PSObject p ? p.BaseObject : value, System.Globalization.CultureInfo.InvariantCulture) : null;
        // The cmdlet would take $PSDefaultParameterValues' -Database (the README's setup), so completion must too.
        if (string.IsNullOrEmpty(typed) && commandName is not null) typed = DefaultDatabase(commandName);
        var text = string.IsNullOrEmpty(typed) ? Environment.GetEnvironmentVariable("PRISM_CONFIG_DB") : typed;
        var locator = string.IsNullOrEmpty(text)
            ? PrismCmdlet.ResolveLocator(null, null)
            : StoreLocator.Parse(text, path => PrismCmdlet.IsPlainAbsolutePath(path) ? path : ResolveAgainstLocation(path) ?? path);
        try
        {
            return StoreCache.Get(locator, create: false);
        }
        catch (StorePathException ex) when (ex.ErrorId == "DatabaseNotFound")
        {
            return null;
        }
    }

    /// <summary>The -Database $PSDefaultParameterValues gives <paramref name="commandName"/> ('*-Prism*:Database', 'Get-PrismNamespace:Database'), or null.</summary>
    private static string? DefaultDatabase(string commandName)
    {
        using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddScript("$PSDefaultParameterValues");
        var result = ps.Invoke();
        if (result.Count == 0 || result[0]?.BaseObject is not IDictionary defaults) return null;
        foreach (DictionaryEntry e in defaults)
        {
            var key = Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            var colon = key.LastIndexOf(':');
            if (colon <= 0 || !string.Equals(key[(colon + 1)..].Trim(), "Database", StringComparison.OrdinalIgnoreCase)) continue;
            if (!new WildcardPattern(key[..colon].Trim(), WildcardOptions.IgnoreCase).IsMatch(commandName)) continue;
            if ((e.Value is PSObject pso ? pso.BaseObject : e.Value) is string path && path.Length > 0) return path;
        }
        return null;
    }

    /// <summary>The -Name already typed on the command line, or null.</summary>
    public static string? TypedName(IDictionary? fakeBoundParameters)
    {
        var value = fakeBoundParameters?["Name"];
        value = value is PSObject p ? p.BaseObject : value;
        return value switch
        {
            string s => s,
            object[] { Length: 1 } a => Convert.ToString(a[0] is PSObject q ? q.BaseObject : a[0], System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    // A relative -Database means relative to $PWD, as it does when the cmdlet runs.
    private static string? ResolveAgainstLocation(string path)
    {
        using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").AddArgument(path);
        var result = ps.Invoke();
        return result.Count > 0 ? result[0]?.BaseObject as string : null;
    }

    /// <summary>Runs a completion, turning any failure (no database, locked, corrupt) into no results.</summary>
    public static IEnumerable<CompletionResult> Safely(Func<IEnumerable<CompletionResult>> complete)
    {
        try
        {
            return complete();
        }
#pragma warning disable CA1031 // A completer must never surface an error into the user's typing.
        catch (Exception)
#pragma warning restore CA1031
        {
            return [];
        }
    }
}

/// <summary>Completes -Name with the namespaces in the database in use.</summary>
public sealed class NamespaceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Safely(() => CompletionHelper.Complete(
            CompletionHelper.TryOpenStore(fakeBoundParameters, commandName)?.List(null, static _ => { }).Select(n => n.Name) ?? [], wordToComplete));
}

/// <summary>Completes -Backend with the backends in use.</summary>
public sealed class BackendCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Safely(() => CompletionHelper.Complete(
            CompletionHelper.TryOpenStore(fakeBoundParameters, commandName)?.List(null, static _ => { }).Select(n => n.Backend) ?? [], wordToComplete));
}

/// <summary>Completes -Pattern with the patterns in use.</summary>
public sealed class PatternCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Safely(() => CompletionHelper.Complete(
            CompletionHelper.TryOpenStore(fakeBoundParameters, commandName)?.List(null, static _ => { }).Select(n => n.Pattern) ?? [], wordToComplete));
}

/// <summary>Completes -Tag and -AddTag with the tags in use, and -RemoveTag with the named namespace's tags (all in use without -Name).</summary>
public sealed class TagCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Safely(() =>
        {
            var store = CompletionHelper.TryOpenStore(fakeBoundParameters, commandName);
            if (store is null) return [];
            var name = CompletionHelper.TypedName(fakeBoundParameters);
            var own = string.Equals(parameterName, "RemoveTag", StringComparison.OrdinalIgnoreCase) && name is not null
                && !WildcardPattern.ContainsWildcardCharacters(name) ? store.TryGet(name) : null;
            var tags = own is not null ? own.Tags : store.List(null, static _ => { }).SelectMany(n => n.Tags);
            return CompletionHelper.Complete(tags, wordToComplete);
        });
}

/// <summary>Completes -Version (and Compare's -ReferenceVersion, -DifferenceVersion) with the versions of the namespace given by -Name, newest first.</summary>
public sealed class VersionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Safely(() =>
        {
            var name = CompletionHelper.TypedName(fakeBoundParameters);
            var store = name is null || WildcardPattern.ContainsWildcardCharacters(name) ? null : CompletionHelper.TryOpenStore(fakeBoundParameters, commandName);
            if (store is null) return [];
            var word = (wordToComplete ?? "").Trim('\'', '"');
            return store.GetHistory(new HistoryQuery { Names = [name!] })
                .Where(h => h.Version > 0)
                .Select(h => h.Version)
                .Distinct()
                .OrderByDescending(v => v)
                .Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Where(v => v.StartsWith(word, StringComparison.Ordinal))
                .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, $"version {v}"))
                .ToList();
        });
}

/// <summary>Completes -Status with active, disabled and migrating.</summary>
public sealed class StatusCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(NamespaceStatus.All, wordToComplete);
}

/// <summary>Completes -Consistency with strong and eventual.</summary>
public sealed class ConsistencyCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(ConsistencyLevel.All, wordToComplete);
}

/// <summary>Completes -Operation with the history operations the cmdlets record.</summary>
public sealed class OperationCompleter : IArgumentCompleter
{
    private static readonly string[] Operations = ["create", "update", "disable", "enable", "restore"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(Operations, wordToComplete);
}
