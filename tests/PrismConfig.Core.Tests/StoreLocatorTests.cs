using PrismConfig.Core.Engines.Postgres;

namespace PrismConfig.Core.Tests;

public sealed class StoreLocatorTests
{
    [Theory]
    [InlineData("postgresql://prism:s3cret@db:5432/prism", "postgresql://prism:********@db:5432/prism")]
    [InlineData("postgresql://u:se/cret@h/db", "postgresql://u:********@h/db")]
    [InlineData("postgres://u:p#w@h/db?sslmode=require", "postgres://u:********@h/db?sslmode=require")]
    [InlineData("postgresql://u:p@ss@h/db", "postgresql://u:********@h/db")]
    [InlineData("postgresql://h/db?sslmode=require&password=hunter2", "postgresql://h/db?sslmode=require&password=********")]
    [InlineData("postgresql://ops@h:5432/db", "postgresql://ops@h:5432/db")]
    [InlineData("postgresql://h/db?password=Qpa#ssWRONG1", "postgresql://h/db?password=********")]
    public void A_postgres_locator_never_shows_its_password(string given, string shown)
    {
        var locator = StoreLocator.Parse(given);
        Assert.Equal(StoreKind.Postgres, locator.Kind);
        Assert.Equal(shown, locator.Display);
        Assert.Equal(shown, locator.ToString());
    }

