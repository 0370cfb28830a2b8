using PsTraining.Models.Zoo;
using PsTraining.Hosting;
using PsTraining.Hosting.Metrics;
using Grpc.Core;
using System.Runtime.InteropServices;
using PsTraining.Protocol;

namespace PsTraining.Learner;

/// <summary>
/// The learner process: options, then <see cref="Worker"/> until its budget is spent; SIGTERM or Ctrl-C finishes
/// the push in flight and exits 0. Standard output carries one JSON line per push and per evaluation; standard
/// error, what a person reads.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLineOptions.Create<LearnerOptions>("PsTraining learner: pulls weights, computes gradients of its data shard with libtorch, pushes them to the parameter server.",
            RunAsync).Parse(args).InvokeAsync();

    private static async Task<int> RunAsync(LearnerOptions options)
    {
        if (options.WriteInitialWeights is { } path)
        {
            return WriteInitialWeights(options, path);
        }

        using var stop = new StopSignals();
        var name = options.LearnerName;
        using var meter = MetricsExport.CreateMeter(MetricNames.LearnerMeter);
        await using var metrics = await MetricsHost.StartAsync(
            new MetricsOptions("pstraining-learner", $"{Environment.MachineName}:{name}", options.ServedMetricsPort, !options.ListenOnAll), MetricNames.LearnerMeter);
        if (metrics.Port is { } port)
        {
            // A line for the launcher (which scrapes every learner) as well as for a person.
            Console.Error.WriteLine($"{name}: metrics on http://{(options.ListenOnAll ? "0.0.0.0" : "127.0.0.1")}:{port}{MetricsExport.Path}");
            Console.Out.WriteLine($"{{\"kind\":\"metrics\",\"name\":\"{name}\",\"url\":\"http://127.0.0.1:{port}{MetricsExport.Path}\"}}");
        }

        try
        {
            return await new Worker(options, Console.Out, Console.Error, learner => new LearnerInstruments(meter, learner)).RunAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped before the first push");
            return 0;
        }
        catch (LearnerException e)
        {
            Console.Error.WriteLine(e.Message);
            return e.ExitCode;
        }
        catch (RpcException e)
        {
            // A refusal that retrying cannot change (a wrong token, a push the server's settings do not allow).
            Console.Error.WriteLine($"{name}: the parameter server refused: {e.Describe()}");
            return 4;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or ExternalException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    /// <summary>The server's starting point, written where a Kubernetes init container (or a person) asks for it.</summary>
    private static int WriteInitialWeights(LearnerOptions options, string path)
    {
        try
        {
            Console.WriteLine(InitialWeights.WriteAndDescribe(options.Model, options.Seed, path));
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
