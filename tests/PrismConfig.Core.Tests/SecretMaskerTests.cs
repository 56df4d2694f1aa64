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

    [Theory]
    [InlineData("pwd")]
    [InlineData("passwd")]
    [InlineData("pass")]
    [InlineData("passphrase")]
    [InlineData("auth")]
    [InlineData("basic_auth")]
    [InlineData("Authorization")]
    [InlineData("sasl.jaas.config")]
    [InlineData("url_sig")]
    [InlineData("client_secret")]
    public void Common_names_for_secrets_are_secret_keys(string key)
    {
        Assert.True(SecretMasker.IsSecretKey(key));
        Assert.Equal(SecretMasker.Mask, SecretMasker.MaskValue(key, "V-hunter2"));
    }

    [Theory]
    [InlineData("author")]
    [InlineData("passive")]
    [InlineData("topic")]
    [InlineData("consumer_group")]
    [InlineData("auth_mode")]
    [InlineData("auth.mechanism")]
    [InlineData("pass_through")]
    [InlineData("sig_figs")]
    public void Ordinary_names_are_not(string key)
    {
        Assert.False(SecretMasker.IsSecretKey(key));
    }

    [Theory]
    [InlineData("https://h/x?sig=V-qsig&apikey=V-qkey&region=eu", "V-qsig", "V-qkey")]
    [InlineData("Server=db;User Id=ops;Passwd=V-pw1;Database=x", "V-pw1", null)]
    [InlineData("Authorization: Bearer V-bearer-token-1234567890", "V-bearer-token-1234567890", null)]
    [InlineData("refresh_token=V-refresh&id_token=V-idtok", "V-refresh", "V-idtok")]
    [InlineData("curl -H x-api-key=V-xkey https://h", "V-xkey", null)]
    public void Secrets_in_text_are_masked_and_the_rest_kept(string text, string secret, string? second)
    {
        var masked = SecretMasker.MaskText(text);
        Assert.DoesNotContain(secret, masked, StringComparison.Ordinal);
        if (second is not null) Assert.DoesNotContain(second, masked, StringComparison.Ordinal);
        Assert.Contains(SecretMasker.Mask, masked, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_keeps_its_other_parameters()
    {
        Assert.Equal("https://h/x?sig=********&region=eu", SecretMasker.MaskText("https://h/x?sig=V-qsig&region=eu"));
    }

    [Theory]
    [InlineData("Basic configuration for the orders service")]
    [InlineData("keep sig = 3 digits, pass the rest through")]
    [InlineData("Bearer tokens are rotated daily")]
    public void Prose_is_not_taken_for_a_secret(string text)
    {
        Assert.Equal(text, SecretMasker.MaskText(text));
    }
}
