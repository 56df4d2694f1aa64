using PrismConfig.Core.Display;

namespace PrismConfig.Core.Tests;

public sealed class SecretMaskerTests
{
    [Theory]
    [InlineData("vault://kv/orders#password", true)]
    [InlineData("secret://prism/orders-token", true)]
    [InlineData("env:ORDERS_TOKEN", true)]
    [InlineData("vault://user:pw@vault/kv", false)]
    [InlineData("env:not a name", false)]
    [InlineData("hunter2", false)]
    [InlineData("", false)]
    public void A_reference_is_recognised_and_left_visible(string text, bool reference)
    {
        Assert.Equal(reference, SecretMasker.IsReference(text));
        if (reference)
        {
            Assert.Equal(text, SecretMasker.MaskValue("password", text));
            Assert.Equal(text, SecretMasker.MaskText(text));
        }
    }

    [Fact]
    public void SecretPaths_lists_every_value_the_masking_would_hide_and_no_reference()
    {
        var ns = T.Ns("orders");
        ns.Description = "see postgres://app:pw@db/orders";
        ns.BackendConfig["password"] = "hunter2";
        ns.BackendConfig["token"] = "env:ORDERS_TOKEN";
        ns.BackendConfig["key_count"] = 3;
        ns.BackendConfig["nested"] = new System.Collections.Hashtable { ["api_key"] = "abc", ["host"] = "db" };
        ns.BackendConfig["urls"] = new object[] { "redis://:s3cret@cache:6379", "redis://cache:6380" };
        Assert.Equal(["description", "backend_config.nested.api_key", "backend_config.password", "backend_config.urls[0]"], SecretMasker.SecretPaths(ns));
    }
}
