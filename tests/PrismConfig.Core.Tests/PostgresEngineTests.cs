using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using PrismConfig.Core.Engines;
using PrismConfig.Core.Engines.Postgres;

namespace PrismConfig.Core.Tests;

/// <summary>What only the PostgreSQL engine has: its schema table, revisions under concurrency, NOTIFY, server errors, cross-engine copies.</summary>
public sealed class PostgresEngineTests : IDisposable
{
    private readonly PostgresEngineUnderTest _engine = new();

    public void Dispose() => _engine.Dispose();

    private NpgsqlConnection Raw()
    {
        var connection = new NpgsqlConnection(PostgresConnectionInfo.Parse(_engine.Locator, _engine.Locator).ConnectionString);
        connection.Open();
        return connection;
    }

    private static List<string> Rows(System.Data.Common.DbDataReader r)
    {
        var rows = new List<string>();
        while (r.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return rows;
    }

    [SkippableFact]
    public void The_adr_queries_rewritten_for_dollar_parameters_return_the_same_rows_as_sqlite()
    {
        using var dir = new TempDir();
        NamespaceConfig[] fixtures = [T.Full("alpha-cache"), T.Ns("beta-db", "postgres"), T.Ns("gamma-db", "postgres"), T.Ns("delta-cache", "redis")];
        using (var pg = _engine.OpenNew()) pg.ImportStream(fixtures.Select(f => f.Clone()));
        using (var sqlite = T.OpenNew(dir.Db)) sqlite.ImportStream(fixtures.Select(f => f.Clone()));

        const string GetNamespace = "SELECT id, name, backend, pattern, backend_config, consistency, status, cache_ttl_seconds FROM namespaces WHERE name = {0} AND status = 'active'";
        const string ByBackend = "SELECT id, name, backend, pattern, backend_config, consistency FROM namespaces WHERE backend = {0} AND status = 'active' ORDER BY name";
        foreach (var (sql, argument) in new[] { (GetNamespace, "alpha-cache"), (ByBackend, "postgres"), (ByBackend, "redis") })
        {
            List<string> fromPostgres;
            using (var pg = Raw())
            using (var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, "$1"), pg))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = argument });
                using var r = command.ExecuteReader();
                fromPostgres = Rows(r);
            }
            List<string> fromSqlite;
            using (var lite = T.Raw(dir.Db))
            using (var command = lite.CreateCommand())
            {
                command.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, "?1");
                command.Parameters.AddWithValue("?1", argument);
                using var r = command.ExecuteReader();
                fromSqlite = Rows(r);
            }
            Assert.NotEmpty(fromPostgres);
            Assert.Equal(fromSqlite, fromPostgres);
        }
    }

    [SkippableFact]
    public void A_change_subscription_hears_commits_from_another_store_and_listens_again_after_its_connection_is_killed()
    {
        using var store = _engine.OpenNew();
        store.Create(T.Ns("alpha", "redis"));
        using var changes = store.SubscribeToChanges();
        Assert.False(changes.Wait(TimeSpan.FromMilliseconds(300)));

        using var other = _engine.OpenAnother();
        other.Create(T.Ns("beta", "redis"));
        Assert.True(changes.Wait(TimeSpan.FromSeconds(30)));
        Assert.False(changes.Wait(TimeSpan.FromMilliseconds(300)));

        using (var admin = PostgresServer.OpenAdmin(_engine.Locator))
        using (var kill = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN prism_config'", admin))
        {
            Assert.Equal(1L, Convert.ToInt64(kill.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }
        // The broken connection rings (a commit may have gone unheard) and listens again straight away.
        Assert.True(changes.Wait(TimeSpan.FromSeconds(30)));
        Assert.False(changes.Wait(TimeSpan.FromMilliseconds(300)));
        other.Create(T.Ns("gamma", "redis"));
        Assert.True(changes.Wait(TimeSpan.FromSeconds(30)));
    }

    [SkippableFact]
    public void The_schema_is_versioned_in_a_table_and_a_newer_one_is_refused()
    {
        using (var store = _engine.OpenNew()) Assert.Equal(ConfigStore.CurrentSchemaVersion, store.SchemaVersion);
        using (var raw = Raw())
        {
            using var command = new NpgsqlCommand("SELECT version, description FROM schema_migrations ORDER BY version", raw);
            using var r = command.ExecuteReader();
            Assert.Equal(["3|ADR-036 tables, slots, tag index, store revision", "4|registry definitions and their history"], Rows(r));
        }
        using (var raw = Raw())
        {
            using var command = new NpgsqlCommand("INSERT INTO schema_migrations (version, description) VALUES (99, 'future')", raw);
            command.ExecuteNonQuery();
        }
        var ex = Assert.Throws<SchemaTooNewException>(() => _engine.OpenAnother());
        Assert.Equal(99, ex.FoundVersion);
    }

    [SkippableFact]
    public void A_database_without_a_store_is_not_created_by_a_read_and_opening_creates_no_file()
    {
        var before = Directory.GetFiles(Environment.CurrentDirectory).Length;
        var ex = Assert.Throws<StorePathException>(() => _engine.OpenAnother());
        Assert.Equal("DatabaseNotFound", ex.ErrorId);
        Assert.Contains("Initialize-PrismConfig", ex.Message, StringComparison.Ordinal);
        using (var store = _engine.OpenNew()) store.Create(T.Ns("no-file"));
        Assert.Equal(before, Directory.GetFiles(Environment.CurrentDirectory).Length);
    }

    [SkippableFact]
    public async Task Two_overlapping_writes_commit_in_revision_order_and_each_commit_notifies_its_revision()
    {
        using var store = _engine.OpenNew();
        store.Create(T.Ns("first"));
        using var listener = Raw();
        var payloads = new List<string>();
        listener.Notification += (_, e) => { lock (payloads) payloads.Add(e.Payload); };
        using (var listen = new NpgsqlCommand("LISTEN prism_config", listener)) listen.ExecuteNonQuery();

        using var a = EngineFactory.Open(StoreLocator.Parse(_engine.Locator), new StoreOptions { BusyTimeout = TimeSpan.FromSeconds(10) });
        using var b = EngineFactory.Open(StoreLocator.Parse(_engine.Locator), new StoreOptions { BusyTimeout = TimeSpan.FromSeconds(10) });
        var scopeA = a.BeginWrite();
        var revisionA = scopeA.Revision;
        // B starts while A is open. It cannot take a revision, or commit, before A ends.
        var bTask = Task.Run(() =>
        {
            using var scopeB = b.BeginWrite();
            var revision = scopeB.Revision;
            scopeB.Commit();
            return revision;
        });
        await Task.Delay(300);
        Assert.False(bTask.IsCompleted);
        scopeA.Commit();
        scopeA.Dispose();
        var revisionB = await bTask;
        Assert.Equal(2, revisionA);
        Assert.Equal(3, revisionB);

        for (var i = 0; i < 50 && payloads.Count < 2; i++)
        {
            await listener.WaitAsync(TimeSpan.FromMilliseconds(100));
        }
        Assert.Equal(["2", "3"], payloads);
    }

    [SkippableFact]
    public void A_write_that_rolls_back_gives_its_revision_back_so_revisions_stay_contiguous()
    {
        using var store = _engine.OpenNew();
        store.Create(T.Ns("kept"));
        using (var engine = EngineFactory.Open(StoreLocator.Parse(_engine.Locator), new StoreOptions()))
        using (var scope = engine.BeginWrite())
        {
            Assert.Equal(2, scope.Revision);
        }
        store.Create(T.Ns("next"));
        Assert.Equal([1L, 2L], store.GetHistory().Select(h => h.Revision));
    }

    [SkippableFact]
    public void An_unreachable_server_is_store_unavailable_naming_host_and_port_and_never_the_password()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var locator = $"postgresql://prism:Sup3rSecret%2Fx@127.0.0.1:{port}/prism?connect_timeout=2";
        var ex = Assert.Throws<StoreUnavailableException>(() => ConfigStore.Open(locator));
        Assert.Equal("StoreUnavailable", ex.ErrorId);
        Assert.Equal($"127.0.0.1:{port}", ex.Server);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", ex.Target?.ToString() ?? "", StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_wrong_password_is_store_auth_failed_and_the_password_is_masked()
    {
        var user = PostgresServer.PasswordUser;
        Skip.If(string.IsNullOrEmpty(user), "The server under test has no password user (the Test task's server has one).");
        var admin = new Uri(PostgresServer.AdminUri!);
        var locator = $"postgresql://{user}:Wr0ngPassw0rd@{admin.Host}:{admin.Port}/postgres";
        var ex = Assert.Throws<StoreAuthFailedException>(() => ConfigStore.Open(locator));
        Assert.Equal("StoreAuthFailed", ex.ErrorId);
        Assert.Equal(user, ex.User);
        Assert.DoesNotContain("Wr0ngPassw0rd", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void No_password_where_the_server_asks_for_one_is_store_auth_failed_not_a_client_failure()
    {
        var user = PostgresServer.PasswordUser;
        Skip.If(string.IsNullOrEmpty(user), "The server under test has no password user (the Test task's server has one).");
        Skip.If(Environment.GetEnvironmentVariable("PGPASSWORD") is not null, "PGPASSWORD is set, so a password is given.");
        var admin = new Uri(PostgresServer.AdminUri!);
        // An empty password file: neither the URI, PGPASSWORD nor the file gives a password.
        var passfile = Path.Combine(Path.GetTempPath(), $"prism-empty-pgpass-{Guid.NewGuid():N}");
        File.WriteAllText(passfile, "");
        try
        {
            var locator = $"postgresql://{user}@{admin.Host}:{admin.Port}/postgres?passfile={Uri.EscapeDataString(passfile)}";
            var ex = Assert.Throws<StoreAuthFailedException>(() => ConfigStore.Open(locator));
            Assert.Equal("StoreAuthFailed", ex.ErrorId);
            Assert.Contains("none was given", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(passfile);
        }
    }

    [SkippableFact]
    public void A_copy_batch_the_server_refuses_fails_the_import_and_writes_nothing()
    {
        using var store = _engine.OpenNew();
        store.Create(T.Ns("before"));
        using (var raw = Raw())
        {
            // Stands in for anything the server refuses partway through: a row in the third COPY batch of 512.
            using var command = new NpgsqlCommand("""
                CREATE FUNCTION refuse_bulk() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.name = 'bulk-01200' THEN RAISE EXCEPTION 'refused %', NEW.name USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_bulk BEFORE INSERT ON namespaces FOR EACH ROW EXECUTE FUNCTION refuse_bulk();
                """, raw);
            command.ExecuteNonQuery();
        }
        var desired = Enumerable.Range(0, 1_700).Select(i => T.Ns($"bulk-{i:D5}")).ToList();

        var ex = Assert.ThrowsAny<PrismConfigException>(() => store.ImportStream(desired, new ImportOptions { ReadAhead = true }));
        Assert.DoesNotContain("Npgsql", ex.GetType().FullName, StringComparison.Ordinal);
        Assert.Equal(["before"], store.List().Select(n => n.Name));
        Assert.Single(store.GetHistory());
        // The scope gave its connection back whole: the next write works.
        store.Create(T.Ns("after"));
        Assert.Equal(2, store.CountNamespaces());
    }

    [SkippableFact]
    public void Health_check_reports_json_and_side_rows_written_around_the_trigger_instead_of_failing()
    {
        using var store = _engine.OpenNew();
        store.Create(T.Full("tagged"));
        store.Create(T.Ns("broken"));
        Assert.True(store.CheckHealth().IsHealthy, string.Join("; ", store.CheckHealth().Problems));
        using (var raw = Raw())
        {
            // Triggers off: the writes a client that went around PrismConfig could leave.
            using var command = new NpgsqlCommand("""
                SET session_replication_role = replica;
                UPDATE namespaces SET tags = '[broken' WHERE name = 'broken';
                UPDATE namespaces SET tags = '["one", "one", 3]' WHERE name = 'tagged';
                """, raw);
            command.ExecuteNonQuery();
        }

        var problems = store.CheckHealth().Problems;
        Assert.Contains(problems, p => p.Contains("'broken'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'tagged'", StringComparison.Ordinal) && p.Contains("namespace_tags", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("'broken'", StringComparison.Ordinal) && p.Contains("namespace_tags", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void The_side_tables_follow_sql_that_writes_many_rows_at_once_and_never_parse_rows_it_leaves_alone()
    {
        using var store = _engine.OpenNew();
        store.Create(T.Ns("one", "redis", "keyvalue", "a", "b"));
        store.Create(T.Ns("two", "redis", "keyvalue", "b"));
        store.Create(T.Ns("damaged", "redis", "keyvalue", "d"));
        using (var raw = Raw())
        {
            using (var damage = new NpgsqlCommand("SET session_replication_role = replica; UPDATE namespaces SET tags = '[broken' WHERE name = 'damaged'; RESET session_replication_role;", raw))
            {
                damage.ExecuteNonQuery();
            }
            // Triggers on: one UPDATE over every row, one multi-row INSERT, then slots taken away from one row.
            using var command = new NpgsqlCommand("""
                UPDATE namespaces SET description = 'touched', tags = CASE name WHEN 'one' THEN '["c"]' ELSE tags END;
                INSERT INTO namespaces (name, backend, pattern, backend_config, tags, slots) VALUES
                    ('four', 'redis', 'keyvalue', '{}', '["x", "x", 7]', '[{"name": "cache", "backend": "redis", "interfaces": ["KeyValueBasicInterface"], "config": {}}, {"name": "store", "backend": "postgres", "interfaces": [], "config": {}}]'),
                    ('five', 'redis', 'keyvalue', '{}', '["y"]', '[{"name": "cache", "backend": "redis", "interfaces": [], "config": {}}]');
                UPDATE namespaces SET slots = NULL WHERE name = 'five';
                """, raw);
            command.ExecuteNonQuery();

            using var tags = new NpgsqlCommand("SELECT n.name, t.tag FROM namespace_tags t JOIN namespaces n ON n.id = t.namespace_id ORDER BY 1, 2", raw);
            using (var r = tags.ExecuteReader())
            {
                Assert.Equal(["damaged|d", "five|y", "four|x", "one|c", "two|b"], Rows(r));
            }
            using var slots = new NpgsqlCommand("SELECT n.name, s.slot_name, s.position, s.backend FROM namespace_slots s JOIN namespaces n ON n.id = s.namespace_id ORDER BY 1, 3", raw);
            using (var r = slots.ExecuteReader())
            {
                Assert.Equal(["four|cache|0|redis", "four|store|1|postgres"], Rows(r));
            }
        }
    }

    [SkippableFact]
    public async Task A_backup_taken_while_writers_run_is_one_consistent_moment_and_restores_into_either_engine()
    {
        using var dir = new TempDir();
        using var store = _engine.OpenNew();
        for (var i = 0; i < 20; i++) store.Create(T.Full("ns-" + i));
        using var cancel = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            using var other = _engine.OpenAnother();
            var n = 0;
            while (!cancel.IsCancellationRequested)
            {
                other.Update("ns-" + (n++ % 20), new NamespacePatch { RateLimitRps = n });
            }
            return n;
        });
        await Task.Delay(200);
        var backup = store.BackupTo(dir.File("pg.db"));
        await cancel.CancelAsync();
        Assert.True(await writer > 0);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup.FullName));
        }
        var report = ConfigStore.CheckBackup(backup.FullName);
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));

        // Into SQLite, and back into a fresh PostgreSQL database: the same namespaces, versions and history.
        var fresh = new PostgresEngineUnderTest();
        using var intoPostgres = fresh.OpenNew();
        intoPostgres.RestoreFrom(backup.FullName);
        using var intoSqlite = T.OpenNew(dir.File("restored.db"));
        intoSqlite.RestoreFrom(backup.FullName);
        string Shape(ConfigStore s) => string.Join(";", s.List().Select(n => $"{n.Name}@{n.Version}:{n.RateLimitRps}")) + "#"
            + string.Join(";", s.GetHistory().Select(h => $"{h.Name}@{h.Version}r{h.Revision}"));
        Assert.Equal(Shape(intoSqlite), Shape(intoPostgres));
        Assert.Equal(report.Namespaces, intoPostgres.CountNamespaces());
        Assert.True(intoPostgres.CheckHealth().IsHealthy, string.Join("; ", intoPostgres.CheckHealth().Problems));
        Assert.NotEqual(store.State.Epoch, intoPostgres.State.Epoch);

        // New writes after a restore continue the ids and revisions.
        intoPostgres.Create(T.Ns("after-restore"));
        Assert.Equal(intoSqlite.State.Revision + 1, intoPostgres.State.Revision);
        fresh.Dispose();
    }
}
