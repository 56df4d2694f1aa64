using System.Globalization;
using Dapper;

namespace PrismConfig.Core.Engines;

/// <summary>
/// What differs between the SQL engines in the queries they share: how a removed row is recognised, how its shown
/// name is computed, and how a user's wildcard becomes a pattern. Everything else in a filtered SELECT is the same SQL.
/// </summary>
internal abstract class SqlFlavor
{
    /// <summary>The namespace columns aliased to <see cref="NamespaceRow"/>, from <c>namespaces n</c>, features folded in.</summary>
    public abstract string SelectNamespaceColumns { get; }

    /// <summary>The history columns aliased to <see cref="HistoryRow"/>, from <c>namespace_history h JOIN namespaces n</c>.</summary>
    public abstract string SelectHistory { get; }

    /// <summary>
    /// Leaves out removed namespaces: Remove renames a row to <c>~removed~&lt;id&gt;~&lt;name&gt;</c> (a name no
    /// namespace can have, since names never hold '~') and disables it, so history keeps its namespace_id.
    /// </summary>
    public abstract string Live { get; }

    /// <summary>The name a namespace had, removed or not: the part of a tombstone name after its row id.</summary>
    public abstract string ShownName { get; }

    /// <summary>"column matches @parameter", for a pattern made by <see cref="Pattern"/>.</summary>
    public abstract string Matches(string column, string parameter);

    /// <summary>A user pattern where only * and ? are special, as this engine's pattern that matches the rest literally.</summary>
    public abstract string Pattern(string wildcard);
}

/// <summary>The filtered SELECTs every SQL engine runs, built from its <see cref="SqlFlavor"/>.</summary>
internal static class SqlQueries
{
    /// <summary>
    /// A namespace SELECT with every filter pushed into SQL (so the ADR's indexes are used), sorted by name. Each
    /// tag is a lookup in namespace_tags, so a tag filter costs in proportion to its matches.
    /// </summary>
    public static string SelectNamespaces(SqlFlavor flavor, NamespaceQuery? q, DynamicParameters parameters)
    {
        var where = new List<string> { flavor.Live };
        if (q?.Names is { Count: > 0 } names) where.Add(NameFilter(flavor, "n.name", names, parameters, "n"));
        if (q?.Slots is { Count: > 0 } slots)
        {
            // -Slot x -Backend y: y in slot x. Without -Backend: any namespace that fills slot x.
            var inSlot = InFilter("s.slot_name", slots, parameters, "sl");
            if (q.Backends is { Count: > 0 } slotBackends) inSlot += " AND " + InFilter("s.backend", slotBackends, parameters, "b");
            where.Add($"n.id IN (SELECT s.namespace_id FROM namespace_slots s WHERE {inSlot})");
        }
        else if (q?.Backends is { Count: > 0 } backends)
        {
            // The ADR's column (every single-backend namespace, and a slot namespace's first slot) or any slot.
            where.Add("(" + InFilter("n.backend", backends, parameters, "b") + " OR n.id IN (SELECT s.namespace_id FROM namespace_slots s WHERE "
                + InFilter("s.backend", backends, parameters, "sb") + "))");
        }
        if (q?.Patterns is { Count: > 0 } patterns) where.Add(InFilter("n.pattern", patterns, parameters, "p"));
        if (q?.Statuses is { Count: > 0 } statuses) where.Add(InFilter("n.status", statuses, parameters, "s"));
        if (q?.Tags is { Count: > 0 } tags) where.Add(TagIndexFilter("n.id", tags, parameters, "t"));
        return flavor.SelectNamespaceColumns + " WHERE " + string.Join(" AND ", where) + " ORDER BY n.name";
    }

