namespace PsTraining.Hosting.Tests;

/// <summary>The options' layers on .NET configuration: defaults &lt; JSON &lt; PSTRAINING_ variables &lt; command line, and every error at once.</summary>
public sealed class LayeredOptionsTests : IDisposable
{
    // Names no program declares, so that the variables this test sets reach no other test.
    private static readonly OptionSpec[] Specs =
    [
        new("layered-test-rate", "a number", "0.1"),
        new("layered-test-name", "a string", "default"),
        new("layered-test-count", "an integer", "1"),
        new("layered-test-flag", "a flag", "false", IsFlag: true),
        new("layered-test-mode", "a choice", "a"),
    ];

    private readonly string _json = Path.Combine(Path.GetTempPath(), $"layered-{Guid.NewGuid():N}.json");

    [Fact]
    public void Each_layer_wins_over_the_ones_before_it_and_an_empty_variable_is_unset()
    {
        File.WriteAllText(_json, """{ "layered-test-rate": 0.2, "layered-test-name": "from-json", "layered-test-count": 3, "layered-test-flag": true }""");
        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_NAME", "from-env");
        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_COUNT", "5");
        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_RATE", "");
        var o = new LayeredOptions(Specs, _json, new Dictionary<string, string?> { ["layered-test-count"] = "7", ["layered-test-mode"] = null });

        Assert.Equal(0.2, o.Double("layered-test-rate", 0, 1)); // JSON over the default; the empty variable changes nothing
        Assert.Equal("from-env", o.String("layered-test-name")); // the variable over JSON
        Assert.Equal(7, o.Int("layered-test-count", 0, 10)); // the command line over both
        Assert.True(o.Flag("layered-test-flag"));
        Assert.Equal("a", o.Choice("layered-test-mode", "a", "b")); // not given anywhere: the default
        Assert.Empty(o.Errors);
        Assert.Equal("true", o.Values["layered-test-flag"]); // JSON's true printed as the command line writes it
    }

    [Fact]
    public void A_bad_file_and_bad_values_are_all_reported_together()
    {
        File.WriteAllText(_json, """{ "layered-test-rate": 7, "Layered-Test-Name": "x", "layered-test-count": { "a": 1 } }""");
        var o = new LayeredOptions(Specs, _json, new Dictionary<string, string?> { ["layered-test-mode"] = "c" });
        o.Double("layered-test-rate", 0, 1);
        o.Choice("layered-test-mode", "a", "b");

        // The file's problems in the order of their keys, then the values'.
        Assert.Equal(
        [
            $"--config: '{_json}' gives 'layered-test-count' no single value (an object, a list or null)",
            $"--config: '{_json}' has an unknown option 'Layered-Test-Name'; known: layered-test-rate, layered-test-name, layered-test-count, layered-test-flag, layered-test-mode",
            "--layered-test-rate must be a number in [0, 1], not '7'",
            "--layered-test-mode must be one of a, b, not 'c'",
        ], o.Errors);
    }

    [Fact]
    public void A_missing_or_malformed_file_is_an_error_not_an_exception()
    {
        var missing = new LayeredOptions(Specs, _json, new Dictionary<string, string?>());
        Assert.Equal([$"--config: '{_json}' does not exist"], missing.Errors);

        File.WriteAllText(_json, """{ "layered-test-rate": """);
        var malformed = new LayeredOptions(Specs, _json, new Dictionary<string, string?>());
        Assert.StartsWith($"--config: '{_json}' is not valid JSON (", Assert.Single(malformed.Errors));
        Assert.Equal(0.1, malformed.Double("layered-test-rate", 0, 1)); // the defaults still stand
    }

    public void Dispose()
    {
        foreach (var spec in Specs)
        {
            Environment.SetEnvironmentVariable(spec.EnvironmentVariable, null);
        }

        File.Delete(_json);
    }
}
