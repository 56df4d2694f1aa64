namespace PrismConfig.Core.Engines.Sqlite;

/// <summary>Every SQL statement the SQLite engine sends, in one place. Parameters use the $name form.</summary>
internal static class SqliteDialect
{
    /// <summary>The ADR-036 schema, verbatim, followed by the columns and indexes this implementation adds.</summary>
    public static readonly string[] MigrationTo1 =
    [
        // --- ADR-036, verbatim -------------------------------------------------------------------------
        """
        CREATE TABLE namespaces (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            backend TEXT NOT NULL,  -- 'postgres', 'redis', etc.
            pattern TEXT NOT NULL,  -- 'keyvalue', 'stream', etc.
            status TEXT NOT NULL DEFAULT 'active',  -- 'active', 'disabled', 'migrating'

            -- Backend configuration (JSON blob)
            backend_config TEXT NOT NULL,

            -- Access pattern settings
            consistency TEXT NOT NULL DEFAULT 'eventual',
            cache_ttl_seconds INTEGER,
            rate_limit_rps INTEGER,

            -- Operational metadata
            created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
            updated_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
            created_by TEXT,

            -- Tags for filtering
            tags TEXT,  -- JSON array: ["production", "high-traffic"]

            CHECK(status IN ('active', 'disabled', 'migrating'))
        )
        """,
        "CREATE INDEX idx_namespaces_backend ON namespaces(backend)",
        "CREATE INDEX idx_namespaces_status ON namespaces(status)",
        "CREATE INDEX idx_namespaces_pattern ON namespaces(pattern)",
        """
        CREATE TABLE namespace_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            namespace_id INTEGER NOT NULL,
            operation TEXT NOT NULL,  -- 'create', 'update', 'delete'
            changed_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
            changed_by TEXT,
            old_config TEXT,  -- JSON snapshot before change
            new_config TEXT,  -- JSON snapshot after change

            FOREIGN KEY(namespace_id) REFERENCES namespaces(id)
        )
        """,
        "CREATE INDEX idx_history_namespace ON namespace_history(namespace_id)",
        "CREATE INDEX idx_history_changed_at ON namespace_history(changed_at)",
        """
        CREATE TABLE namespace_features (
            namespace_id INTEGER NOT NULL,
            feature_name TEXT NOT NULL,
            enabled BOOLEAN NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),

            PRIMARY KEY(namespace_id, feature_name),
            FOREIGN KEY(namespace_id) REFERENCES namespaces(id) ON DELETE CASCADE
        )
        """,
        // --- Additions (allowed by the issue: columns and indexes only) -------------------------------
        "ALTER TABLE namespaces ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE namespaces ADD COLUMN updated_by TEXT",
        "ALTER TABLE namespaces ADD COLUMN description TEXT",
        "ALTER TABLE namespace_history ADD COLUMN version INTEGER",
        "ALTER TABLE namespace_history ADD COLUMN reason TEXT",
        "CREATE UNIQUE INDEX ux_history_namespace_version ON namespace_history(namespace_id, version)",
        .. TagIndex,
    ];

