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
    public void A_password_may_hold_a_question_mark_or_an_at_sign_as_in_libpq()
    {
        var info = PostgresConnectionInfo.Parse("postgresql://ops:pa?ss@w0rd@db.internal:6432/prism?sslmode=disable", "shown");
        var built = new Npgsql.NpgsqlConnectionStringBuilder(info.ConnectionString);
        Assert.Equal("pa?ss@w0rd", built.Password);
        Assert.Equal("ops", built.Username);
        Assert.Equal("db.internal:6432", info.Server);
        Assert.Equal("prism", info.Database);
        // An '@' inside a query value is not a user-info.
        Assert.Equal("db:5432", PostgresConnectionInfo.Parse("postgresql://db/prism?application_name=ops@host", "shown").Server);
    }

    [Theory]
    [InlineData("postgres://ops:s3cret@DB.internal:5432/prism", "postgresql://ops@db.internal/prism?sslmode=require", true)]
    [InlineData("postgresql://ops:********@db.internal/prism", "postgresql://other@db.internal:5432/prism", true)]
    [InlineData("postgresql://ops@db.internal/prism", "postgresql://ops@db.internal/other", false)]
    [InlineData("postgresql://ops@db.internal/prism", "postgresql://ops@db.internal:6432/prism", false)]
    [InlineData("/var/lib/prism/config.db", "sqlite:///var/lib/prism/config.db", true)]
    [InlineData("/var/lib/prism/config.db", "postgresql://ops@db.internal/prism", false)]
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
