using System.Globalization;
using System.Text.Json;

namespace PsTraining.Hosting;

/// <summary>
/// Option values from three layers, later ones winning: a JSON file (keys are the option names), <c>PSTRAINING_</c>
/// environment variables, then the command line. The typed getters record an error that names the option and its
/// accepted range instead of throwing, so that every bad option is reported at once.
/// </summary>
public sealed class LayeredOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OptionSpec> _specs;

    public LayeredOptions(IReadOnlyList<OptionSpec> specs, string? jsonPath, IReadOnlyDictionary<string, string?> commandLine,
        Func<string, string?>? environment = null)
    {
        _specs = specs.ToDictionary(s => s.Name);
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var spec in specs.Where(s => s.Default is not null))
        {
            _values[spec.Name] = spec.Default!;
        }

        if (jsonPath is not null)
        {
            ReadJson(jsonPath);
        }

        foreach (var spec in specs)
        {
            if (environment(spec.EnvironmentVariable) is { Length: > 0 } value)
            {
                _values[spec.Name] = value;
            }
        }

        foreach (var (name, value) in commandLine)
        {
            if (value is not null)
            {
                _values[name] = value;
            }
        }
    }

    public List<string> Errors { get; } = [];

    /// <summary>The resolved values, for <c>--print-options</c>.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

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

        return _values.GetValueOrDefault(name);
    }

    private void ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            Errors.Add($"--config: '{path}' does not exist");
            return;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (!_specs.ContainsKey(property.Name))
                {
                    Errors.Add($"--config: '{path}' has an unknown option '{property.Name}'; known: {string.Join(", ", _specs.Keys)}");
                    continue;
                }

                _values[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => property.Value.GetRawText(),
                };
            }
        }
        catch (JsonException e)
        {
            Errors.Add($"--config: '{path}' is not valid JSON ({e.Message})");
        }
    }
}
