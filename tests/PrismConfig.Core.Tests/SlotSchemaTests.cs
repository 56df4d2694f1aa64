using System.Text;
using Microsoft.Data.Sqlite;
using PrismConfig.Core.Validation;
using PrismConfig.Core.Yaml;

namespace PrismConfig.Core.Tests;

/// <summary>Schema 2 on SQLite: the ADR's queries over slot namespaces, the migration from schema 1, slot rows.</summary>
public class SlotSchemaTests
{
    [Fact]
    public void Adr_queries_run_verbatim_against_a_store_holding_slot_namespaces()
    {
        using var dir = new TempDir();
        using (var store = T.OpenNew(dir.Db))
        {
            store.Create(StoreContractTests.Consumer("payments"));
            store.Create(T.Ns("orders", "postgres"));
        }
        using var raw = T.Raw(dir.Db);
        using (var get = raw.CreateCommand())
        {
            get.CommandText = @"SELECT id, name, backend, pattern, backend_config, consistency, status, cache_ttl_seconds
             FROM namespaces WHERE name = ?1 AND status = 'active'";
            get.Parameters.AddWithValue("?1", "payments");
            using var r = get.ExecuteReader();
            Assert.True(r.Read());
            Assert.Equal("kafka", r.GetString(2));
            Assert.Equal("consumer", r.GetString(3));
            Assert.Contains("\"topic\":\"payments.pending\"", r.GetString(4), StringComparison.Ordinal);
        }
        using (var list = raw.CreateCommand())
        {
            list.CommandText = @"SELECT id, name, backend, pattern, backend_config, consistency
             FROM namespaces WHERE backend = ?1 AND status = 'active'
             ORDER BY name";
            list.Parameters.AddWithValue("?1", "kafka");
            var names = new List<string>();
            using var r = list.ExecuteReader();
            while (r.Read()) names.Add(r.GetString(1));
            Assert.Equal(["payments"], names);
        }
        Assert.Equal(2L, T.Scalar(raw, "SELECT COUNT(*) FROM namespace_slots s JOIN namespaces n ON n.id = s.namespace_id WHERE n.name = 'payments'"));
        Assert.Equal("state_store", T.Scalar(raw, "SELECT slot_name FROM namespace_slots WHERE backend = 'postgres' AND position = 1"));
        Assert.Equal("[\"KeyValueBasicInterface\"]", T.Scalar(raw, "SELECT interfaces FROM namespace_slots WHERE slot_name = 'state_store'"));
    }

    /// <summary>Turns a file back into what schema-1 code wrote: no revisions, no slot columns, no slot table, a rollback journal.</summary>
    private static void DowngradeToSchema1(string path)
    {
        using var raw = T.Raw(path);
        T.Exec(raw, "DROP TABLE registry_history; DROP TABLE registry_definitions; DROP TABLE store_state; DROP INDEX idx_history_revision; ALTER TABLE namespace_history DROP COLUMN revision;" +
                    "DROP TRIGGER trg_namespace_slots_insert; DROP TRIGGER trg_namespace_slots_update; DROP TABLE namespace_slots;" +
                    "ALTER TABLE namespaces DROP COLUMN slots; ALTER TABLE namespaces DROP COLUMN behavior; ALTER TABLE namespaces DROP COLUMN pattern_version;" +
                    "PRAGMA user_version=1; PRAGMA journal_mode=DELETE");
    }

    [Fact]
    public void A_schema_1_file_migrates_on_open_and_keeps_its_data_and_history()
    {
        using var dir = new TempDir();
        using (var store = T.OpenNew(dir.Db)) store.Create(T.Full("old-ns"));
        DowngradeToSchema1(dir.Db);
        Assert.True(ConfigStore.CheckBackup(dir.Db).IsHealthy);
        using (var store = ConfigStore.Open(dir.Db))
        {
            Assert.Equal(ConfigStore.CurrentSchemaVersion, store.SchemaVersion);
            Assert.Equal("redis", store.Get("old-ns").Backend);
            Assert.True(store.CheckHealth().IsHealthy, string.Join("\n", store.CheckHealth().Problems));
            store.Create(StoreContractTests.Consumer());
            Assert.Equal(2, store.List(new NamespaceQuery { Backends = ["kafka", "redis"] }).Count);
        }
        using var check = T.Raw(dir.Db);
        Assert.Equal((long)ConfigStore.CurrentSchemaVersion, T.Scalar(check, "PRAGMA user_version"));
    }

    [Fact]
    public void A_schema_1_backup_restores_into_a_schema_2_store_and_is_migrated()
    {
        using var dir = new TempDir();
        var backup = dir.File("schema1.db");
        using (var old = T.OpenNew(backup)) old.Create(T.Ns("from-backup"));
        DowngradeToSchema1(backup);
        using var store = T.OpenNew(dir.Db);
        store.Create(StoreContractTests.Consumer());
        store.RestoreFrom(backup);
        Assert.Equal(ConfigStore.CurrentSchemaVersion, store.SchemaVersion);
        Assert.Equal(["from-backup"], store.List().Select(n => n.Name));
        store.Create(StoreContractTests.Consumer());
        Assert.True(store.CheckHealth().IsHealthy, string.Join("\n", store.CheckHealth().Problems));
    }

