using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Hosting;
using PsTraining.ParameterServer.Transport.Server;

namespace PsTraining.ParameterServer;

/// <summary>The parameter-server process: options, the initial model, Kestrel, status lines, and a clean stop on SIGTERM or Ctrl-C.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var config = new Option<string?>("--config") { Description = "JSON file of options (keys are the option names); command line and PSTRAINING_ variables win" };
        var printOptions = new Option<bool>("--print-options") { Description = "print every option with its environment variable and resolved value, then exit" };
        var root = new RootCommand("PsTraining parameter server: holds the weights, applies pushed gradients under a consistency policy, records staleness.")
        {
            config, printOptions,
        };
        var declared = new List<(OptionSpec Spec, Option Option)>();
        foreach (var spec in ServerOptions.Specs)
        {
            var description = $"{spec.Description} [env {spec.EnvironmentVariable}{(spec.Default is null ? "" : $", default {spec.Default}")}]";
            Option option = spec.IsFlag
                ? new Option<bool?>("--" + spec.Name) { Description = description, Arity = ArgumentArity.ZeroOrOne }
                : new Option<string?>("--" + spec.Name) { Description = description };
            root.Options.Add(option);
            declared.Add((spec, option));
        }

        root.SetAction((parse, cancellation) =>
        {
            var commandLine = declared.ToDictionary(d => d.Spec.Name, d => d.Option switch
            {
                Option<bool?> flag => parse.GetResult(flag) is null ? null : (parse.GetValue(flag) ?? true).ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
                Option<string?> text => parse.GetValue(text),
                _ => null,
            });
            var layered = new LayeredOptions(ServerOptions.Specs, parse.GetValue(config), commandLine);
            if (parse.GetValue(printOptions))
            {
                foreach (var spec in ServerOptions.Specs)
                {
                    Console.WriteLine($"--{spec.Name}\t{spec.EnvironmentVariable}\t{layered.Values.GetValueOrDefault(spec.Name, "")}");
                }

                return Task.FromResult(0);
            }

            var (options, errors) = ServerOptions.Bind(layered);
            if (options is null)
            {
                foreach (var e in errors)
                {
                    Console.Error.WriteLine(e);
                }

                return Task.FromResult(2);
            }

            return RunAsync(options);
        });
        return await root.Parse(args).InvokeAsync();
    }

    private static async Task<int> RunAsync(ServerOptions options)
    {
        ParameterLayout layout;
        float[] weights;
        BearerToken? token;
        try
        {
            (layout, weights) = InitialModel.Build(options.Model, options.Seed);
            token = BearerToken.From(options.AuthToken, options.AuthTokenFile);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or Torch.TorchException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        using var core = new ParameterServerCore(layout, weights, options.Core);
        await using var host = await GrpcServerHost.StartAsync(core, new GrpcServerOptions
        {
            Token = token,
            MaxReceiveMessageSize = options.MaxMessageBytes,
            MaxSendMessageSize = options.MaxMessageBytes,
        }, options.Port, loopbackOnly: !options.ListenOnAll, options.TlsCertificate, options.TlsCertificatePassword);

        var scheme = options.TlsCertificate is null ? "http" : "https";
        Console.WriteLine($"parameter server listening on {scheme}://{(options.ListenOnAll ? "0.0.0.0" : "127.0.0.1")}:{host.Port} " +
                          $"(model {options.Model}, {layout.TotalLength} floats in {core.ShardCount} shards, policy {options.Core.Policy}, " +
                          $"{options.Core.Optimizer.Kind} lr {options.Core.LearningRate}{(token is null ? "" : ", token required")})");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        await ReportUntil(stop.Task, core, options.StatusInterval);

        Console.WriteLine($"stopping: draining calls in flight (version {core.Version})");
        return 0;
    }

    /// <summary>A status line per interval: version, pushes per second, and each learner's staleness and loss.</summary>
    private static async Task ReportUntil(Task stop, ParameterServerCore core, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            await stop;
            return;
        }

        var lastApplied = 0UL;
        while (await Task.WhenAny(stop, Task.Delay(interval)) != stop)
        {
            var s = core.Stats();
            var rate = (s.Applied - lastApplied) / interval.TotalSeconds;
            lastApplied = s.Applied;
            var learners = string.Join("  ", s.Learners.Where(l => l.Live).Select(l =>
                string.Create(CultureInfo.InvariantCulture, $"{l.Name}: staleness mean {l.MeanStaleness:F2} max {l.MaxStaleness} loss {l.LastLoss:F4}")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"version {s.Version}  {rate:F1} pushes/s  duplicates {s.Duplicates}  rejected {s.Rejected}  {learners}"));
        }
    }
}