    /// <summary>A history SELECT with the query's filters; oldest first, or the newest <c>Last</c> (newest first, the caller reverses).</summary>
    public static string SelectHistoryEntries(SqlFlavor flavor, HistoryQuery? q, DynamicParameters parameters)
    {
        var where = new List<string>();
        if (q?.IncludeRemoved != true && q?.NamespaceId is null) where.Add(flavor.Live);
        if (q?.Names is { Count: > 0 } names) where.Add(NameFilter(flavor, flavor.ShownName, names, parameters, "n"));
        if (q?.Operations is { Count: > 0 } ops) where.Add(InFilter("h.operation", ops, parameters, "o"));
        if (q?.Since is { } since)
        {
            parameters.Add("since", since.ToUnixTimeSeconds());
            where.Add("h.changed_at >= @since");
        }
        if (q?.Until is { } until)
        {
            parameters.Add("until", until.ToUnixTimeSeconds());
            where.Add("h.changed_at <= @until");
        }
        if (q?.ChangedBy is { } by)
        {
            parameters.Add("changed_by", by);
            where.Add("h.changed_by = @changed_by");
        }
        if (q?.NamespaceId is { } id)
        {
            parameters.Add("namespace_id", id);
            where.Add("h.namespace_id = @namespace_id");
        }
        if (q?.Version is { } version)
        {
            parameters.Add("version", (long)version);
            where.Add("h.version = @version");
        }
        if (q?.AfterRevision is { } after)
        {
            parameters.Add("after_revision", after);
            if (q.AfterId is { } afterId)
            {
                parameters.Add("after_id", afterId);
                where.Add("(h.revision > @after_revision OR (h.revision = @after_revision AND h.id > @after_id))");
            }
            else
            {
                where.Add("h.revision > @after_revision");
            }
        }
        var sql = flavor.SelectHistory + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "");
        if (q?.Last is { } last)
        {
            parameters.Add("last", (long)last);
            return sql + " ORDER BY h.id DESC LIMIT @last";
        }
        return sql + " ORDER BY h.id";
    }

    /// <summary>Builds "(col matches @p0 OR col matches @p1)" for name patterns using * and ? only.</summary>
    public static string NameFilter(SqlFlavor flavor, string column, IReadOnlyList<string> patterns, DynamicParameters parameters, string prefix)
    {
        var parts = new List<string>(patterns.Count);
        for (var i = 0; i < patterns.Count; i++)
        {
            var p = prefix + i.ToString(CultureInfo.InvariantCulture);
            parameters.Add(p, flavor.Pattern(patterns[i]));
            parts.Add(flavor.Matches(column, "@" + p));
        }
        return "(" + string.Join(" OR ", parts) + ")";
    }

    /// <summary>Builds "col IN (@p0, @p1)".</summary>
    /// <remarks>
    /// Every value these filters compare (backend, pattern, status, slot, tag, operation) is stored in lower case, so
    /// a filter matches in any case, as names and wildcards do.
    /// </remarks>
    public static string InFilter(string column, IReadOnlyList<string> values, DynamicParameters parameters, string prefix)
    {
        var names = new List<string>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var p = prefix + i.ToString(CultureInfo.InvariantCulture);
            parameters.Add(p, values[i]?.ToLowerInvariant());
            names.Add("@" + p);
        }
        return $"{column} IN ({string.Join(", ", names)})";
    }

    /// <summary>Every given tag must be in namespace_tags for the namespace: "id IN (…)" drives the query from the tag index.</summary>
    public static string TagIndexFilter(string idColumn, IReadOnlyList<string> tags, DynamicParameters parameters, string prefix)
    {
        var parts = new List<string>(tags.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            var p = prefix + i.ToString(CultureInfo.InvariantCulture);
            parameters.Add(p, tags[i]?.ToLowerInvariant());
            parts.Add($"{idColumn} IN (SELECT namespace_id FROM namespace_tags WHERE tag = @{p})");
        }
        return string.Join(" AND ", parts);
    }

    // --- The registry: standard SQL, the same on every SQL engine ---------------------------------------------

    public const string SelectRegistry = """
        SELECT id AS Id, kind AS Kind, name AS Name, document AS Document, source AS Source, version AS Version,
               created_at AS CreatedAt, updated_at AS UpdatedAt, created_by AS CreatedBy, updated_by AS UpdatedBy
          FROM registry_definitions ORDER BY kind, name
        """;

    public const string UpdateRegistryDefinition = """
        UPDATE registry_definitions
           SET document = @Document, source = @Source, version = @Version, updated_at = @UpdatedAt, updated_by = @UpdatedBy
         WHERE id = @Id AND version = @ExpectedVersion
        """;

    public const string InsertRegistryHistory = """
        INSERT INTO registry_history (definition_id, version, operation, changed_at, changed_by, reason, old_document, new_document)
        VALUES (@DefinitionId, @Version, @Operation, @ChangedAt, @ChangedBy, @Reason, @OldDocument, @NewDocument)
        """;

    public const string InsertDumpRegistry = """
        INSERT INTO registry_definitions (id, kind, name, document, source, version, created_at, updated_at, created_by, updated_by)
        VALUES (@Id, @Kind, @Name, @Document, @Source, @Version, @CreatedAt, @UpdatedAt, @CreatedBy, @UpdatedBy)
        """;

    public const string InsertDumpRegistryHistory = """
        INSERT INTO registry_history (id, definition_id, version, operation, changed_at, changed_by, reason, old_document, new_document)
        VALUES (@Id, @DefinitionId, @Version, @Operation, @ChangedAt, @ChangedBy, @Reason, @OldDocument, @NewDocument)
        """;

    public const string DumpRegistryHistory = """
        SELECT id AS Id, definition_id AS DefinitionId, version AS Version, operation AS Operation, changed_at AS ChangedAt,
               changed_by AS ChangedBy, reason AS Reason, old_document AS OldDocument, new_document AS NewDocument
          FROM registry_history ORDER BY id
        """;

    // --- Whole-store and incremental copies: standard SQL, the same on every SQL engine -------------------------

    private const string DumpNamespaceColumns = """
        SELECT id, name, description, backend, pattern, status, consistency, cache_ttl_seconds, rate_limit_rps, backend_config,
               tags, version, created_at, updated_at, created_by, updated_by, NULL, pattern_version, behavior, slots
          FROM namespaces
        """;

    private const string DumpHistoryColumns = """
        SELECT id, namespace_id, operation, changed_at, changed_by, old_config, new_config, version, reason, revision
          FROM namespace_history
        """;

    private const string DumpFeatureColumns = "SELECT namespace_id, feature_name, enabled, updated_at FROM namespace_features";

    public const string DumpNamespaces = DumpNamespaceColumns + " ORDER BY id";

    public const string DumpFeatures = DumpFeatureColumns + " ORDER BY namespace_id, feature_name";

    public const string DumpHistory = DumpHistoryColumns + " ORDER BY id";

    /// <summary>The namespaces that changes after revision @after touched, as they are now.</summary>
    public const string ChangedNamespaces = DumpNamespaceColumns
        + " WHERE id IN (SELECT namespace_id FROM namespace_history WHERE revision > @after) ORDER BY id";

    public const string ChangedFeatures = DumpFeatureColumns
        + " WHERE namespace_id IN (SELECT namespace_id FROM namespace_history WHERE revision > @after) ORDER BY namespace_id, feature_name";

    /// <summary>Read by revision, never by id: ids come from a sequence, and a sequence can commit out of order.</summary>
    public const string HistoryAfter = DumpHistoryColumns + " WHERE revision > @after ORDER BY revision, id";

    public const string CountRegistryHistory = "SELECT COUNT(*) FROM registry_history";
}
