using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Primitives;

namespace PsTraining.Hosting.Tests;

/// <summary>
/// The options' layers on .NET configuration: defaults &lt; JSON &lt; PSTRAINING_ variables &lt; command line, every
/// error at once, and each option declared once by a property of its class.
/// </summary>
public sealed class LayeredOptionsTests : IDisposable
{
    private readonly string _json = Path.Combine(Path.GetTempPath(), $"layered-{Guid.NewGuid():N}.json");

    [Fact]
    public void Each_layer_wins_over_the_ones_before_it_and_an_empty_variable_is_unset()
    {
        File.WriteAllText(_json, """{ "layered-test-rate": 0.2, "layered-test-name": "from-json", "layered-test-count": 3, "layered-test-flag": true }""");
        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_NAME", "from-env");
        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_COUNT", "5");
        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_RATE", "");
        var layered = Layered(new() { ["layered-test-count"] = "7", ["layered-test-mode"] = StringValues.Empty, ["layered-test-label"] = "l" });
        var o = layered.Bind<TestOptions>()!;

        Assert.Equal(0.2, o.LayeredTestRate); // JSON over the default; the empty variable changes nothing
        Assert.Equal("from-env", o.LayeredTestName); // the variable over JSON
        Assert.Equal(7, o.LayeredTestCount); // the command line over both
        Assert.True(o.LayeredTestFlag);
        Assert.Equal("a", o.LayeredTestMode); // not given anywhere: the default
        Assert.Empty(layered.Errors);
        Assert.Equal("true", layered.Values["layered-test-flag"]); // JSON's true printed as the command line writes it
    }

    [Fact]
    public void A_bad_file_and_bad_values_are_all_reported_together()
    {
        File.WriteAllText(_json, """{ "layered-test-rate": 7, "Layered-Test-Name": "x", "layered-test-count": { "a": 1 } }""");
        var layered = Layered(new() { ["layered-test-mode"] = "c", ["layered-test-label"] = "l" });

        Assert.Null(layered.Bind<TestOptions>());
        // The file's problems in the order of their keys, then the values' in the order of the options.
        Assert.Equal(
        [
            $"--config: '{_json}' gives 'layered-test-count' no single value (an object, a list or null)",
            $"--config: '{_json}' has an unknown option 'Layered-Test-Name'; known: layered-test-rate, layered-test-name, layered-test-count, layered-test-flag, layered-test-mode, layered-test-items, layered-test-limit, layered-test-word, layered-test-label",
            "--layered-test-rate must be a number in [0, 1], not '7'",
            "--layered-test-mode must be one of a, b, not 'c'",
        ], layered.Errors);
    }

    [Fact]
    public void A_missing_or_malformed_file_is_an_error_not_an_exception()
    {
        var missing = Layered([]);
        Assert.Equal([$"--config: '{_json}' does not exist"], missing.Errors);

        File.WriteAllText(_json, """{ "layered-test-rate": """);
        var malformed = Layered([]);
        Assert.StartsWith($"--config: '{_json}' is not valid JSON (", Assert.Single(malformed.Errors));
        Assert.Equal("0.1", malformed.Values["layered-test-rate"]); // the defaults still stand
    }

    [Fact]
    public void A_list_comes_whole_from_the_highest_layer_that_gives_it()
    {
        File.WriteAllText(_json, """{ "layered-test-items": ["j0", "j1", "j2"] }""");
        var label = new Dictionary<string, StringValues> { ["layered-test-label"] = "l" };
        Assert.Equal(["j0", "j1", "j2"], Layered(label).Bind<TestOptions>()!.LayeredTestItems);

        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_ITEMS__0", "e0");
        Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_ITEMS__1", "e1");
        Assert.Equal(["e0", "e1"], Layered(label).Bind<TestOptions>()!.LayeredTestItems);

        // Two items on the command line do not mix with the file's three or the variables' two.
        Assert.Equal(["c0", "c1"], Layered(new(label) { ["layered-test-items"] = new StringValues(["c0", "c1"]) }).Bind<TestOptions>()!.LayeredTestItems);
    }

