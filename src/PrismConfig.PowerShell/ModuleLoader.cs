using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace PrismConfig.PowerShell;

/// <summary>
/// Keeps PrismConfig.Core and its packages (Microsoft.Data.Sqlite, Dapper, YamlDotNet, SQLitePCLRaw) in their
/// own AssemblyLoadContext, so a session that already loaded other versions of those packages (powershell-yaml,
/// platyPS, Az modules) cannot break this module, and this module cannot break them.
/// </summary>
/// <remarks>
/// This follows "Resolving PowerShell module assembly dependency conflicts" in the PowerShell docs: the cmdlet
/// assembly stays in the default context, and the default context's Resolving handler answers only for Core.
/// Everything Core needs then resolves through <see cref="DependencyLoadContext"/>, which also maps the native
/// e_sqlite3 library to this module's runtimes/&lt;rid&gt;/native folder, because pwsh never reads a module's
/// deps.json and so never probes there itself.
/// </remarks>
public sealed class ModuleLoader : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    // The stores, the exit hook and the Core resolver belong to the process, and every runspace that imported the
    // module shares them: they go when the last such runspace removes the module or closes.
    private static readonly object Gate = new();
    private static readonly HashSet<object> Users = [];

    public void OnImport()
    {
        var user = (object?)Runspace.DefaultRunspace ?? Gate;
        lock (Gate)
        {
            if (Users.Add(user) && user is Runspace runspace)
            {
                runspace.StateChanged += OnRunspaceState;
            }
        }
        DependencyLoadContext.Register();
        // The stores' last connection checkpoints the WAL into the database file when it closes; a process that exits
        // with them open leaves the data in config.db-wal, and a copy of config.db alone would then look empty.
        AppDomain.CurrentDomain.ProcessExit -= CloseStores;
        AppDomain.CurrentDomain.ProcessExit += CloseStores;
    }

    private static void CloseStores(object? sender, EventArgs e) => StoreCache.Clear();

    public void OnRemove(PSModuleInfo psModuleInfo) => Release((object?)Runspace.DefaultRunspace ?? Gate);

    private static void OnRunspaceState(object? sender, RunspaceStateEventArgs e)
    {
        if (sender is Runspace runspace && e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
        {
            Release(runspace);
        }
    }

    private static void Release(object user)
    {
        lock (Gate)
        {
            if (user is Runspace runspace) runspace.StateChanged -= OnRunspaceState;
            Users.Remove(user);
            if (Users.Count > 0) return;
        }
        AppDomain.CurrentDomain.ProcessExit -= CloseStores;
        StoreCache.Clear();
        DependencyLoadContext.Unregister();
    }
}

internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private const string CoreAssemblyName = "PrismConfig.Core";
    private static readonly object Gate = new();
    private static bool registered;

    private static readonly string ModuleFolder =
        Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location) ?? AppContext.BaseDirectory;

    private static readonly Lazy<DependencyLoadContext> Instance =
        new(() => new DependencyLoadContext(Path.Combine(ModuleFolder, "dependencies")));

    private readonly string dependencyFolder;

    private DependencyLoadContext(string dependencyFolder)
        : base("PrismConfig", isCollectible: false)
    {
        this.dependencyFolder = dependencyFolder;
    }

    public static void Register()
    {
        lock (Gate)
        {
            if (registered) return;
            Default.Resolving += ResolveCore;
            registered = true;
        }
    }

    public static void Unregister()
    {
        lock (Gate)
        {
            if (!registered) return;
            Default.Resolving -= ResolveCore;
            registered = false;
        }
    }

    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name)
    {
        // Answer for Core only: anything else the default context cannot find is not ours to supply.
        return string.Equals(name.Name, CoreAssemblyName, StringComparison.Ordinal)
            ? Instance.Value.LoadFromAssemblyName(name)
            : null;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Our own copies win over whatever the session loaded; framework assemblies fall through to the default context.
        var candidate = Path.Combine(dependencyFolder, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        if (!unmanagedDllName.Contains("e_sqlite3", StringComparison.Ordinal))
        {
            return IntPtr.Zero;
        }
        var path = NativeLibraryPath();
        if (!File.Exists(path))
        {
            throw new DllNotFoundException(
                $"PrismConfig has no SQLite build for this platform ({NativeRuntime.Identifier}); expected '{path}'. Supported: {string.Join(", ", NativeRuntime.Supported)}.");
        }
        return LoadUnmanagedDllFromPath(path);
    }

    private static string NativeLibraryPath()
    {
        var file = OperatingSystem.IsWindows() ? "e_sqlite3.dll"
            : OperatingSystem.IsMacOS() ? "libe_sqlite3.dylib"
            : "libe_sqlite3.so";
        return Path.Combine(ModuleFolder, "runtimes", NativeRuntime.Identifier, "native", file);
    }
}

/// <summary>Works out which of the shipped native builds fits this process.</summary>
internal static class NativeRuntime
{
    public static readonly string[] Supported =
        ["linux-x64", "linux-arm64", "linux-musl-x64", "osx-x64", "osx-arm64", "win-x64", "win-arm64"];

    public static string Identifier { get; } = Compute();

    private static string Compute()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (OperatingSystem.IsWindows()) return "win-" + arch;
        if (OperatingSystem.IsMacOS()) return "osx-" + arch;
        // RuntimeInformation.RuntimeIdentifier reports the distro-specific RID on source-built runtimes, so
        // decide musl by the loader that is actually present.
        return (IsMusl() ? "linux-musl-" : "linux-") + arch;
    }

    private static bool IsMusl()
    {
        try
        {
            return Directory.Exists("/lib") && Directory.EnumerateFiles("/lib", "ld-musl-*").Any();
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
