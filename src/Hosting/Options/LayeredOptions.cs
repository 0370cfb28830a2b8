using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace PsTraining.Hosting;

/// <summary>
/// Option values from .NET configuration, later layers winning: the specs' defaults, a JSON file (keys are the option
/// names), <c>PSTRAINING_</c> environment variables (an empty one counts as unset), then the command line. Every layer
/// keys an option by <see cref="OptionSpec.Key"/>, the one form that an environment variable can carry too. The
/// typed getters record an error that names the option and its accepted range instead of throwing, so that every bad
/// option is reported at once.
/// </summary>
public sealed class LayeredOptions
{
    private readonly Dictionary<string, OptionSpec> _specs;

    public LayeredOptions(IReadOnlyList<OptionSpec> specs, string? jsonPath, IReadOnlyDictionary<string, string?> commandLine)
    {
        _specs = specs.ToDictionary(s => s.Name);
        var layers = new ConfigurationBuilder()
            .AddInMemoryCollection(specs.Where(s => s.Default is not null).Select(s => KeyValuePair.Create(s.Key, s.Default)));
        if (jsonPath is not null)
        {
            layers.AddInMemoryCollection(ReadJson(jsonPath));
        }

        layers.Add(new SetVariablesSource());
        layers.AddInMemoryCollection(commandLine.Where(c => c.Value is not null).Select(c => KeyValuePair.Create(_specs[c.Key].Key, c.Value)));
        Configuration = layers.Build();
    }

    /// <summary>The layered values, keyed by <see cref="OptionSpec.Key"/>.</summary>
    public IConfiguration Configuration { get; }

    public List<string> Errors { get; } = [];

    /// <summary>The resolved values by option name, for <c>--print-options</c>.</summary>
    public IReadOnlyDictionary<string, string> Values =>
        _specs.Values.Where(s => Configuration[s.Key] is not null).ToDictionary(s => s.Name, s => Configuration[s.Key]!);

    public string? String(string name) => Get(name);

    public int Int(string name, int min, int max)
    {
        var text = Get(name);
        if (text is null)
        {
            return min;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max)
        {
            return v;
        }

        Errors.Add($"--{name} must be an integer in {min}..{max}, not '{text}'");
        return min;
    }

    public double Double(string name, double min, double max, bool minExclusive = false)
    {
        var text = Get(name);
        if (text is null)
        {
            return min;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            && (minExclusive ? v > min : v >= min) && v <= max)
        {
            return v;
        }

        Errors.Add($"--{name} must be a number in {(minExclusive ? "(" : "[")}{min}, {max}], not '{text}'");
        return min;
    }

    public bool Flag(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return false;
        }

        if (bool.TryParse(text, out var v))
        {
            return v;
        }

        Errors.Add($"--{name} must be true or false, not '{text}'");
        return false;
    }

    public string Choice(string name, params string[] choices)
    {
        var text = Get(name) ?? choices[0];
        if (choices.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        Errors.Add($"--{name} must be one of {string.Join(", ", choices)}, not '{text}'");
        return choices[0];
    }

    private string? Get(string name)
    {
        if (!_specs.ContainsKey(name))
        {
            throw new ArgumentException($"no option --{name} is declared");
        }

        return Configuration[_specs[name].Key];
    }

    /// <summary>
    /// The JSON file's options, read by the configuration's JSON provider; a missing or malformed file, an unknown
    /// option (names are matched exactly) and a value that is not a single value each become an error.
    /// </summary>
    private IEnumerable<KeyValuePair<string, string?>> ReadJson(string path)
    {
        IConfigurationRoot json;
        try
        {
            json = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false).Build();
        }
        catch (FileNotFoundException)
        {
            Errors.Add($"--config: '{path}' does not exist");
            return [];
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            Errors.Add($"--config: '{path}' is not valid JSON ({Innermost(e).Message})");
            return [];
        }

        var values = new List<KeyValuePair<string, string?>>();
        foreach (var option in json.GetChildren())
        {
            if (!_specs.TryGetValue(option.Key, out var spec))
            {
                Errors.Add($"--config: '{path}' has an unknown option '{option.Key}'; known: {string.Join(", ", _specs.Keys)}");
            }
            else if (option.Value is null)
            {
                Errors.Add($"--config: '{path}' gives '{option.Key}' no single value (an object, a list or null)");
            }
            else
            {
                // JSON's true and false come out of the provider as "True" and "False"; written as the command line writes them.
                values.Add(new KeyValuePair<string, string?>(spec.Key, bool.TryParse(option.Value, out var flag) ? (flag ? "true" : "false") : option.Value));
            }
        }

        return values;
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>The PSTRAINING_ variables, by the configuration's environment provider, less the empty ones: an empty variable leaves its option unset.</summary>
    private sealed class SetVariablesSource : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new SetVariables();

        private sealed class SetVariables() : EnvironmentVariablesConfigurationProvider(OptionSpec.EnvironmentPrefix)
        {
            public override void Load()
            {
                base.Load();
                foreach (var empty in Data.Where(d => string.IsNullOrEmpty(d.Value)).Select(d => d.Key).ToList())
                {
                    Data.Remove(empty);
                }
            }
        }
    }
}
