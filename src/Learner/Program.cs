using PsTraining.ParameterServer.Hosting;
using PsTraining.Torch;

namespace PsTraining.Learner;

/// <summary>
/// The learner process: options, then <see cref="Worker"/> until its budget is spent; SIGTERM or Ctrl-C finishes
/// the push in flight and exits 0. Standard output carries one JSON line per push and per evaluation; standard
/// error, what a person reads.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLineOptions.Create("PsTraining learner: pulls weights, computes gradients of its data shard with libtorch, pushes them to the parameter server.",
            LearnerOptions.Specs, layered => CommandLineOptions.RunBound(LearnerOptions.Bind(layered), RunAsync)).Parse(args).InvokeAsync();

    private static async Task<int> RunAsync(LearnerOptions options)
    {
        using var stop = new StopSignals();
        try
        {
            return await new Worker(options, Console.Out, Console.Error).RunAsync(stop.Token);
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
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or TorchException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