    [Fact]
    public void Health_check_finds_slot_rows_that_disagree_with_their_namespace()
    {
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Create(StoreContractTests.Consumer());
        using (var raw = T.Raw(dir.Db)) T.Exec(raw, "UPDATE namespace_slots SET backend = 'redis' WHERE slot_name = 'state_store'");
        Assert.Contains(store.CheckHealth().Problems, p => p.Contains("namespace_slots", StringComparison.Ordinal));
        using (var raw = T.Raw(dir.Db)) T.Exec(raw, "UPDATE namespace_slots SET backend = 'postgres' WHERE slot_name = 'state_store'; UPDATE namespaces SET backend = 'nats'");
        Assert.Contains(store.CheckHealth().Problems, p => p.Contains("first slot", StringComparison.Ordinal));
    }

    private const string ListFile = """
        namespaces:
          - name: payment-processor
            pattern: consumer
            pattern_version: v1
            description: "Processes payment events"
            slots:
              message_source:
                backend: kafka
                interfaces: [pubsub_basic, pubsub_persistent]
                config: { connection: "kafka://kafka:9092", topic: payments.pending, enable_auto_commit: false }
              state_store:
                backend: postgres
                interfaces: [keyvalue_basic]
                config: { connection: "postgresql://prism:s3cret@db:5432/prism", table: consumer_state, max_connections: 20 }
            behavior:
              consumer_group: payment-processor-group
              max_retries: 5
              commit_interval: "0s"
          - name: plain-ns
            backend: redis
            pattern: keyvalue
            backend_config: { connection_string: "redis://r:6379" }
        """;

    private const string SingleFile = """
        name: device-registry
        pattern: multicast-registry
        slots:
          registry:
            backend: postgres
            interfaces: [KeyValueBasicInterface, KeyValueScanInterface]
            config:
              connection: "postgresql://prism:pw@db/prism"
              tables: { devices: device_registry }
          messaging:
            backend: nats
            interfaces: [PubSubInterface]
            config:
              servers: [nats://a:4222, nats://b:4222]
        config:
          ttl_seconds: 300
          fanout: { max_targets: 100 }
        """;

    [Theory]
    [InlineData(ListFile)]
    [InlineData(SingleFile)]
    public void Real_shapes_import_export_import_export_byte_identical(string yaml)
    {
        var first = NamespaceYaml.Parse(Encoding.UTF8.GetBytes(yaml), "/tmp/in.yaml").Select(e => e.Config).ToList();
        using var dir = new TempDir();
        using var store = T.OpenNew(dir.Db);
        store.Import(first);
        var export1 = NamespaceYaml.Export(store.List());
        var second = NamespaceYaml.Parse(Encoding.UTF8.GetBytes(export1), "/tmp/out.yaml").Select(e => e.Config).ToList();
        var results = store.Import(second);
        Assert.All(results, r => Assert.Equal(ImportAction.Unchanged, r.Action));
        var export2 = NamespaceYaml.Export(store.List());
        Assert.Equal(export1, export2);
        Assert.Contains("slots:", export1, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_namespace_file_config_is_behaviour_and_slot_order_is_kept()
    {
        var ns = Assert.Single(NamespaceYaml.Parse(Encoding.UTF8.GetBytes(SingleFile), "/tmp/one.yaml")).Config;
        Assert.Equal("device-registry", ns.Name);
        Assert.Equal(["registry", "messaging"], ns.Slots.Entries().Select(e => e.Name));
        Assert.Equal(300, ns.Behavior["ttl_seconds"]);
        Assert.Equal(new object[] { "nats://a:4222", "nats://b:4222" }, (object[])ns.Slots.Get("messaging")!.Config["servers"]!);
        Assert.Equal(NamespaceValidator.InterfaceKey("keyvalue_basic"), NamespaceValidator.InterfaceKey("KeyValueBasicInterface"));
    }

    [Theory]
    [InlineData("      bogus: 1\n", 8, "unknown key 'bogus' in slot 'state_store'")]
    [InlineData("    backend: kafka\n", 8, "'backend' cannot be used in a namespace with slots")]
    public void Slot_errors_point_at_file_line_and_column(string extra, int line, string message)
    {
        var yaml = "namespaces:\n  - name: orders\n    pattern: consumer\n    slots:\n      state_store:\n        backend: postgres\n        interfaces: [keyvalue_basic]\n" +
                   (extra.StartsWith("      ", StringComparison.Ordinal) ? "  " + extra : extra);
        var ex = YamlTestSupport.Fails(yaml);
        Assert.Equal(line, ex.Line);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_interface_and_slot_names_point_at_their_keys()
    {
        var ex = YamlTestSupport.Fails("namespaces:\n  - name: orders\n    pattern: consumer\n    slots:\n      Bad-Slot:\n        backend: postgres\n");
        Assert.Equal(5, ex.Line);
        Assert.Contains("slot name", ex.Message, StringComparison.Ordinal);
        var ex2 = YamlTestSupport.Fails("namespaces:\n  - name: orders\n    pattern: consumer\n    slots:\n      state_store:\n        backend: postgres\n        interfaces: [\"key value\"]\n");
        Assert.Equal(7, ex2.Line);
    }
}