    [Fact]
    public void Sqlite_urns_and_paths_name_the_same_file()
    {
        Assert.Equal("/var/lib/prism/config.db", StoreLocator.Parse("sqlite:///var/lib/prism/config.db").FilePath);
        Assert.Equal(StoreLocator.Parse("/var/lib/prism/config.db"), StoreLocator.Parse("SQLITE:///var/lib/prism/config.db"));
        Assert.Equal("/x/y.db", StoreLocator.Parse("y.db", p => "/x/" + p).FilePath);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("sqlite://")]
    [InlineData("mysql://u:pw@h/db")]
    public void A_locator_that_names_nothing_usable_is_a_typed_error_without_its_password(string given)
    {
        var ex = Assert.ThrowsAny<PrismConfigException>(() => StoreLocator.Parse(given));
        Assert.DoesNotContain("pw@", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" postgresql://prism:SeKrit77@127.0.0.1:5432/db")]
    [InlineData("\"postgresql://prism:SeKrit77@127.0.0.1:5432/db\"")]
    [InlineData("postgresql:/prism:SeKrit77@127.0.0.1:5432/db")]
    [InlineData("postgres//prism:SeKrit77@127.0.0.1:5432/db")]
    [InlineData("prism:SeKrit77@127.0.0.1:5432/db")]
    [InlineData("postgresql ://prism:SeKrit77@127.0.0.1:5432/db")]
    [InlineData("postgresql;//prism:SeKrit77@127.0.0.1:5432/db")]
    [InlineData("p:SeKrit77@127.0.0.1:5432/db")]
    public void A_mistyped_uri_is_refused_not_taken_for_a_file_and_its_password_is_not_shown(string given)
    {
        var ex = Assert.Throws<StorePathException>(() => StoreLocator.Parse(given, p => "/work/" + p));
        Assert.Equal("StoreLocatorInvalid", ex.ErrorId);
        Assert.DoesNotContain("SeKrit77", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SeKrit77", ex.Path, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://prism:Zm9vYmFy/cXV4eg==@127.0.0.1:5432/db", "Zm9vYmFy")]
    [InlineData("postgresql://prism:8842/cXV4eg==@127.0.0.1:5432/db", "8842")]
    [InlineData("postgresql://prism:a/b?c@127.0.0.1:5432/db", "a/b")]
    public void A_password_with_a_raw_slash_is_refused_without_showing_any_of_it(string given, string fragment)
    {
        var locator = StoreLocator.Parse(given);
        var ex = Assert.Throws<StorePathException>(() => PostgresConnectionInfo.Parse(locator.Value, locator.Display));
        Assert.Equal("StoreLocatorInvalid", ex.ErrorId);
        Assert.DoesNotContain(fragment, ex.Message, StringComparison.Ordinal);
        Assert.Contains("%2F", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://h:70000/db")]
    [InlineData("postgresql://[::1]:99999/db")]
    [InlineData("postgresql://[::1]:abc/db")]
    [InlineData("postgresql://[::1/db")]
    public void A_port_out_of_range_is_refused_on_every_host_form(string given)
    {
        Assert.Equal("StoreLocatorInvalid", Assert.Throws<StorePathException>(() => PostgresConnectionInfo.Parse(given, given)).ErrorId);
    }

    [Theory]
    [InlineData("postgresql://h:abc/db")]
    [InlineData("postgresql://h:99999/db")]
    [InlineData("postgresql://h:0/db")]
    [InlineData("postgresql://h/db?port=99999")]
    [InlineData("postgresql://h/db?target_session_attrs=bogus")]
    [InlineData("postgresql://u:p%zzw@h/db")]
    [InlineData("postgresql://h/db%")]
    public void A_malformed_uri_is_store_locator_invalid(string given)
    {
        var ex = Assert.Throws<StorePathException>(() => PostgresConnectionInfo.Parse(given, StoreLocator.MaskUri(given)));
        Assert.Equal("StoreLocatorInvalid", ex.ErrorId);
    }

    [Fact]
    public void A_password_may_hold_an_at_sign_or_a_colon_and_an_escaped_slash_or_question_mark()
    {
        var info = PostgresConnectionInfo.Parse("postgresql://ops:pa:ss@w0rd%2F%3F@db.internal:6432/prism?sslmode=disable", "shown");
        var built = new Npgsql.NpgsqlConnectionStringBuilder(info.ConnectionString);
        Assert.Equal("pa:ss@w0rd/?", built.Password);
        Assert.Equal("ops", built.Username);
        Assert.Equal("db.internal:6432", info.Server);
        Assert.Equal("prism", info.Database);
    }

    [SkippableFact]
    public void A_pgpass_file_others_may_use_is_not_read_and_is_named_with_the_fix_as_libpq_does()
    {
        // Windows has no group or world mode bits, and libpq does not check there.
        if (OperatingSystem.IsWindows()) return;
        Skip.If(Environment.GetEnvironmentVariable("PGPASSWORD") is not null, "PGPASSWORD is set, so no password file is read.");
        var file = Path.Combine(Path.GetTempPath(), $"prism-pgpass-{Guid.NewGuid():N}");
        File.WriteAllText(file, "db:5432:prism:ops:S3cretFromFile\n");
        try
        {
            var uri = $"postgresql://ops@db/prism?passfile={Uri.EscapeDataString(file)}";
            foreach (var loose in new[] { UnixFileMode.GroupRead, UnixFileMode.OtherRead, UnixFileMode.GroupWrite })
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | loose);
                var info = PostgresConnectionInfo.Parse(uri, uri);
                Assert.NotEqual(file, new Npgsql.NpgsqlConnectionStringBuilder(info.ConnectionString).Passfile);
                Assert.Contains($"'{file}' has group or world access", info.PassFileWarning, StringComparison.Ordinal);
                Assert.Contains($"chmod 600 '{file}'", info.PassFileWarning, StringComparison.Ordinal);
                Assert.DoesNotContain("S3cret", info.PassFileWarning, StringComparison.Ordinal);
            }
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var owned = PostgresConnectionInfo.Parse(uri, uri);
            Assert.Equal(file, new Npgsql.NpgsqlConnectionStringBuilder(owned.ConnectionString).Passfile);
            Assert.Null(owned.PassFileWarning);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("postgresql://db/prism?application_name=ops@host", "db:5432", "prism")]
    [InlineData("postgresql://dbhost?password=hun@ter", "dbhost:5432", null)]
    [InlineData("postgresql://db?sslrootcert=/etc/ca.pem&application_name=a@b", "db:5432", null)]
    [InlineData("postgresql://?host=/var/run/postgresql&user=svc@corp&dbname=prism", "/var/run/postgresql", "prism")]
    public void An_at_sign_in_a_known_parameters_value_is_not_a_user_info(string given, string server, string? database)
    {
        var info = PostgresConnectionInfo.Parse(given, StoreLocator.MaskUri(given));
        Assert.Equal(server, info.Server);
        if (database is not null) Assert.Equal(database, info.Database);
        Assert.DoesNotContain("hun", StoreLocator.MaskUri(given), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://u:a1/b?c=d@127.0.0.1:5432/db", "a1")]
    [InlineData("postgresql://u:8842/x?y=z@h/db", "8842")]
    [InlineData("postgresql://u:Qx7?ss@h/db", "Qx7")]
    [InlineData("postgresql://u:p#w@h/db", "p#w")]
    public void A_raw_slash_question_mark_or_hash_in_a_password_is_refused_without_showing_it(string given, string fragment)
    {
        var locator = StoreLocator.Parse(given);
        Assert.DoesNotContain(fragment, locator.Display, StringComparison.Ordinal);
        var ex = Assert.Throws<StorePathException>(() => PostgresConnectionInfo.Parse(locator.Value, locator.Display));
        Assert.Equal("StoreLocatorInvalid", ex.ErrorId);
        Assert.DoesNotContain(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://h/db?pass%77ord=Secret1", "postgresql://h/db?pass%77ord=********")]
    [InlineData("postgresql://h:5432/db?user=admin@srv", "postgresql://h:5432/db?user=admin@srv")]
    public void Masking_reads_the_query_as_the_parser_does(string given, string shown)
    {
        Assert.Equal(shown, StoreLocator.Parse(given).Display);
        Assert.Equal(shown, StoreLocator.ForCommand(StoreLocator.Parse(given).Display));
    }

    [Theory]
    [InlineData("Temp:/ops@prod/config.db")]
    [InlineData("sqlite/config.db")]
    [InlineData("postgres.db")]
    [InlineData("data/config.db")]
    public void A_file_path_is_not_taken_for_a_uri(string given)
    {
        Assert.Equal(StoreKind.Sqlite, StoreLocator.Parse(given, p => "/work/" + p.Replace(":", "", StringComparison.Ordinal)).Kind);
    }

    [Theory]
    [InlineData("postgres://ops:s3cret@DB.internal:5432/prism", "postgresql://ops@db.internal/prism?sslmode=require", true)]
    [InlineData("postgresql://ops:********@db.internal/prism", "postgresql://ops@db.internal:5432/prism?connect_timeout=3", true)]
    [InlineData("postgresql://ops@db.internal/prism", "postgresql://ops@db.internal/other", false)]
    [InlineData("postgresql://ops@db.internal/prism", "postgresql://ops@db.internal:6432/prism", false)]
    [InlineData("/var/lib/prism/config.db", "sqlite:///var/lib/prism/config.db", true)]
    [InlineData("/var/lib/prism/config.db", "postgresql://ops@db.internal/prism", false)]
    [InlineData("postgresql://ops@db.internal/prism", "postgresql://tenant@db.internal/prism", false)]
    [InlineData("postgresql://ops@db.internal/prism?options=-c%20search_path%3Da", "postgresql://ops@db.internal/prism?options=-c%20search_path%3Db", false)]
    [InlineData("postgresql://ops@/prism?host=/run/postgresql&port=5432", "postgresql://ops@/prism?host=/run/postgresql&port=5433", false)]
    [InlineData("postgresql://ops@h1,h2/prism?port=5433", "postgresql://ops@h1,h2/prism?port=6432", false)]
    public void Two_spellings_of_one_store_are_the_same_store(string a, string b, bool same)
    {
        Assert.Equal(same, StoreLocator.SameStore(a, b));
    }

    [Theory]
    [InlineData("postgresql://ops:********@db:5432/prism?sslmode=require", "postgresql://ops@db:5432/prism?sslmode=require")]
    [InlineData("postgresql://db/prism?password=********&sslmode=require", "postgresql://db/prism?sslmode=require")]
    [InlineData("postgresql://db/prism?sslmode=require&password=********", "postgresql://db/prism?sslmode=require")]
    [InlineData("/var/lib/prism/config.db", "/var/lib/prism/config.db")]
    public void A_locator_in_a_suggested_command_leaves_the_masked_password_out(string display, string command)
    {
        Assert.Equal(command, StoreLocator.ForCommand(display));
    }
}