    [Fact]
    public void Ranges_requirements_and_the_class_checks_are_reported_together_with_what_each_accepts()
    {
        File.WriteAllText(_json, "{}");
        var layered = Layered(new() { ["layered-test-count"] = "x", ["layered-test-limit"] = "0", ["layered-test-mode"] = "b", ["layered-test-word"] = "Word" });

        Assert.Null(layered.Bind<TestOptions>());
        Assert.Equal(
        [
            "--layered-test-count must be an integer in 0..10, not 'x'",
            "--layered-test-limit must be a finite number > 0, not '0'",
            "--layered-test-word must be a lower-case word, not 'Word'",
            "--layered-test-label is required",
            "--layered-test-mode b needs --layered-test-flag",
        ], layered.Errors);
    }

    [Fact]
    public void Each_option_is_read_off_its_property()
    {
        var options = ProgramOption.Of<TestOptions>().ToDictionary(o => o.Name);

        Assert.Equal("PSTRAINING_LAYERED_TEST_RATE", options["layered-test-rate"].EnvironmentVariable);
        Assert.Equal("0.1", options["layered-test-rate"].Default);
        Assert.Equal("a number in [0, 1]", options["layered-test-rate"].Accepted);
        Assert.True(options["layered-test-flag"].IsFlag);
        Assert.True(options["layered-test-items"].IsList);
        Assert.Equal("one of a, b", options["layered-test-mode"].Accepted);
        Assert.Equal(("a lower-case word", true), (options["layered-test-word"].Accepted, options["layered-test-word"].HasBounds));
        Assert.True(options["layered-test-label"].IsRequired);
        Assert.Null(options["layered-test-label"].Default);
        Assert.DoesNotContain("derived", options.Keys); // a property without a description is not an option
    }

    public void Dispose()
    {
        foreach (var option in ProgramOption.Of<TestOptions>())
        {
            Environment.SetEnvironmentVariable(option.EnvironmentVariable, null);
        }

        foreach (var item in new[] { "__0", "__1" })
        {
            Environment.SetEnvironmentVariable("PSTRAINING_LAYERED_TEST_ITEMS" + item, null);
        }

        File.Delete(_json);
    }

    private LayeredOptions Layered(Dictionary<string, StringValues> commandLine) => new(ProgramOption.Of<TestOptions>(), _json, commandLine);

    /// <summary>A check of the kind a program adds (a policy's syntax): its message says what the option accepts.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class LowerCaseWordAttribute() : ValidationAttribute("a lower-case word")
    {
        public override bool IsValid(object? value) => value is string text && text.Length > 0 && text.All(char.IsAsciiLetterLower);
    }

    /// <summary>Names no program declares, so that the variables this test sets reach no other test.</summary>
    public sealed class TestOptions : IValidatableObject
    {
        [Description("a number"), Range(0.0, 1.0)]
        public double LayeredTestRate { get; init; } = 0.1;

        [Description("a string")]
        public string LayeredTestName { get; init; } = "default";

        [Description("an integer"), Range(0, 10)]
        public int LayeredTestCount { get; init; } = 1;

        [Description("a flag")]
        public bool LayeredTestFlag { get; init; }

        [Description("a choice"), AllowedValues("a", "b")]
        public string LayeredTestMode { get; init; } = "a";

        [Description("a list")]
        public string[] LayeredTestItems { get; init; } = [];

        [Description("a positive number"), Range(0, double.MaxValue, MinimumIsExclusive = true)]
        public double LayeredTestLimit { get; init; } = 1;

        [Description("a word"), LowerCaseWord]
        public string LayeredTestWord { get; init; } = "word";

        [Description("a required string"), Required]
        public string? LayeredTestLabel { get; init; }

        public int Derived => LayeredTestCount * 2;

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (LayeredTestMode == "b" && !LayeredTestFlag)
            {
                yield return new ValidationResult("--layered-test-mode b needs --layered-test-flag");
            }
        }
    }
}