    /// <summary>
    /// A side index of tags, so a tag filter reads the matching namespaces instead of running json_each over every
    /// row. namespaces.tags stays the ADR's column and the source of truth; triggers keep this table equal to it
    /// inside the same transaction as every write, whoever writes (a proxy's own tooling included).
    /// </summary>
    private static string[] TagIndex =>
    [
        """
        CREATE TABLE IF NOT EXISTS namespace_tags (
            tag TEXT NOT NULL,
            namespace_id INTEGER NOT NULL REFERENCES namespaces(id) ON DELETE CASCADE,
            PRIMARY KEY(tag, namespace_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS idx_namespace_tags_namespace ON namespace_tags(namespace_id)",
        """
        CREATE TRIGGER IF NOT EXISTS trg_namespace_tags_insert AFTER INSERT ON namespaces
        BEGIN
            INSERT OR IGNORE INTO namespace_tags (tag, namespace_id)
            SELECT j.value, NEW.id FROM json_each(CASE WHEN json_valid(NEW.tags) THEN NEW.tags END) j WHERE j.type = 'text';
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS trg_namespace_tags_update AFTER UPDATE OF tags ON namespaces WHEN OLD.tags IS NOT NEW.tags
        BEGIN
            DELETE FROM namespace_tags WHERE namespace_id = NEW.id;
            INSERT OR IGNORE INTO namespace_tags (tag, namespace_id)
            SELECT j.value, NEW.id FROM json_each(CASE WHEN json_valid(NEW.tags) THEN NEW.tags END) j WHERE j.type = 'text';
        END
        """,
    ];

    /// <summary>The tables a database must have to be a PrismConfig store.</summary>
    public static readonly string[] RequiredTables = ["namespaces", "namespace_history", "namespace_features", "namespace_tags"];

    /// <summary>The tables a store at <paramref name="schemaVersion"/> must have.</summary>
    public static IEnumerable<string> RequiredTablesFor(int schemaVersion)
    {
        IEnumerable<string> tables = schemaVersion switch
        {
            >= 3 => [.. RequiredTables, "namespace_slots", "store_state"],
            2 => [.. RequiredTables, "namespace_slots"],
            _ => RequiredTables,
        };
        return schemaVersion >= RegistrySchemaVersion ? [.. tables, .. RegistryTables] : tables;
    }

    /// <summary>
    /// The schema version that adds the registry. Its migration is one self-contained step
    /// (<see cref="RegistryMigration"/>) so that it can be renumbered without touching any other step.
    /// </summary>
    public const int RegistrySchemaVersion = 4;

    public static readonly string[] RegistryTables = ["registry_definitions", "registry_history"];

    /// <summary>
    /// Prism's pattern and backend registry, additive only: one row per definition, holding the whole document as
    /// JSON (unknown keys included), versioned like a namespace, and a history row per change like namespace_history.
    /// A store with no rows here has no registry and checks nothing against it.
    /// </summary>
    public static readonly string[] RegistryMigration =
    [
        """
        CREATE TABLE registry_definitions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('pattern', 'backend')),
            name TEXT NOT NULL,
            document TEXT NOT NULL,    -- JSON object: the definition as imported
            source TEXT,               -- the file it was last imported from
            version INTEGER NOT NULL DEFAULT 1,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            created_by TEXT,
            updated_by TEXT,
            UNIQUE(kind, name)
        )
        """,
        """
        CREATE TABLE registry_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            definition_id INTEGER NOT NULL REFERENCES registry_definitions(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            operation TEXT NOT NULL,   -- create, update
            changed_at INTEGER NOT NULL,
            changed_by TEXT,
            reason TEXT,
            old_document TEXT,
            new_document TEXT NOT NULL,
            UNIQUE(definition_id, version)
        )
        """,
    ];

    public const string SelectRegistryHistory = """
        SELECT d.kind AS Kind, d.name AS Name, h.version AS Version, h.operation AS Operation, h.changed_at AS ChangedAt,
               h.changed_by AS ChangedBy, h.reason AS Reason, h.old_document AS OldDocument, h.new_document AS NewDocument
          FROM registry_history h JOIN registry_definitions d ON d.id = h.definition_id
         WHERE (@kind IS NULL OR d.kind = @kind) AND (@name IS NULL OR d.name = @name)
         ORDER BY h.changed_at, h.id
        """;

    public const string InsertRegistryDefinition = """
        INSERT INTO registry_definitions (kind, name, document, source, version, created_at, updated_at, created_by, updated_by)
        VALUES (@Kind, @Name, @Document, @Source, @Version, @CreatedAt, @UpdatedAt, @CreatedBy, @UpdatedBy)
        """;

    /// <summary>
    /// Schema 3: one store-wide revision. Every committed write takes the next value of a one-row counter inside its
    /// transaction and records it on its history rows, so revision order is commit order and a reader that has seen
    /// revision N can ask for everything after N. The epoch names this store's history: a whole-store restore gives
    /// it a new one, so a replica knows its revisions no longer mean the same changes. Existing history rows take
    /// their row ids as revisions, which is their commit order.
    /// </summary>
    public static readonly string[] MigrationTo3 =
    [
        "ALTER TABLE namespace_history ADD COLUMN revision INTEGER",
        "UPDATE namespace_history SET revision = id",
        "CREATE INDEX idx_history_revision ON namespace_history(revision)",
        "CREATE TABLE store_state (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL, epoch TEXT NOT NULL)",
        "INSERT INTO store_state (id, revision, epoch) SELECT 1, COALESCE(MAX(revision), 0), lower(hex(randomblob(16))) FROM namespace_history",
    ];

    /// <summary>Takes the next revision; the write transaction holds it until it commits or rolls back.</summary>
    public const string TakeRevision = "UPDATE store_state SET revision = revision + 1 WHERE id = 1 RETURNING revision";

    public const string SelectState = "SELECT revision, epoch FROM store_state WHERE id = 1";

    public const string NewEpoch = "UPDATE store_state SET epoch = lower(hex(randomblob(16))) WHERE id = 1";

    /// <summary>The lowest and highest revision on history rows, how many distinct ones, and how many rows lack one.</summary>
    public const string RevisionSummary = """
        SELECT MIN(revision) AS MinRevision, MAX(revision) AS MaxRevision, COUNT(DISTINCT revision) AS DistinctRevisions,
               SUM(CASE WHEN revision IS NULL THEN 1 ELSE 0 END) AS MissingRevisions,
               (SELECT revision FROM store_state WHERE id = 1) AS StoreRevision
          FROM namespace_history
        """;

    /// <summary>
    /// Schema 2: Prism's slot model, additive only. A namespace binds a pattern at a version to several backends,
    /// one per named slot. namespaces.slots (a JSON list in slot order) is the source of truth, as namespaces.tags
    /// is for tags; namespace_slots is its queryable, indexed form, kept equal to it by triggers inside the same
    /// transaction as every write, whoever writes. For a namespace with slots the ADR's backend and backend_config
    /// columns hold the first slot's backend and config, so a proxy running the ADR's own queries still gets a
    /// meaningful row; the store keeps them so.
    /// </summary>
    public static readonly string[] MigrationTo2 =
    [
        "ALTER TABLE namespaces ADD COLUMN pattern_version TEXT",
        "ALTER TABLE namespaces ADD COLUMN behavior TEXT",  // JSON object, or NULL for none
        "ALTER TABLE namespaces ADD COLUMN slots TEXT",     // JSON list [{name, backend, interfaces, config}], or NULL
        """
        CREATE TABLE namespace_slots (
            namespace_id INTEGER NOT NULL REFERENCES namespaces(id) ON DELETE CASCADE,
            slot_name TEXT NOT NULL,
            position INTEGER NOT NULL,
            backend TEXT NOT NULL,
            interfaces TEXT NOT NULL,  -- JSON array of interface names, as written
            config TEXT NOT NULL,      -- JSON object
            PRIMARY KEY(namespace_id, slot_name)
        )
        """,
        "CREATE INDEX idx_namespace_slots_backend ON namespace_slots(backend)",
        "CREATE TRIGGER trg_namespace_slots_insert AFTER INSERT ON namespaces BEGIN " + SlotRowsOfNew + " END",
        "CREATE TRIGGER trg_namespace_slots_update AFTER UPDATE OF slots ON namespaces WHEN OLD.slots IS NOT NEW.slots BEGIN "
            + "DELETE FROM namespace_slots WHERE namespace_id = NEW.id; " + SlotRowsOfNew + " END",
    ];

    /// <summary>The trigger body that writes NEW.slots into namespace_slots, one row per slot, position = list index.</summary>
    private const string SlotRowsOfNew = """
        INSERT OR IGNORE INTO namespace_slots (namespace_id, slot_name, position, backend, interfaces, config)
        SELECT NEW.id, json_extract(j.value, '$.name'), j.key, json_extract(j.value, '$.backend'),
               json_extract(j.value, '$.interfaces'), json_extract(j.value, '$.config')
          FROM json_each(CASE WHEN json_valid(NEW.slots) THEN NEW.slots END) j WHERE j.type = 'object';
        """;

    /// <summary>Namespaces whose namespace_slots rows differ from their slots column (a write that bypassed the triggers).</summary>
    public const string SlotRowDisagreement = """
        SELECT n.name FROM namespaces n
         WHERE (SELECT COUNT(*) FROM namespace_slots s WHERE s.namespace_id = n.id)
               != COALESCE(json_array_length(CASE WHEN json_valid(n.slots) THEN n.slots END), 0)
            OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(n.slots) THEN n.slots END) j
                        WHERE NOT EXISTS (SELECT 1 FROM namespace_slots s
                                           WHERE s.namespace_id = n.id AND s.position = j.key
                                             AND s.slot_name IS json_extract(j.value, '$.name')
                                             AND s.backend IS json_extract(j.value, '$.backend')
                                             AND json(s.interfaces) IS json_extract(j.value, '$.interfaces')
                                             AND json(s.config) IS json_extract(j.value, '$.config')))
         ORDER BY n.name
        """;

    public const string ListTables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

    public const string GetUserVersion = "PRAGMA user_version";
    public const string DataVersion = "PRAGMA data_version";
    public const string IntegrityCheck = "PRAGMA integrity_check";
    public const string ForeignKeyCheck = "PRAGMA foreign_key_check";
    public const string JournalMode = "PRAGMA journal_mode";
    public const string JournalModeWal = "PRAGMA journal_mode=WAL";
    public const string JournalModeDelete = "PRAGMA journal_mode=DELETE";
    public const string QueryOnly = "PRAGMA query_only=ON";
    public const string BeginImmediate = "BEGIN IMMEDIATE";
    public const string Commit = "COMMIT";
    public const string Rollback = "ROLLBACK";

    public const string CheckpointTruncate = "PRAGMA wal_checkpoint(TRUNCATE)";

    public static string SetUserVersion(int version) =>
        "PRAGMA user_version=" + version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <remarks>
    /// temp_store=MEMORY keeps statement journals off disk. Every insert into namespaces fires the tag trigger, so
    /// SQLite journals each statement; with the default file temp store a 10,000-namespace import wrote about
    /// 430 MiB of journal pages for a 13 MiB database, and the journal of one statement is a few pages.
    /// </remarks>
    public static string ConnectionPragmas(TimeSpan busyTimeout, Durability durability) =>
        "PRAGMA foreign_keys=ON; " +
        "PRAGMA temp_store=MEMORY; " +
        "PRAGMA busy_timeout=" + ((long)Math.Max(0, busyTimeout.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "; " +
        "PRAGMA synchronous=" + (durability == Durability.Normal ? "NORMAL" : "FULL") + ";";

    /// <summary>Every column of a namespace, features folded in as a JSON object, aliased to <see cref="NamespaceRow"/>.</summary>
    private const string SelectNamespaceColumns = """
        SELECT n.id AS Id, n.name AS Name, n.description AS Description, n.backend AS Backend, n.pattern AS Pattern,
               n.status AS Status, n.consistency AS Consistency, n.cache_ttl_seconds AS CacheTtlSeconds,
               n.rate_limit_rps AS RateLimitRps, n.backend_config AS BackendConfig, n.tags AS Tags, n.version AS Version,
               n.created_at AS CreatedAt, n.updated_at AS UpdatedAt, n.created_by AS CreatedBy, n.updated_by AS UpdatedBy,
               (SELECT json_group_object(f.feature_name, json(CASE WHEN f.enabled THEN 'true' ELSE 'false' END))
                  FROM namespace_features f WHERE f.namespace_id = n.id) AS Features,
               n.pattern_version AS PatternVersion, n.behavior AS Behavior, n.slots AS Slots
          FROM namespaces n
        """;

    /// <summary>As the namespace SELECT, for a schema-1 file (a backup being checked): no slot model columns yet.</summary>
    public const string SelectAllNamespacesSchema1 = """
        SELECT n.id AS Id, n.name AS Name, n.description AS Description, n.backend AS Backend, n.pattern AS Pattern,
               n.status AS Status, n.consistency AS Consistency, n.cache_ttl_seconds AS CacheTtlSeconds,
               n.rate_limit_rps AS RateLimitRps, n.backend_config AS BackendConfig, n.tags AS Tags, n.version AS Version,
               n.created_at AS CreatedAt, n.updated_at AS UpdatedAt, n.created_by AS CreatedBy, n.updated_by AS UpdatedBy,
               (SELECT json_group_object(f.feature_name, json(CASE WHEN f.enabled THEN 'true' ELSE 'false' END))
                  FROM namespace_features f WHERE f.namespace_id = n.id) AS Features
          FROM namespaces n ORDER BY n.name
        """;

    public const string SelectNamespaceByName = SelectNamespaceColumns + " WHERE n.name = $name";
    public const string SelectAllNamespaces = SelectNamespaceColumns + " WHERE " + Live + " ORDER BY n.name";

    /// <summary>Every namespace row, removed ones (tombstones) included, by row id: what a whole-store restore keeps.</summary>
    public const string SelectEveryNamespace = SelectNamespaceColumns + " ORDER BY n.id";

    /// <inheritdoc cref="SqlFlavor.Live"/>
    public const string Live = "n.name NOT GLOB '~removed~*'";

    /// <inheritdoc cref="SqlFlavor.ShownName"/>
    private const string ShownName =
        "(CASE WHEN n.name GLOB '~removed~*' THEN substr(substr(n.name, 10), instr(substr(n.name, 10), '~') + 1) ELSE n.name END)";

    public const string RenameNamespace = "UPDATE namespaces SET name = $name WHERE id = $id";

    /// <summary>SQLite's part of the shared queries: GLOB patterns, and the tombstone test as a GLOB.</summary>
    public static readonly SqlFlavor Flavor = new SqliteFlavor();

    private sealed class SqliteFlavor : SqlFlavor
    {
        public override string SelectNamespaceColumns => SqliteDialect.SelectNamespaceColumns;
        public override string SelectHistory => SqliteDialect.SelectHistory;
        public override string Live => SqliteDialect.Live;
        public override string ShownName => SqliteDialect.ShownName;
        public override string Matches(string column, string parameter) => $"{column} GLOB {parameter}";
        public override string Pattern(string wildcard) => WildcardToGlob(wildcard);
    }

    public const string SelectNamespaceKeys = "SELECT id, name, version, status FROM namespaces n WHERE " + Live;

    public const string CountNamespaces = "SELECT COUNT(*) FROM namespaces n WHERE " + Live;
    public const string CountHistory = "SELECT COUNT(*) FROM namespace_history";

    public const string InsertNamespace = """
        INSERT INTO namespaces (name, description, backend, pattern, status, consistency, cache_ttl_seconds, rate_limit_rps,
                                backend_config, tags, version, created_at, updated_at, created_by, updated_by,
                                pattern_version, behavior, slots)
        VALUES ($name, $description, $backend, $pattern, $status, $consistency, $cache_ttl_seconds, $rate_limit_rps,
                $backend_config, $tags, $version, $created_at, $updated_at, $created_by, $updated_by,
                $pattern_version, $behavior, $slots)
        """;

    /// <summary>
    /// An UPDATE of one namespace that sets only the given "column = $parameter" assignments, and only while the row
    /// is still at the version the change was computed from.
    /// </summary>
    public static string UpdateNamespaceColumns(IEnumerable<string> assignments) =>
        "UPDATE namespaces SET " + string.Join(", ", assignments) + " WHERE id = $id AND name = $expected_name AND version = $expected_version";

    public const string UpsertFeature = """
        INSERT INTO namespace_features (namespace_id, feature_name, enabled, updated_at)
        VALUES ($namespace_id, $feature_name, $enabled, $updated_at)
        ON CONFLICT(namespace_id, feature_name) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at
        """;

    public const string DeleteFeature = "DELETE FROM namespace_features WHERE namespace_id = $namespace_id AND feature_name = $feature_name";

    public const string InsertHistory = """
        INSERT INTO namespace_history (namespace_id, operation, changed_at, changed_by, old_config, new_config, version, reason, revision)
        VALUES ($namespace_id, $operation, $changed_at, $changed_by, $old_config, $new_config, $version, $reason, $revision)
        """;

    /// <summary>The start of a history query; see <see cref="SqlQueries.SelectHistoryEntries"/>.</summary>
    public const string SelectHistory = "SELECT h.id AS Id, h.namespace_id AS NamespaceId, " + ShownName + """
         AS Name, h.version AS Version, h.operation AS Operation, h.changed_at AS ChangedAt,
               h.changed_by AS ChangedBy, h.reason AS Reason, h.old_config AS OldConfig, h.new_config AS NewConfig,
               h.revision AS Revision
          FROM namespace_history h JOIN namespaces n ON n.id = h.namespace_id
        """;

    /// <summary>Per namespace: its version, how many history rows it has and the highest history version.</summary>
    /// <summary>Every history row, by row id.</summary>
    public const string SelectEveryHistory = SelectHistory + " ORDER BY h.id";

    public const string HistoryAgreement = """
        SELECT n.name AS Name, n.version AS Version, COUNT(h.id) AS HistoryCount, MAX(h.version) AS MaxHistoryVersion,
               (SELECT h2.new_config FROM namespace_history h2 WHERE h2.namespace_id = n.id ORDER BY h2.id DESC LIMIT 1) AS LatestSnapshot
          FROM namespaces n LEFT JOIN namespace_history h ON h.namespace_id = n.id
         WHERE n.name NOT GLOB '~removed~*'
         GROUP BY n.id ORDER BY n.name
        """;

    // --- Replicas (Sync-PrismConfig) ------------------------------------------------------------------------

    public const string HasReplicaState = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'replica_state'";

    /// <summary>
    /// Made by a replica's first pass: the source (its locator with no password) and when the replica last changed
    /// and last reached it. The revision it reflects is store_state's, the source's own, as is the epoch.
    /// </summary>
    public const string CreateReplicaState = """
        CREATE TABLE IF NOT EXISTS replica_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            source TEXT NOT NULL,
            registry_history INTEGER NOT NULL,
            last_synced_at INTEGER NOT NULL,
            last_contact_at INTEGER NOT NULL
        )
        """;

    public const string SelectReplicaState = "SELECT source, registry_history, last_synced_at, last_contact_at FROM replica_state WHERE id = 1";

    public const string UpsertReplicaState = """
        INSERT INTO replica_state (id, source, registry_history, last_synced_at, last_contact_at)
        VALUES (1, $source, $registry_history, $last_synced_at, $last_contact_at)
        ON CONFLICT (id) DO UPDATE SET source = excluded.source, registry_history = excluded.registry_history,
            last_synced_at = excluded.last_synced_at, last_contact_at = excluded.last_contact_at
        """;

    public const string IsEmptyStore = """
        SELECT (SELECT COUNT(*) FROM namespaces) + (SELECT COUNT(*) FROM namespace_history) + (SELECT COUNT(*) FROM registry_definitions)
        """;

    /// <summary>Child tables first, so no foreign key ever points at a deleted row.</summary>
    public static readonly string[] EmptyStore =
    [
        "DELETE FROM namespace_history", "DELETE FROM namespace_features", "DELETE FROM namespace_tags", "DELETE FROM namespace_slots",
        "DELETE FROM namespaces", "DELETE FROM registry_history", "DELETE FROM registry_definitions",
    ];

    public const string EmptyRegistry = "DELETE FROM registry_history; DELETE FROM registry_definitions";

    /// <summary>A pass parks the names of the rows it rewrites first, so a rename or a re-created name never collides mid-pass.</summary>
    public const string ParkName = "UPDATE namespaces SET name = '~sync~' || id WHERE id = $id";

    public const string ReplaceNamespace = """
        UPDATE namespaces SET name = $name, description = $description, backend = $backend, pattern = $pattern, status = $status,
               consistency = $consistency, cache_ttl_seconds = $cache_ttl_seconds, rate_limit_rps = $rate_limit_rps,
               backend_config = $backend_config, tags = $tags, version = $version, created_at = $created_at, updated_at = $updated_at,
               created_by = $created_by, updated_by = $updated_by, pattern_version = $pattern_version, behavior = $behavior, slots = $slots
         WHERE id = $id
        """;

    public const string DeleteFeatures = "DELETE FROM namespace_features WHERE namespace_id = $id";

    public const string SetStateFrom = "UPDATE store_state SET revision = $revision, epoch = $epoch WHERE id = 1";

    /// <summary>
    /// Turns a user pattern where only * and ? are special into a GLOB pattern that matches everything else
    /// literally. GLOB's own metacharacters ([ and ]) are escaped as one-character classes. Names are lower case,
    /// so the pattern is lower-cased too (PowerShell users expect case-insensitive names).
    /// </summary>
    public static string WildcardToGlob(string pattern)
    {
        var sb = new System.Text.StringBuilder(pattern.Length + 8);
        foreach (var c in pattern.ToLowerInvariant())
        {
            switch (c)
            {
                case '[': sb.Append("[[]"); break;
                case ']': sb.Append("[]]"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
