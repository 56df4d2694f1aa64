using System.Collections;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace PrismConfig.Core.Tests;

/// <summary>A private temporary folder per test, deleted afterwards. Tests never touch the user's files.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Root = Path.Combine(Path.GetTempPath(), "prismconfig-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string File(string name) => Path.Combine(Root, name);

    public string Db => File("config.db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class T
{
    public static StoreOptions Create => new() { CreateIfMissing = true };

    public static ConfigStore OpenNew(string path, TimeSpan? busy = null) =>
        ConfigStore.Open(path, new StoreOptions { CreateIfMissing = true, BusyTimeout = busy ?? TimeSpan.FromSeconds(5) });

    public static NamespaceConfig Ns(string name, string backend = "postgres", string pattern = "keyvalue", params string[] tags)
    {
        var ns = new NamespaceConfig { Name = name, Backend = backend, Pattern = pattern, Tags = tags };
        ns.BackendConfig["connection_string"] = "postgres://db:5432/" + name;
        return ns;
    }

    public static NamespaceConfig Full(string name)
    {
        var ns = Ns(name, "redis", "keyvalue", "production", "high-traffic");
        ns.Description = "full namespace";
        ns.Consistency = ConsistencyLevel.Strong;
        ns.CacheTtlSeconds = 60;
        ns.RateLimitRps = 1000;
        ns.BackendConfig["pool"] = new Hashtable { ["max"] = 10, ["ratio"] = 0.5 };
        ns.BackendConfig["hosts"] = new object[] { "a", "b" };
        ns.Features["shadow_traffic"] = true;
        ns.Features["compression"] = false;
        return ns;
    }

    /// <summary>A raw connection that is not the store's: stands in for another process.</summary>
    public static SqliteConnection Raw(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWrite)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    public static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(path)));

    public static bool IsUnix => !OperatingSystem.IsWindows();

    public static bool IsRoot => IsUnix && Environment.UserName == "root";
}

/// <summary>One engine as the contract suite sees it: a fresh, empty, real store, and more handles on the same store.</summary>
public abstract class EngineUnderTest : IDisposable
{
    /// <summary>A new empty store, opened with a short lock timeout so a test of waiting stays quick.</summary>
    public abstract ConfigStore OpenNew();

    /// <summary>Another, independent handle on the same store: stands in for another process or host.</summary>
    public abstract ConfigStore OpenAnother(TimeSpan? lockTimeout = null);

    /// <summary>Holds the store's write lock from outside the store, until the returned object is disposed.</summary>
    public abstract IDisposable HoldWriteLock();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

public sealed class SqliteEngineUnderTest : EngineUnderTest
{
    private readonly TempDir _dir = new();

    public override ConfigStore OpenNew() => T.OpenNew(_dir.Db);

    public override ConfigStore OpenAnother(TimeSpan? lockTimeout = null) =>
        ConfigStore.Open(_dir.Db, new StoreOptions { BusyTimeout = lockTimeout ?? TimeSpan.FromSeconds(5) });

    public override IDisposable HoldWriteLock()
    {
        var connection = T.Raw(_dir.Db);
        T.Exec(connection, "BEGIN IMMEDIATE");
        return connection;
    }

    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
        base.Dispose();
    }
}

public sealed class SqliteStoreContractTests() : StoreContractTests(new SqliteEngineUnderTest());
