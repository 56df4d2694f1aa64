using System.Collections;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PrismConfig.Core.Storage;
using PrismConfig.Core.Validation;
using Factory = PrismConfig.Core.Storage.SqliteConnectionFactory;

namespace PrismConfig.Core;

public sealed partial class ConfigStore
{
    private const string OpCreate = "create";
    private const string OpUpdate = "update";
    private const string OpDisable = "disable";
    private const string OpEnable = "enable";
    private const string OpRestore = "restore";

    /// <summary>Creates a namespace at version 1 (history operation 'create'). Throws NamespaceExistsException if the name is taken.</summary>
    public NamespaceConfig Create(NamespaceConfig config, WriteContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        context ??= new WriteContext();
        NamespaceValidator.ValidateReason(context.Reason);
        var proposed = NamespaceNormalizer.Canonicalize(config);
        NamespaceValidator.Validate(proposed);
        return InWriteTransaction(commands =>
        {
            if (LoadByName(commands.SelectByName, proposed.Name) is not null)
            {
                throw new NamespaceExistsException(proposed.Name);
            }
            ApplyChange(commands, null, proposed, OpCreate, ChangedBy(context.ChangedBy), context.Reason, Snapshot.UnixNow());
            return proposed.Clone();
        });
    }

    /// <summary>What <see cref="Update"/> would do, without writing: the proposed state and its changes.</summary>
    public WriteResult PreviewUpdate(string name, NamespacePatch patch)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(patch);
        return OnRead(() =>
        {
            var current = LoadForPreview(name);
            return Preview(current, ApplyPatch(current.Config, patch));
        });
    }

    /// <summary>Applies a partial change. A patch that changes nothing writes nothing and keeps the version.</summary>
    public WriteResult Update(string name, NamespacePatch patch, WriteContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(patch);
        context ??= new WriteContext();
        NamespaceValidator.ValidateReason(context.Reason);
        return InWriteTransaction(commands =>
        {
            var current = LoadForWrite(commands, name, context);
            var proposed = ApplyPatch(current.Config, patch);
            return CommitChange(commands, current, proposed, OpUpdate, context, context.Reason);
        });
    }

    /// <summary>Sets the status. History operation: 'disable' for disabled, 'enable' for active, 'update' for migrating.</summary>
    public WriteResult SetStatus(string name, string status, WriteContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        context ??= new WriteContext();
        NamespaceValidator.ValidateReason(context.Reason);
        if (status is null || !NamespaceStatus.All.Contains(status))
        {
            throw new ValidationException(name, "status", status, "status is one of active, disabled or migrating.");
        }
        var operation = status switch
        {
            NamespaceStatus.Disabled => OpDisable,
            NamespaceStatus.Active => OpEnable,
            _ => OpUpdate,
        };
        return InWriteTransaction(commands =>
        {
            var current = LoadForWrite(commands, name, context);
            var proposed = NamespaceNormalizer.Canonicalize(current.Config);
            proposed.Status = status;
            return CommitChange(commands, current, proposed, operation, context, context.Reason);
        });
    }

    /// <summary>What <see cref="Restore"/> would do, without writing.</summary>
    public WriteResult PreviewRestore(string name, int version)
    {
        ArgumentNullException.ThrowIfNull(name);
        return OnRead(() =>
        {
            var current = LoadForPreview(name);
            return Preview(current, RestoredState(_read, current, version));
        });
    }

    /// <summary>Makes the namespace exactly its snapshot at <paramref name="version"/>, as a new version (operation 'restore').</summary>
    public WriteResult Restore(string name, int version, WriteContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        context ??= new WriteContext();
        NamespaceValidator.ValidateReason(context.Reason);
        return InWriteTransaction(commands =>
        {
            var current = LoadForWrite(commands, name, context);
            var proposed = RestoredState(_write, current, version);
            var reason = context.Reason ?? $"restored from version {version.ToString(CultureInfo.InvariantCulture)}";
            return CommitChange(commands, current, proposed, OpRestore, context, reason);
        });
    }

    // ----------------------------------------------------------------------------------------------------------
    // Shared write machinery
    // ----------------------------------------------------------------------------------------------------------

    private static string ChangedBy(string? given) => string.IsNullOrEmpty(given) ? CurrentUser : given;

    // On Unix, Environment.UserName looks the uid up in the user database (getpwuid_r: /etc/passwd or NSS) on
    // every call, which cost a single-field update about a tenth of its time, and a process's user does not
    // change. On Windows it follows the thread's impersonation (a JEA or RunAs endpoint), so it is asked each time.
    private static readonly Lazy<string> UnixUser = new(() => Environment.UserName, LazyThreadSafetyMode.PublicationOnly);

    private static string CurrentUser => OperatingSystem.IsWindows() ? Environment.UserName : UnixUser.Value;

    private StoredNamespace LoadForPreview(string name)
    {
        _readByName ??= PrepareReadByName(_read);
        return LoadByName(_readByName, name) ?? throw new NamespaceNotFoundException(name);
    }

    private StoredNamespace LoadForWrite(WriteCommands commands, string name, WriteContext context)
    {
        var current = LoadByName(commands.SelectByName, name) ?? throw new NamespaceNotFoundException(name);
        if (context.ExpectedVersion is { } expected && expected != current.Config.Version)
        {
            throw new VersionConflictException(name, expected, current.Config.Version);
        }
        return current;
    }

    /// <summary>The namespace with the content of its snapshot at <paramref name="version"/> and its current identity.</summary>
    private NamespaceConfig RestoredState(SqliteConnection connection, StoredNamespace current, int version)
    {
        var json = LoadSnapshotJson(connection, current.Id, version);
        var snapshot = ParseSnapshot(json, current.Config.Name) ?? throw new VersionNotFoundException(current.Config.Name, version, current.Config.Version);
        snapshot.Name = current.Config.Name;
        var proposed = NamespaceNormalizer.Canonicalize(snapshot);
        proposed.Version = current.Config.Version;
        proposed.CreatedAt = current.Config.CreatedAt;
        proposed.CreatedBy = current.Config.CreatedBy;
        proposed.UpdatedAt = current.Config.UpdatedAt;
        proposed.UpdatedBy = current.Config.UpdatedBy;
        NamespaceValidator.Validate(proposed);
        return proposed;
    }

    private static WriteResult Preview(StoredNamespace current, NamespaceConfig proposed)
    {
        if (Snapshot.SameContent(current.Config, proposed))
        {
            return new WriteResult(current.Config.Clone(), false, []);
        }
        var changes = ConfigDiff.Compute(current.Config, proposed);
        proposed.Version = current.Config.Version + 1;
        proposed.CreatedAt = current.Config.CreatedAt;
        proposed.CreatedBy = current.Config.CreatedBy;
        proposed.UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(Snapshot.UnixNow());
        proposed.UpdatedBy = CurrentUser;
        return new WriteResult(proposed, true, changes);
    }

    private static WriteResult CommitChange(WriteCommands commands, StoredNamespace current, NamespaceConfig proposed, string operation, WriteContext context, string? reason)
    {
        if (Snapshot.SameContent(current.Config, proposed))
        {
            return new WriteResult(current.Config.Clone(), false, []);
        }
        var changes = ConfigDiff.Compute(current.Config, proposed);
        ApplyChange(commands, current, proposed, operation, ChangedBy(context.ChangedBy), reason, Snapshot.UnixNow());
        return new WriteResult(proposed.Clone(), true, changes);
    }

    /// <summary>
    /// Writes one change: the namespace row, its features and exactly one history row. <paramref name="proposed"/>
    /// must be canonical and valid; its metadata (version, timestamps, authors) is set here.
    /// </summary>
    private static void ApplyChange(WriteCommands c, StoredNamespace? current, NamespaceConfig proposed, string operation, string changedBy, string? reason, long now)
    {
        var nowAt = DateTimeOffset.FromUnixTimeSeconds(now);
        proposed.UpdatedAt = nowAt;
        proposed.UpdatedBy = changedBy;
        long id;
        if (current is null)
        {
            proposed.Version = 1;
            proposed.CreatedAt = nowAt;
            proposed.CreatedBy = changedBy;
            id = InsertNamespaceRow(c, proposed, ConfigJson.Serialize(proposed.BackendConfig), Snapshot.TagsJson(proposed.Tags));
        }
        else
        {
            id = current.Id;
            proposed.Version = current.Config.Version + 1;
            proposed.CreatedAt = current.Config.CreatedAt;
            proposed.CreatedBy = current.Config.CreatedBy;
            UpdateChangedColumns(c, id, current.Config, proposed);
        }

        SyncFeatures(c, id, current?.Config.Features, proposed.Features, now);

        InsertHistoryRow(c, id, operation, now, changedBy, current is null ? null : Snapshot.Serialize(current.Config),
            Snapshot.Serialize(proposed), proposed.Version, reason);
    }

    /// <summary>Inserts a namespaces row (the tag trigger fills namespace_tags) and returns its id.</summary>
    private static long InsertNamespaceRow(WriteCommands c, NamespaceConfig ns, string backendConfigJson, string tagsJson)
    {
        var s = c.Insert;
        s.Bind(0, ns.Name);
        s.Bind(1, ns.Description);
        s.Bind(2, ns.Backend);
        s.Bind(3, ns.Pattern);
        s.Bind(4, ns.Status);
        s.Bind(5, ns.Consistency);
        s.Bind(6, (long?)ns.CacheTtlSeconds);
        s.Bind(7, (long?)ns.RateLimitRps);
        s.Bind(8, backendConfigJson);
        s.Bind(9, tagsJson);
        s.Bind(10, ns.Version);
        s.Bind(11, ns.CreatedAt.ToUnixTimeSeconds());
        s.Bind(12, ns.UpdatedAt.ToUnixTimeSeconds());
        s.Bind(13, ns.CreatedBy);
        s.Bind(14, ns.UpdatedBy);
        return s.Insert();
    }

    private static void InsertHistoryRow(WriteCommands c, long id, string operation, long now, string changedBy,
        string? oldConfig, string newConfig, int version, string? reason)
    {
        BindHistoryRow(c.InsertHistory, id, operation, now, changedBy, oldConfig, version, reason);
        c.InsertHistory.Bind(5, newConfig);
        c.InsertHistory.Execute();
    }

    private static void InsertHistoryRow(WriteCommands c, long id, string operation, long now, string changedBy,
        string? oldConfig, byte[] newConfigUtf8, int version, string? reason)
    {
        BindHistoryRow(c.InsertHistory, id, operation, now, changedBy, oldConfig, version, reason);
        c.InsertHistory.BindUtf8(5, newConfigUtf8);
        c.InsertHistory.Execute();
    }

    /// <summary>Binds every column of a history row but new_config (parameter 5).</summary>
    private static void BindHistoryRow(DirectStatement s, long id, string operation, long now, string changedBy,
        string? oldConfig, int version, string? reason)
    {
        s.Bind(0, id);
        s.Bind(1, operation);
        s.Bind(2, now);
        s.Bind(3, changedBy);
        s.Bind(4, oldConfig);
        s.Bind(6, version);
        s.Bind(7, reason);
    }

    private static void UpsertFeatureRow(WriteCommands c, long id, string feature, bool enabled, long now)
    {
        var s = c.UpsertFeature;
        s.Bind(0, id);
        s.Bind(1, feature);
        s.Bind(2, enabled ? 1 : 0);
        s.Bind(3, now);
        s.Execute();
    }

    /// <summary>
    /// UPDATEs only the columns whose value changed (plus version and updated_*), so an unchanged indexed column
    /// (backend, pattern, status) costs no index write and an unchanged tags column fires no tag-index trigger:
    /// fewer dirty pages, less WAL to sync. One prepared statement per column set, reused.
    /// </summary>
    private static void UpdateChangedColumns(WriteCommands c, long id, NamespaceConfig before, NamespaceConfig after)
    {
        var backendConfig = ConfigJson.Serialize(after.BackendConfig);
        var tags = Snapshot.TagsJson(after.Tags);
        var mask = 0;
        if (!string.Equals(before.Description, after.Description, StringComparison.Ordinal)) mask |= 1 << 0;
        if (!string.Equals(before.Backend, after.Backend, StringComparison.Ordinal)) mask |= 1 << 1;
        if (!string.Equals(before.Pattern, after.Pattern, StringComparison.Ordinal)) mask |= 1 << 2;
        if (!string.Equals(before.Status, after.Status, StringComparison.Ordinal)) mask |= 1 << 3;
        if (!string.Equals(before.Consistency, after.Consistency, StringComparison.Ordinal)) mask |= 1 << 4;
        if (before.CacheTtlSeconds != after.CacheTtlSeconds) mask |= 1 << 5;
        if (before.RateLimitRps != after.RateLimitRps) mask |= 1 << 6;
        if (ConfigJson.Serialize(before.BackendConfig) != backendConfig) mask |= 1 << 7;
        if (Snapshot.TagsJson(before.Tags) != tags) mask |= 1 << 8;

        var command = c.UpdateFor(mask);
        var p = command.Parameters;
        object?[] values =
        [
            after.Description, after.Backend, after.Pattern, after.Status, after.Consistency, after.CacheTtlSeconds,
            after.RateLimitRps, backendConfig, tags,
        ];
        for (var i = 0; i < values.Length; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                p[UpdatableColumns[i].Parameter].Value = values[i] ?? DBNull.Value;
            }
        }
        p["$version"].Value = after.Version;
        p["$updated_at"].Value = after.UpdatedAt.ToUnixTimeSeconds();
        p["$updated_by"].Value = (object?)after.UpdatedBy ?? DBNull.Value;
        p["$id"].Value = id;
        command.ExecuteNonQuery();
    }

    /// <summary>The namespace columns an update may change, in the bit order of <see cref="UpdateChangedColumns"/>.</summary>
    private static readonly (string Column, string Parameter)[] UpdatableColumns =
    [
        ("description", "$description"), ("backend", "$backend"), ("pattern", "$pattern"), ("status", "$status"),
        ("consistency", "$consistency"), ("cache_ttl_seconds", "$cache_ttl_seconds"), ("rate_limit_rps", "$rate_limit_rps"),
        ("backend_config", "$backend_config"), ("tags", "$tags"),
    ];

    /// <summary>Deletes removed flags and upserts added or changed ones; unchanged flags keep their updated_at.</summary>
    private static void SyncFeatures(WriteCommands c, long id, Hashtable? before, Hashtable after, long now)
    {
        if (before is not null)
        {
            foreach (var key in ConfigJson.SortedKeys(before))
            {
                if (!after.ContainsKey(key))
                {
                    c.DeleteFeature.Parameters["$namespace_id"].Value = id;
                    c.DeleteFeature.Parameters["$feature_name"].Value = key;
                    c.DeleteFeature.ExecuteNonQuery();
                }
            }
        }
        foreach (var key in ConfigJson.SortedKeys(after))
        {
            var enabled = after[key] is true;
            if (before is not null && before.ContainsKey(key) && (before[key] is true) == enabled)
            {
                continue;
            }
            UpsertFeatureRow(c, id, key, enabled, now);
        }
    }

    /// <summary>The patched namespace, canonical and validated.</summary>
    private static NamespaceConfig ApplyPatch(NamespaceConfig current, NamespacePatch patch)
    {
        var ns = current.Clone();
        var name = ns.Name;
        if (patch.Description is not null) ns.Description = patch.Description.Length == 0 ? null : patch.Description;
        if (patch.Backend is not null) ns.Backend = patch.Backend;
        if (patch.Pattern is not null) ns.Pattern = patch.Pattern;
        if (patch.Status is not null) ns.Status = patch.Status;
        if (patch.Consistency is not null) ns.Consistency = patch.Consistency;
        if (patch.CacheTtlSeconds is not null) ns.CacheTtlSeconds = patch.CacheTtlSeconds;
        if (patch.RateLimitRps is not null) ns.RateLimitRps = patch.RateLimitRps;

        if (patch.BackendConfig is not null)
        {
            ns.BackendConfig = NamespaceNormalizer.CanonicalTable(name, "backend_config", patch.BackendConfig);
        }
        if (patch.SetBackendConfig is not null)
        {
            foreach (DictionaryEntry e in patch.SetBackendConfig)
            {
                var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                try
                {
                    ns.BackendConfig[key] = ConfigJson.Normalize(e.Value);
                }
                catch (ArgumentException ex)
                {
                    throw new ValidationException(name, "backend_config." + key, null, ex.Message);
                }
            }
        }
        if (patch.ConnectionString is not null)
        {
            ns.BackendConfig["connection_string"] = patch.ConnectionString;
        }

        if (patch.Tags is not null)
        {
            ns.Tags = [.. patch.Tags];
        }
        if (patch.AddTags is not null)
        {
            var tags = ns.Tags.ToList();
            foreach (var tag in patch.AddTags)
            {
                if (!tags.Contains(tag, StringComparer.Ordinal)) tags.Add(tag);
            }
            ns.Tags = [.. tags];
        }
        if (patch.RemoveTags is not null)
        {
            var remove = new HashSet<string>(patch.RemoveTags, StringComparer.Ordinal);
            ns.Tags = ns.Tags.Where(t => !remove.Contains(t)).ToArray();
        }

        if (patch.Features is not null)
        {
            foreach (DictionaryEntry e in patch.Features)
            {
                var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                if (e.Value is not bool enabled)
                {
                    throw new ValidationException(name, "features." + key, e.Value, "a feature flag is true or false.");
                }
                ns.Features[key] = enabled;
            }
        }
        if (patch.RemoveFeatures is not null)
        {
            foreach (var feature in patch.RemoveFeatures)
            {
                ns.Features.Remove(feature);
            }
        }

        var canonical = NamespaceNormalizer.Canonicalize(ns);
        NamespaceValidator.Validate(canonical);
        return canonical;
    }

    /// <summary>
    /// Runs <paramref name="body"/> inside BEGIN IMMEDIATE on the write connection, under the write lock. Any
    /// exception rolls everything back; SQLite errors become typed exceptions.
    /// </summary>
    private T InWriteTransaction<T>(Func<WriteCommands, T> body) => InWriteTransaction(body, static _ => true);

    /// <summary>As above; <paramref name="commit"/> is asked, still inside the transaction, whether to commit (false rolls back).</summary>
    private T InWriteTransaction<T>(Func<WriteCommands, T> body, Func<T, bool> commit)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            try
            {
                PrepareFirstWrite();
                _writeCommands ??= new WriteCommands(_write);
                Factory.BeginImmediate(_write, _path, _options.BusyTimeout);
                T result;
                bool keep;
                try
                {
                    result = body(_writeCommands);
                    keep = commit(result);
                }
                catch
                {
                    Factory.RollbackQuietly(_write);
                    throw;
                }
                if (keep)
                {
                    Factory.Commit(_write, _path, _options.BusyTimeout);
                }
                else
                {
                    Factory.RollbackQuietly(_write);
                }
                return result;
            }
            catch (SqliteException ex)
            {
                throw Translate(ex);
            }
        }
    }

    /// <summary>The write connection's statements, prepared once and reused (imports run thousands of them).</summary>
    private sealed class WriteCommands : IDisposable
    {
        public WriteCommands(SqliteConnection connection)
        {
            _connection = connection;
            SelectByName = PrepareReadByName(connection);
            Insert = new DirectStatement(connection, SqliteDialect.InsertNamespace, "$name", "$description", "$backend", "$pattern", "$status", "$consistency",
                "$cache_ttl_seconds", "$rate_limit_rps", "$backend_config", "$tags", "$version", "$created_at", "$updated_at", "$created_by", "$updated_by");
            UpsertFeature = new DirectStatement(connection, SqliteDialect.UpsertFeature, "$namespace_id", "$feature_name", "$enabled", "$updated_at");
            DeleteFeature = Prepare(connection, SqliteDialect.DeleteFeature, "$namespace_id", "$feature_name");
            InsertHistory = new DirectStatement(connection, SqliteDialect.InsertHistory, "$namespace_id", "$operation", "$changed_at", "$changed_by",
                "$old_config", "$new_config", "$version", "$reason");
        }

        private readonly SqliteConnection _connection;
        private readonly Dictionary<int, SqliteCommand> _updates = [];

        /// <summary>The prepared UPDATE that sets the columns in <paramref name="mask"/> (bits of UpdatableColumns) and the metadata.</summary>
        public SqliteCommand UpdateFor(int mask)
        {
            if (_updates.TryGetValue(mask, out var command)) return command;
            var sets = new List<string>();
            var parameters = new List<string>();
            for (var i = 0; i < UpdatableColumns.Length; i++)
            {
                if ((mask & (1 << i)) == 0) continue;
                sets.Add(UpdatableColumns[i].Column + " = " + UpdatableColumns[i].Parameter);
                parameters.Add(UpdatableColumns[i].Parameter);
            }
            sets.Add("version = $version");
            sets.Add("updated_at = $updated_at");
            sets.Add("updated_by = $updated_by");
            parameters.AddRange(["$version", "$updated_at", "$updated_by", "$id"]);
            command = Prepare(_connection, SqliteDialect.UpdateNamespaceColumns(sets), [.. parameters]);
            _updates[mask] = command;
            return command;
        }

        public SqliteCommand SelectByName { get; }
        public DirectStatement Insert { get; }
        public DirectStatement UpsertFeature { get; }
        public SqliteCommand DeleteFeature { get; }
        public DirectStatement InsertHistory { get; }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }
            command.Prepare();
            return command;
        }

        public void Dispose()
        {
            SelectByName.Dispose();
            Insert.Dispose();
            UpsertFeature.Dispose();
            DeleteFeature.Dispose();
            InsertHistory.Dispose();
            foreach (var command in _updates.Values)
            {
                command.Dispose();
            }
        }
    }
}
