using System.CommandLine;
using System.Globalization;

namespace PsTraining.Hosting;

/// <summary>
/// The command line of a program whose options are <see cref="OptionSpec"/>s: one <c>--NAME</c> per spec (flags take
/// an optional true/false), <c>--config FILE</c> and <c>--print-options</c>, layered with PSTRAINING_ variables and
/// the JSON file by <see cref="LayeredOptions"/>. The parameter server and the learner share it.
/// </summary>
public static class CommandLineOptions
{
    /// <summary>A root command that hands the layered options to <paramref name="run"/> (or prints them with --print-options).</summary>
    public static RootCommand Create(string description, IReadOnlyList<OptionSpec> specs, Func<LayeredOptions, Task<int>> run)
    {
        var config = new Option<string?>("--config") { Description = "JSON file of options (keys are the option names); command line and PSTRAINING_ variables win" };
        var printOptions = new Option<bool>("--print-options") { Description = "print every option with its environment variable and resolved value, then exit" };
        var root = new RootCommand(description) { config, printOptions };
        var declared = new List<(OptionSpec Spec, Option Option)>();
        foreach (var spec in specs)
        {
            var help = $"{spec.Description} [env {spec.EnvironmentVariable}{(spec.Default is null ? "" : $", default {spec.Default}")}]";
            Option option = spec.IsFlag
                ? new Option<bool?>("--" + spec.Name) { Description = help, Arity = ArgumentArity.ZeroOrOne }
                : new Option<string?>("--" + spec.Name) { Description = help };
            root.Options.Add(option);
            declared.Add((spec, option));
        }

        root.SetAction((parse, _) =>
        {
            var commandLine = declared.ToDictionary(d => d.Spec.Name, d => d.Option switch
            {
                Option<bool?> flag => parse.GetResult(flag) is null ? null : (parse.GetValue(flag) ?? true).ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
                Option<string?> text => parse.GetValue(text),
                _ => null,
            });
            var layered = new LayeredOptions(specs, parse.GetValue(config), commandLine);
            if (!parse.GetValue(printOptions))
            {
                return run(layered);
            }

            foreach (var spec in specs)
            {
                Console.WriteLine($"--{spec.Name}\t{spec.EnvironmentVariable}\t{layered.Values.GetValueOrDefault(spec.Name, "")}");
            }

            return Task.FromResult(0);
        });
        return root;
    }

    /// <summary>Prints the binding errors (each names its option) and returns exit code 2, or runs the bound options.</summary>
    public static Task<int> RunBound<T>((T? Options, IReadOnlyList<string> Errors) bound, Func<T, Task<int>> run)
        where T : class
    {
        if (bound.Options is { } options)
        {
            return run(options);
        }

        foreach (var e in bound.Errors)
        {
            Console.Error.WriteLine(e);
        }

        return Task.FromResult(2);
    }
}
