using System.Collections;
using System.Text;
using PrismConfig.Core.Registry;
using PrismConfig.Core.Validation;

namespace PrismConfig.Core.Tests;

/// <summary>Prism's pattern and backend registry: reading both layouts, storing it versioned, and checking writes against it.</summary>
/// <remarks>Run against every engine, as the store contract is.</remarks>
public abstract class RegistryTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "registry-fixtures");

    private readonly TempDir _dir = new();
    private readonly EngineUnderTest _engine;
    private readonly ConfigStore _store;

    protected RegistryTests(EngineUnderTest engine)
    {
        _engine = engine;
        _store = engine.OpenNew();
    }

    public void Dispose()
    {
        _store.Dispose();
        _engine.Dispose();
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private static List<RegistryDocument> FixtureDocuments() =>
        Directory.EnumerateFiles(Fixtures, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).SelectMany(RegistryYaml.ReadFile).ToList();

    private void LoadFixtures() => _store.ImportRegistry(FixtureDocuments(), new RegistryImportOptions { Reason = "fixtures" });

    private static RegistryDocument Doc(string yaml, string file = "/tmp/registry/patterns/x.yaml") =>
        Assert.Single(RegistryYaml.Parse(Encoding.UTF8.GetBytes(yaml), file));

    private static NamespaceConfig Slotted(string name, params (string Slot, string Backend, string[] Interfaces)[] slots)
    {
        var ns = new NamespaceConfig { Name = name, Pattern = "consumer" };
        foreach (var (slot, backend, interfaces) in slots)
        {
            ns.Slots.Add(slot, new NamespaceSlot { Backend = backend, Interfaces = interfaces, Config = new Hashtable { ["connection"] = backend + "://x" } });
        }
        ns.Behavior = new Hashtable { ["consumer_group"] = "g" };
        return ns;
    }

    [SkippableFact]
    public void Both_backend_layouts_are_read_and_unknown_keys_are_kept()
    {
        LoadFixtures();
        var postgres = Assert.Single(_store.GetRegistry(RegistryKind.Backend, ["postgres"]));
        Assert.Equal(["keyvalue_basic", "keyvalue_scan"], postgres.Interfaces);
        Assert.Equal(["queue_basic", "queue_visibility"], postgres.PlannedInterfaces);
        Assert.Equal("alpha", ((Hashtable)postgres.Document["metadata"]!)["maturity"]);

        var memstore = Assert.Single(_store.GetRegistry(RegistryKind.Backend, ["memstore"]));
        Assert.Equal(["keyvalue_basic", "keyvalue_ttl"], memstore.Interfaces);
        Assert.Equal("built-in", memstore.Document["plugin"]);

        var consumer = Assert.Single(_store.GetRegistry(RegistryKind.Pattern));
        Assert.Equal(["dead_letter_queue?", "message_source", "state_store?"], consumer.Slots);
        Assert.Equal("prism-pattern-consumer:v1.0.0", consumer.Document["executor"]);
        Assert.Equal("ConsumerService", ((Hashtable)consumer.Document["api"]!)["service"]);
    }

    [SkippableTheory]
    [InlineData("pattern: consumer\nslots:\n  message_source:\n    required_interfaces: [pubsub_basic\n", 4, "YAML syntax error: this '[' is never closed")]
    [InlineData("pattern: consumer\nslots:\n  message_source:\n    required_interfaces: 5\n", 4, "required_interfaces is a list of interface names")]
    [InlineData("pattern: consumer\nparameters:\n  max_retries:\n    type: integer\n    min: lots\n", 5, "min of parameter 'max_retries' is a number")]
    [InlineData("pattern: consumer\nparameters:\n  wait:\n    type: duration\n    default: soon\n", 5, "the default of parameter 'wait' must be a duration")]
    [InlineData("name: postgres\ninterfaces:\n  keyvalue:\n    - status: implemented\n", 4, "each interface entry has 'interface: <name>'")]
    [InlineData("description: what am I\n", 1, "neither a pattern nor a backend")]
    [InlineData("pattern: Consumer Pattern\n", 1, "not a valid pattern name")]
    public void A_malformed_file_is_refused_with_file_line_and_column(string yaml, int line, string problem)
    {
        var ex = Assert.Throws<YamlImportException>(() => RegistryYaml.Parse(Encoding.UTF8.GetBytes(yaml), "/tmp/reg/bad.yaml"));
        Assert.Equal(line, ex.Line);
        Assert.StartsWith($"/tmp/reg/bad.yaml:{line}:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_store_with_no_registry_accepts_anything_as_before()
    {
        var ns = T.Ns("no-registry", "mongodb", "kv");
        Assert.Empty(_store.CheckRegistry(ns, strict: true));
        _store.Create(ns, new WriteContext { Strict = true });
        Assert.Empty(_store.RegistryViolations());
        Assert.True(_store.CheckHealth().IsHealthy);
    }

    [SkippableFact]
    public void Registry_imports_are_versioned_and_audited_and_a_same_import_changes_nothing()
    {
        var first = _store.ImportRegistry(FixtureDocuments(), new RegistryImportOptions { Reason = "first", ChangedBy = "alice" });
        Assert.All(first, r => Assert.Equal(ImportAction.Created, r.Action));
        Assert.All(_store.ImportRegistry(FixtureDocuments()), r => Assert.Equal(ImportAction.Unchanged, r.Action));

        var changed = Doc("backend: memstore\nimplements: [keyvalue_basic]\n", "/tmp/backends/memstore.yaml");
        var result = Assert.Single(_store.ImportRegistry([changed], new RegistryImportOptions { Reason = "drop ttl" }));
        Assert.Equal(ImportAction.Updated, result.Action);
        Assert.Equal(2, result.Version);

        var history = _store.GetRegistryHistory(RegistryKind.Backend, "memstore");
        Assert.Equal(["create", "update"], history.Select(h => h.Operation));
        Assert.Equal("alice", history[0].ChangedBy);
        Assert.Equal("drop ttl", history[1].Reason);
        Assert.Equal(new object[] { "keyvalue_basic", "keyvalue_ttl" }, (object[])history[1].OldDocument!["implements"]!);
        Assert.Equal(2, Assert.Single(_store.GetRegistry(RegistryKind.Backend, ["memstore"])).Version);
    }

    [SkippableFact]
    public void The_same_definition_twice_in_one_import_is_refused_and_nothing_is_written()
    {
        var a = Doc("backend: memstore\nimplements: [keyvalue_basic]\n", "/tmp/a.yaml");
        var b = Doc("backend: memstore\nimplements: [keyvalue_ttl]\n", "/tmp/b.yaml");
        var ex = Assert.Throws<YamlImportException>(() => _store.ImportRegistry([a, b]));
        Assert.Contains("defined twice", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_store.GetRegistry());
    }

    [SkippableFact]
    public void A_missing_required_slot_is_refused_naming_namespace_slot_required_and_given()
    {
        LoadFixtures();
        var ns = Slotted("stateful", ("state_store", "memstore", ["keyvalue_basic"]));
        var ex = Assert.Throws<RegistryValidationException>(() => _store.Create(ns));
        Assert.Equal("ValidationFailed", ex.ErrorId);
        Assert.Equal(PrismErrorKind.Validation, ex.Kind);
        Assert.Equal("message_source", ex.Slot);
        Assert.Contains("Namespace 'stateful', slot 'message_source': pattern 'consumer' requires the slot 'message_source' (pubsub_basic, or instead queue_basic); given the slots: state_store.", ex.Message, StringComparison.Ordinal);
        Assert.Null(_store.TryGet("stateful"));
    }

    [SkippableFact]
    public void A_slot_the_pattern_does_not_have_is_refused_with_a_suggestion()
    {
        LoadFixtures();
        var ns = Slotted("typo-slot", ("message_source", "kafka", ["pubsub_basic"]), ("state_stor", "memstore", ["keyvalue_basic"]));
        var ex = Assert.Throws<RegistryValidationException>(() => _store.Create(ns));
        Assert.Equal("state_stor", ex.Slot);
        Assert.Contains("pattern 'consumer' has no slot 'state_stor'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'state_store'?", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_slot_whose_interfaces_do_not_satisfy_the_pattern_is_refused()
    {
        LoadFixtures();
        var ns = Slotted("wrong-iface", ("message_source", "memstore", ["keyvalue_basic"]));
        var ex = Assert.Throws<RegistryValidationException>(() => _store.Create(ns));
        Assert.Equal("slots.message_source.interfaces", ex.Field);
        Assert.Equal("pubsub_basic, or instead queue_basic", ex.Required);
        Assert.Equal("keyvalue_basic", ex.Given);
        Assert.Contains("Namespace 'wrong-iface', slot 'message_source': pattern 'consumer' requires the interfaces pubsub_basic, or instead queue_basic; given: keyvalue_basic.", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void An_alternative_interface_is_accepted()
    {
        LoadFixtures();
        var ns = Slotted("queue-fed", ("message_source", "rabbitmq", ["queue_basic"]));
        Assert.Empty(_store.CheckRegistry(ns, strict: true));
        Assert.Equal(1, _store.Create(ns, new WriteContext { Strict = true }).Version);
    }

    [SkippableFact]
    public void An_interface_the_backend_only_plans_is_refused_and_the_message_says_planned()
    {
        LoadFixtures();
        var ns = Slotted("pg-dlq", ("message_source", "kafka", ["pubsub_basic"]), ("dead_letter_queue", "postgres", ["queue_basic", "queue_visibility"]));
        var ex = Assert.Throws<RegistryValidationException>(() => _store.Create(ns));
        Assert.Equal("dead_letter_queue", ex.Slot);
        Assert.Contains("backend 'postgres' lists the interface queue_basic as planned, not implemented", ex.Message, StringComparison.Ordinal);
        Assert.Contains("it implements keyvalue_basic, keyvalue_scan", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void An_interface_the_backend_does_not_list_is_refused()
    {
        LoadFixtures();
        var ns = Slotted("mem-scan", ("message_source", "kafka", ["pubsub_basic"]), ("state_store", "memstore", ["keyvalue_basic", "keyvalue_scan"]));
        var ex = Assert.Throws<RegistryValidationException>(() => _store.Create(ns));
        Assert.Contains("backend 'memstore' does not implement the interface keyvalue_scan; it implements keyvalue_basic, keyvalue_ttl", ex.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("KeyValueBasicInterface", "keyvalue_basic")]
    [InlineData("PubSubInterface", "pubsub_basic")]
    [InlineData("PubSubBasicInterface", "pubsub_basic")]
    [InlineData("KeyValueTTLInterface", "keyvalue_ttl")]
    public void Interface_names_compare_normalised(string written, string registry)
    {
        Assert.Equal(NamespaceValidator.InterfaceKey(registry), NamespaceValidator.InterfaceKey(written));
    }

    [SkippableFact]
    public void Class_style_interface_names_satisfy_the_registry()
    {
        LoadFixtures();
        var ns = Slotted("class-names", ("message_source", "kafka", ["PubSubInterface"]), ("state_store", "memstore", ["KeyValueBasicInterface", "KeyValueTTLInterface"]));
        Assert.Empty(_store.CheckRegistry(ns, strict: true));
    }

    [SkippableTheory]
    [InlineData("max_retries", "three", "the behaviour parameter 'max_retries' of pattern 'consumer' must be an integer; given: 'three'.")]
    [InlineData("max_retries", -1, "the behaviour parameter 'max_retries' of pattern 'consumer' must be at least 0; given: -1.")]
    [InlineData("auto_commit", "yes", "the behaviour parameter 'auto_commit' of pattern 'consumer' must be a boolean (true or false); given: 'yes'.")]
    [InlineData("commit_interval", "five seconds", "the behaviour parameter 'commit_interval' of pattern 'consumer' must be a duration such as 5s; given: 'five seconds'.")]
    [InlineData("consumer_group", 7, "the behaviour parameter 'consumer_group' of pattern 'consumer' must be a string; given: 7.")]
    public void A_parameter_of_the_wrong_type_or_below_its_minimum_is_refused(string parameter, object value, string message)
    {
        LoadFixtures();
        var ns = Slotted("bad-param", ("message_source", "kafka", ["pubsub_basic"]));
        ns.Behavior[parameter] = value;
        var ex = Assert.Throws<RegistryValidationException>(() => _store.Create(ns));
        Assert.Equal($"behavior.{parameter}", ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_missing_required_parameter_is_refused_and_durations_such_as_1m30s_pass()
    {
        LoadFixtures();
        var ns = Slotted("no-group", ("message_source", "kafka", ["pubsub_basic"]));
        ns.Behavior = new Hashtable { ["commit_interval"] = "1m30s" };
        var ex = Assert.Throws<RegistryValidationException>(() => _store.Create(ns));
        Assert.Contains("pattern 'consumer' requires the behaviour parameter 'consumer_group' (a string); given: none.", ex.Message, StringComparison.Ordinal);
        ns.Behavior["consumer_group"] = "g";
        _store.Create(ns);
    }

    [SkippableFact]
    public void An_unknown_backend_is_accepted_with_a_warning_and_a_suggestion_and_refused_when_strict()
    {
        LoadFixtures();
        var ns = Slotted("typo-backend", ("message_source", "kafak", ["pubsub_basic"]));
        var warning = Assert.Single(_store.CheckRegistry(ns));
        Assert.Equal("slots.message_source.backend", warning.Field);
        Assert.Equal("kafka", warning.Suggestion);
        Assert.Contains("the backend of slot 'message_source' 'kafak' is not defined in the registry. Did you mean 'kafka'?", warning.Message, StringComparison.Ordinal);

        var strict = Assert.Throws<RegistryValidationException>(() => _store.Create(ns, new WriteContext { Strict = true }));
        Assert.Equal("ValidationFailed", strict.ErrorId);
        Assert.Contains("Did you mean 'kafka'?", strict.Message, StringComparison.Ordinal);
        Assert.Null(_store.TryGet("typo-backend"));
        Assert.Equal(1, _store.Create(ns).Version);
    }

    [SkippableFact]
    public void An_unknown_pattern_suggests_from_an_abbreviation()
    {
        LoadFixtures();
        var warning = Assert.Single(_store.CheckRegistry(T.Ns("abbrev", "memstore", "cons")));
        Assert.Equal("pattern", warning.Field);
        Assert.Equal("consumer", warning.Suggestion);
    }

    [SkippableFact]
    public void Updates_restores_and_imports_are_checked_too()
    {
        LoadFixtures();
        var ns = Slotted("checked", ("message_source", "kafka", ["pubsub_basic"]));
        _store.Create(ns);
        var patch = new NamespacePatch { Slots = new SlotTable { ["message_source"] = new NamespaceSlot { Backend = "memstore", Interfaces = ["keyvalue_basic"] } } };
        Assert.Throws<RegistryValidationException>(() => _store.Update("checked", patch));

        var typo = new NamespacePatch { Slots = new SlotTable { ["message_source"] = new NamespaceSlot { Backend = "kafak", Interfaces = ["pubsub_basic"] } } };
        var plan = _store.PlanUpdate("checked", typo);
        Assert.Equal("kafka", Assert.Single(plan.Warnings).Suggestion);
        Assert.Throws<RegistryValidationException>(() => _store.Apply(plan, new WriteContext { Strict = true }));
        Assert.Equal(2, _store.Apply(plan).Config.Version);

        var bad = Slotted("imported-bad", ("message_source", "memstore", ["keyvalue_basic"]));
        Assert.Throws<RegistryValidationException>(() => _store.Import([Slotted("imported-good", ("message_source", "kafka", ["pubsub_basic"])), bad]));
        Assert.Null(_store.TryGet("imported-good"));

        // Version 1 was valid when written; a registry that no longer allows it refuses the restore.
        _store.ImportRegistry([Doc("name: kafka\ninterfaces:\n  pubsub:\n    - { interface: pubsub_basic, status: planned }\n", "/tmp/backends/kafka.yaml")]);
        var refused = Assert.Throws<RegistryValidationException>(() => _store.Restore("checked", 1));
        Assert.Contains("as planned", refused.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_registry_changed_through_another_handle_is_enforced_on_the_next_write_here()
    {
        LoadFixtures();
        var ns = Slotted("watched", ("message_source", "kafka", ["pubsub_basic"]));
        _store.Create(ns);
        // Writes that leave the registry alone, so this handle has read and kept it.
        _store.Update("watched", new NamespacePatch { Description = "one" });
        _store.Update("watched", new NamespacePatch { Description = "two" });
        using (var other = _engine.OpenAnother())
        {
            other.ImportRegistry([Doc("name: kafka\ninterfaces:\n  pubsub:\n    - { interface: pubsub_basic, status: planned }\n", "/tmp/backends/kafka.yaml")]);
        }
        var refused = Assert.Throws<RegistryValidationException>(() => _store.Update("watched", new NamespacePatch { Description = "three" }));
        Assert.Contains("as planned", refused.Message, StringComparison.Ordinal);
        Assert.Equal("two", _store.Get("watched").Description);
    }

    [SkippableFact]
    public void The_health_check_reports_every_namespace_the_current_registry_refuses()
    {
        LoadFixtures();
        _store.Create(Slotted("was-fine", ("message_source", "kafka", ["pubsub_basic"])));
        _store.Create(T.Ns("adr-form", "memstore", "keyvalue"));
        Assert.True(_store.CheckHealth().IsHealthy, string.Join("\n", _store.CheckHealth().Problems));

        _store.ImportRegistry([Doc("name: kafka\ninterfaces:\n  stream:\n    - interface: stream_basic\n", "/tmp/backends/kafka.yaml")]);
        var problem = Assert.Single(_store.CheckHealth().Problems);
        Assert.StartsWith("registry: Namespace 'was-fine', slot 'message_source': backend 'kafka' does not implement the interface pubsub_basic", problem, StringComparison.Ordinal);
        Assert.Equal([problem], _store.RegistryViolations());
    }

    [SkippableFact]
    public void Defaults_are_shown_but_never_written()
    {
        LoadFixtures();
        var ns = Slotted("defaults", ("message_source", "kafka", ["pubsub_basic"]));
        ns.Behavior["max_retries"] = 9;
        var created = _store.Create(ns);
        var defaults = _store.BehaviorDefaults(created);
        Assert.Equal(true, defaults["auto_commit"]);
        Assert.Equal("5s", defaults["commit_interval"]);
        Assert.False(defaults.ContainsKey("max_retries"));
        Assert.False(_store.Get("defaults").Behavior.ContainsKey("auto_commit"));
        Assert.DoesNotContain("auto_commit", Assert.Single(_store.GetHistory()).NewConfig!.Behavior.Keys.Cast<string>());
    }

    [SkippableFact]
    public void A_registry_survives_a_backup_and_restore()
    {
        LoadFixtures();
        var backup = _store.BackupTo(_dir.File("backup.db"));
        Assert.True(ConfigStore.CheckBackup(backup.FullName).IsHealthy);
        using var other = T.OpenNew(_dir.File("other.db"));
        other.RestoreFrom(backup.FullName);
        Assert.Equal(_store.GetRegistry().Select(d => d.Name), other.GetRegistry().Select(d => d.Name));
    }
}

public sealed class SqliteRegistryTests() : RegistryTests(new SqliteEngineUnderTest());

public sealed class PostgresRegistryTests() : RegistryTests(new PostgresEngineUnderTest());
