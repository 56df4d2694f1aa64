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
}
