using System.Collections;

namespace PrismConfig.Core.Tests;

/// <summary>Prism's slot model (pattern version, slots, behaviour), engine-neutral.</summary>
public abstract partial class StoreContractTests
{
    internal static NamespaceConfig Consumer(string name = "payment-processor")
    {
        var ns = new NamespaceConfig { Name = name, Pattern = "consumer", PatternVersion = "v1", Description = "Processes payment events" };
        ns.Slots.Add("message_source", new NamespaceSlot
        {
            Backend = "kafka",
            Interfaces = ["pubsub_basic", "pubsub_persistent"],
            Config = new Hashtable { ["connection"] = "kafka://kafka:9092", ["topic"] = "payments.pending", ["servers"] = new object[] { "a:1", "b:2" } },
        });
        ns.Slots.Add("state_store", new NamespaceSlot
        {
            Backend = "postgres",
            Interfaces = ["KeyValueBasicInterface"],
            Config = new Hashtable { ["connection"] = "postgresql://prism:s3cret@db:5432/prism", ["table"] = "consumer_state", ["pool"] = new Hashtable { ["max"] = 20 } },
        });
        ns.Behavior = new Hashtable { ["consumer_group"] = "g", ["max_retries"] = 5, ["auto_commit"] = false, ["retry"] = new Hashtable { ["backoff"] = new object[] { 1, 2 } } };
        return ns;
    }

    [SkippableFact]
    public void Slot_namespace_round_trips_in_order_and_fills_the_adr_columns_from_its_first_slot()
    {
        _store.Create(Consumer());
        var got = _store.Get("payment-processor");
        Assert.Equal("v1", got.PatternVersion);
        Assert.Equal(["message_source", "state_store"], got.Slots.Entries().Select(e => e.Name));
        Assert.Equal("kafka", got.Backend);
        Assert.Equal("payments.pending", got.BackendConfig["topic"]);
        Assert.Equal(["kafka", "postgres"], got.Backends);
        Assert.Equal(["KeyValueBasicInterface"], got.Slots.Get("state_store")!.Interfaces);
        Assert.Equal(20, ((Hashtable)got.Slots.Get("state_store")!.Config["pool"]!)["max"]);
        Assert.Equal(new object[] { 1, 2 }, (object[])((Hashtable)got.Behavior["retry"]!)["backoff"]!);
        Assert.True(_store.CheckHealth().IsHealthy, string.Join("\n", _store.CheckHealth().Problems));
        // Same content again is a no-op.
        var again = _store.Update("payment-processor", new NamespacePatch { Slots = Consumer().Slots, Behavior = Consumer().Behavior });
        Assert.False(again.Changed);
    }

    [SkippableFact]
    public void Backend_filter_matches_any_slot_and_slot_filter_narrows_it()
    {
        _store.Create(Consumer());
        _store.Create(T.Ns("plain-pg", "postgres"));
        _store.Create(T.Ns("plain-redis", "redis"));
        Assert.Equal(["payment-processor", "plain-pg"], _store.List(new NamespaceQuery { Backends = ["postgres"] }).Select(n => n.Name));
        Assert.Equal(["payment-processor"], _store.List(new NamespaceQuery { Slots = ["state_store"], Backends = ["postgres"] }).Select(n => n.Name));
        Assert.Empty(_store.List(new NamespaceQuery { Slots = ["message_source"], Backends = ["postgres"] }));
        Assert.Equal(["payment-processor"], _store.List(new NamespaceQuery { Slots = ["message_source"] }).Select(n => n.Name));
    }

    [SkippableFact]
    public void Slot_changes_are_field_level_diffs_and_restore_to_any_version()
    {
        _store.Create(Consumer());
        var slot = Consumer().Slots.Get("state_store")!.Clone();
        slot.Config["table"] = "consumer_state_v2";
        var patch = new SlotTable { { "state_store", slot } };
        var r = _store.Update("payment-processor", new NamespacePatch { Slots = patch, Behavior = new Hashtable { ["consumer_group"] = "g" } });
        Assert.Contains(r.Changes, c => c.Property == "Slots.state_store.Config.table" && (string?)c.NewValue == "consumer_state_v2");
        Assert.Contains(r.Changes, c => c.Property == "Behavior.max_retries");
        Assert.DoesNotContain(r.Changes, c => c.Property.StartsWith("BackendConfig", StringComparison.Ordinal));

        var removed = _store.Update("payment-processor", new NamespacePatch { RemoveSlot = ["state_store"] });
        Assert.Contains(removed.Changes, c => c.Property == "Slots.state_store" && c.NewValue is null);
        Assert.Throws<VersionConflictException>(() => _store.Update("payment-processor", new NamespacePatch { PatternVersion = "v2" }, new WriteContext { ExpectedVersion = 1 }));

        _store.Restore("payment-processor", 1);
        var back = _store.Get("payment-processor");
        Assert.Equal("consumer_state", back.Slots.Get("state_store")!.Config["table"]);
        Assert.Equal(5, back.Behavior["max_retries"]);
        Assert.Equal(4, back.Version);
    }

    [SkippableFact]
    public void Slot_namespace_refuses_direct_backend_edits_and_bad_names()
    {
        _store.Create(Consumer());
        Assert.Throws<ValidationException>(() => _store.Update("payment-processor", new NamespacePatch { Backend = "redis" }));
        Assert.Throws<ValidationException>(() => _store.Update("payment-processor", new NamespacePatch { RemoveSlot = ["message_source", "state_store"] }));
        var bad = Consumer("bad-slot");
        bad.Slots.Add("Not-Snake", new NamespaceSlot { Backend = "redis" });
        Assert.Throws<ValidationException>(() => _store.Create(bad));
        var twice = Consumer("twice-ns");
        twice.Slots.Get("state_store")!.Interfaces = ["keyvalue_basic", "KeyValueBasicInterface"];
        Assert.Throws<ValidationException>(() => _store.Create(twice));
    }

    [SkippableFact]
    public void Single_backend_namespaces_keep_their_snapshot_shape()
    {
        _store.Create(T.Ns("plain-ns"));
        var history = Assert.Single(_store.GetHistory());
        Assert.NotNull(history);
        var snapshot = Store.Snapshot.Serialize(_store.Get("plain-ns"));
        Assert.DoesNotContain("slots", snapshot, StringComparison.Ordinal);
        Assert.DoesNotContain("behavior", snapshot, StringComparison.Ordinal);
        Assert.DoesNotContain("pattern_version", snapshot, StringComparison.Ordinal);
    }
}
