using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Primitives;

namespace PsTraining.Hosting;

/// <summary>
/// A program's options on .NET configuration, later layers winning: a JSON file (keys are the option names),
/// <c>PSTRAINING_</c> environment variables (an empty one counts as unset), then the command line; what no layer
/// gives keeps the options class's default. Every layer keys an option by <see cref="ProgramOption.Key"/>, the one
/// form that an environment variable can carry too, so the providers' own precedence does the layering.
/// <see cref="Bind{T}"/> records every bad value, with what its option accepts, instead of stopping at the first.
/// </summary>
public sealed class LayeredOptions
{
    private readonly Dictionary<string, ProgramOption> _options;
    private readonly IConfigurationRoot _configuration;

    /// <param name="options">The program's options (<see cref="ProgramOption.Of{T}"/>).</param>
    /// <param name="jsonPath">The --config file, or null.</param>
    /// <param name="commandLine">What the command line gave, by option name; an empty value is "not given".</param>
    public LayeredOptions(IReadOnlyList<ProgramOption> options, string? jsonPath, IReadOnlyDictionary<string, StringValues> commandLine)
    {
        _options = options.ToDictionary(o => o.Name);
        var layers = new ConfigurationBuilder();
        if (jsonPath is not null)
        {
            layers.AddInMemoryCollection(ReadJson(jsonPath));
        }

        layers.Add(new SetVariablesSource());
        layers.AddInMemoryCollection(commandLine.Where(c => c.Value.Count > 0).SelectMany(c => Entries(_options[c.Key], c.Value)));
        _configuration = layers.Build();
    }

    /// <summary>Every problem found so far, each naming its option.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>The resolved values by option name (the default where no layer gives one), for <c>--print-options</c>.</summary>
    public IReadOnlyDictionary<string, string> Values =>
        _options.Values.Select(o => (o.Name, Value: Given(o) is { } given ? string.Join(",", given) : o.Default))
            .Where(o => o.Value is not null).ToDictionary(o => o.Name, o => o.Value!);

    /// <summary>
    /// A <typeparamref name="T"/> holding the layered values, checked against each option's range and then by the
    /// class's own <see cref="IValidatableObject.Validate"/>; null when anything was wrong, and then
    /// <see cref="Errors"/> lists all of it.
    /// </summary>
    public T? Bind<T>()
        where T : class, new()
    {
        var bound = new T();
        foreach (var option in ProgramOption.Of<T>())
        {
            var given = Given(option);
            if (given is null)
            {
                if (option.IsRequired)
                {
                    Errors.Add($"--{option.Name} is required");
                }

                continue;
            }

            var values = new List<object>();
            foreach (var text in given)
            {
                if (option.Parse(text, out var error) is { } value)
                {
                    values.Add(value);
                }
                else
                {
                    Errors.Add(error!);
                }
            }

            if (values.Count == given.Count)
            {
                option.Property.SetValue(bound, option.IsList ? values.Cast<string>().ToArray() : values[0]);
            }
        }

        if (bound is IValidatableObject validatable)
        {
            // Checks between options run even when a value was bad (it kept its default), so that one run lists everything.
            Errors.AddRange(validatable.Validate(new ValidationContext(bound)).Select(r => r.ErrorMessage ?? "an invalid combination of options"));
        }

        return Errors.Count == 0 ? bound : null;
    }

    /// <summary>
    /// What the highest layer that has <paramref name="option"/> gives: one value, or a list's items. A list comes
    /// whole from one layer, so that the command line's two items do not mix with a JSON file's three.
    /// </summary>
    private IReadOnlyList<string>? Given(ProgramOption option)
    {
        foreach (var layer in _configuration.Providers.Reverse())
        {
            if (layer.TryGet(option.Key, out var value) && value is not null)
            {
                return [value];
            }

            if (option.IsList)
            {
                var items = layer.GetChildKeys([], option.Key).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (items.Count > 0)
                {
                    return items.OrderBy(i => int.TryParse(i, out var n) ? n : int.MaxValue)
                        .Select(i => layer.TryGet($"{option.Key}:{i}", out var item) ? item ?? "" : "").ToList();
                }
            }
        }

        return null;
    }

    private static IEnumerable<KeyValuePair<string, string?>> Entries(ProgramOption option, StringValues values) =>
        option.IsList
            ? values.Select((v, i) => KeyValuePair.Create($"{option.Key}:{i}", v))
            : [KeyValuePair.Create(option.Key, values[^1])];

    /// <summary>
    /// The JSON file's options, read by the configuration's JSON provider; a missing or malformed file, an unknown
    /// option (names are matched exactly) and a value that is not a single value (or a list, for a list) each become
    /// an error.
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
        foreach (var entry in json.GetChildren())
        {
            if (!_options.TryGetValue(entry.Key, out var option))
            {
                Errors.Add($"--config: '{path}' has an unknown option '{entry.Key}'; known: {string.Join(", ", _options.Keys)}");
            }
            else if (entry.Value is not null)
            {
                // JSON's true and false come out of the provider as "True" and "False"; written as the command line writes them.
                values.Add(KeyValuePair.Create(option.Key, (string?)(bool.TryParse(entry.Value, out var flag) ? flag ? "true" : "false" : entry.Value)));
            }
            else if (option.IsList && entry.GetChildren().All(item => item.Value is not null))
            {
                values.AddRange(entry.GetChildren().Select(item => KeyValuePair.Create($"{option.Key}:{item.Key}", item.Value)));
            }
            else
            {
                Errors.Add($"--config: '{path}' gives '{entry.Key}' no single value (an object, a list or null)");
            }
        }

        return values;
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>The PSTRAINING_ variables, by the configuration's environment provider, less the empty ones: an empty variable leaves its option unset.</summary>
    private sealed class SetVariablesSource : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new SetVariables();

        private sealed class SetVariables() : EnvironmentVariablesConfigurationProvider(ProgramOption.EnvironmentPrefix)
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
