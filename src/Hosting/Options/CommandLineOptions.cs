using System.CommandLine;
using Microsoft.Extensions.Primitives;

namespace PsTraining.Hosting;

/// <summary>
/// The command line of a program (or of one of its commands) whose options are an options class's
/// (<see cref="ProgramOption"/>): one <c>--NAME</c> per option (flags take an optional true/false, lists repeat),
/// <c>--config FILE</c> and <c>--print-options</c>, layered with PSTRAINING_ variables and the JSON file by
/// <see cref="LayeredOptions"/>. Bad options are all printed at once, and the program exits with 2 before it starts
/// anything. Every program of ours builds its command line here.
/// </summary>
public static class CommandLineOptions
{
    /// <summary>The program's root command: it binds a <typeparamref name="T"/> and hands it to <paramref name="run"/>.</summary>
    public static RootCommand Create<T>(string description, Func<T, Task<int>> run)
        where T : class, new()
    {
        var root = new RootCommand(description);
        Attach(root, run);
        return root;
    }

    /// <summary>A command of a program with several, e.g. <c>sim train</c>.</summary>
    public static Command Command<T>(string name, string description, Func<T, Task<int>> run)
        where T : class, new()
    {
        var command = new Command(name, description);
        Attach(command, run);
        return command;
    }

    /// <inheritdoc cref="Command{T}(string, string, Func{T, Task{int}})"/>
    public static Command Command<T>(string name, string description, Func<T, int> run)
        where T : class, new() => Command<T>(name, description, o => Task.FromResult(run(o)));

    private static void Attach<T>(Command command, Func<T, Task<int>> run)
        where T : class, new()
    {
        var options = ProgramOption.Of<T>();
        var config = new Option<string?>("--config") { Description = "JSON file of options (keys are the option names); command line and PSTRAINING_ variables win" };
        var printOptions = new Option<bool>("--print-options") { Description = "print every option with its environment variable and resolved value, then exit" };
        var declared = options.Select(o => (Option: o, Symbol: Symbol(o))).ToList();
        foreach (var (_, symbol) in declared)
        {
            if (symbol is Argument argument)
            {
                command.Arguments.Add(argument);
            }
            else
            {
                command.Options.Add((Option)symbol);
            }
        }

        command.Options.Add(config);
        command.Options.Add(printOptions);
        command.SetAction(async (parse, _) =>
        {
            var given = declared.ToDictionary(d => d.Option.Name, d => d.Symbol switch
            {
                Option<bool?> flag => parse.GetResult(flag) is null ? StringValues.Empty : new StringValues((parse.GetValue(flag) ?? true) ? "true" : "false"),
                Option<string?> text => new StringValues(parse.GetValue(text)),
                Option<string[]> list => new StringValues(parse.GetValue(list)),
                Argument<string> positional => new StringValues(parse.GetValue(positional)),
                _ => StringValues.Empty,
            });
            var layered = new LayeredOptions(options, parse.GetValue(config), given);
            if (parse.GetValue(printOptions))
            {
                foreach (var option in options)
                {
                    Console.WriteLine($"--{option.Name}\t{option.EnvironmentVariable}\t{layered.Values.GetValueOrDefault(option.Name, "")}");
                }

                return 0;
            }

            if (layered.Bind<T>() is { } bound)
            {
                return await run(bound);
            }

            foreach (var error in layered.Errors)
            {
                Console.Error.WriteLine(error);
            }

            return 2;
        });
    }

    private static Symbol Symbol(ProgramOption option)
    {
        if (option.IsPositional)
        {
            return new Argument<string>(option.Name) { Description = option.Description };
        }

        var name = "--" + option.Name;
        var help = $"{option.Description} [{(option.HasBounds ? option.Accepted + "; " : "")}env {option.EnvironmentVariable}{(option.Default is null ? "" : $", default {option.Default}")}]";
        return option switch
        {
            { IsFlag: true } => new Option<bool?>(name) { Description = help, Arity = ArgumentArity.ZeroOrOne },
            { IsList: true } => new Option<string[]>(name) { Description = help + " (repeatable)", AllowMultipleArgumentsPerToken = false },
            _ => new Option<string?>(name) { Description = help },
        };
    }
}
