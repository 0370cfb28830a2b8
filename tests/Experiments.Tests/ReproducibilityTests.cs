using PsTraining.TestSupport;
using System.Text.Json;
using PsTraining.Models.Torch;
using PsTraining.Experiments;
using TorchSharp;

namespace PsTraining.Experiments.Tests;

/// <summary>
/// The same seed and thread count give the same bytes from every experiment of <c>experiment run all</c> at the tiny scale:
/// twice in this process (beside a thread that keeps drawing from libtorch's generator without a seed), and once more
/// in a process of its own whose heap glibc fills with a byte pattern (MALLOC_PERTURB_), so that a read of uninitialised
/// memory would show as different bytes. Only what the machine measured may differ: each result's measured/ folder and
/// run.json, and the index page that shows them.
/// </summary>
public sealed class ReproducibilityTests : IDisposable
{
    private const long Seed = 7;
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-reproducible-").FullName;

    [Fact]
    public void Every_experiment_writes_the_same_bytes_twice_in_this_process_and_once_in_another()
    {
        var (first, second, third) = (Path.Combine(_out, "first"), Path.Combine(_out, "second"), Path.Combine(_out, "third"));
        var draws = WithUnseededDraws(() =>
        {
            foreach (var output in new[] { first, second })
            {
                foreach (var experiment in ExperimentRegistry.All)
                {
                    ExperimentRunner.Run(experiment, output, Seed, ExperimentScale.Tiny, threads: 1);
                }
            }
        });
        Assert.True(draws > 0, "the neighbour thread never drew");

        var (code, _, error) = SimProcess.RunProgram("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "PsTraining.Sim.dll"), "experiment", "run", "all", "--scale", "tiny", "--seed", $"{Seed}", "--threads", "1", "--out", third],
            TimeSpan.FromMinutes(10), new Dictionary<string, string> { ["MALLOC_PERTURB_"] = "165" });
        Assert.True(code == 0, error);

        var files = Results(first);
        Assert.Equal(ExperimentRegistry.All.Select(e => e.Name).Order(StringComparer.Ordinal), files.Select(f => f.Split('/')[0]).Distinct().Order(StringComparer.Ordinal));
        foreach (var other in new[] { second, third })
        {
            Assert.Equal(files, Results(other));
            foreach (var file in files)
            {
                Assert.True(File.ReadAllBytes(Path.Combine(first, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(other, file))),
                    $"{file} differs between {first} and {other}");
            }
        }

        // Each result says what produced it.
        foreach (var experiment in ExperimentRegistry.All)
        {
            Assert.Contains($"Produced with seed {Seed}, tiny scale, 1 libtorch thread (libtorch {torch.__version__}).",
                File.ReadAllText(Path.Combine(third, experiment.Name, "summary.md")));
            var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(third, experiment.Name, ExperimentRunner.RunRecordFile))).RootElement;
            Assert.Equal((experiment.Name, Seed, "tiny", 1), (record.GetProperty("experiment").GetString(), record.GetProperty("seed").GetInt64(),
                record.GetProperty("scale").GetString(), record.GetProperty("threads").GetInt32()));
        }
    }

    [Fact]
    public void The_thread_count_is_an_option_and_a_bad_one_is_refused_with_its_range()
    {
        var dir = ExperimentRunner.Run(ExperimentRegistry.Find("backprop"), _out, Seed, ExperimentScale.Tiny, threads: 2);
        Assert.Contains("2 libtorch threads", File.ReadAllText(Path.Combine(dir, "summary.md")));

        var (code, _, error) = SimProcess.Run(TimeSpan.FromMinutes(2), "experiment", "run", "backprop", "--threads", "0", "--out", _out);
        Assert.NotEqual(0, code);
        Assert.Contains("--threads must be an integer in 1..1024, not '0'", error);
        var help = SimProcess.Run(TimeSpan.FromMinutes(2), "experiment", "run", "--help");
        Assert.Contains("--threads", help.Output);
        Assert.Contains("--scale", help.Output);
    }

    /// <summary>Every file of every result except what the machine measured, as OUT-relative paths with '/'.</summary>
    private static List<string> Results(string output) =>
        [.. Directory.GetFiles(output, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(output, f).Replace('\\', '/'))
            .Where(f => f.Contains('/', StringComparison.Ordinal)) // index.html shows the measured parts too
            .Where(f => !f.EndsWith("/" + ExperimentRunner.RunRecordFile, StringComparison.Ordinal) && !f.Contains($"/{ExperimentContext.MeasuredFolder}/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    /// <summary>
    /// Runs <paramref name="action"/> while another thread keeps drawing from libtorch's generator; returns how often it drew.
    /// The neighbour holds <see cref="Reproducible.Draw"/> around each draw, as every unseeded draw must (TorchSharp's own
    /// calls do not pass the gate): a seeded run keeps it waiting until the run ends. It draws into one tensor in place,
    /// so that it allocates nothing on the managed heap: a collection it started could free a native scalar that the
    /// experiments' optimisers hand libtorch (see OneTestAtATime).
    /// </summary>
    private static int WithUnseededDraws(Action action)
    {
        using var stop = new CancellationTokenSource();
        var draws = 0;
        using var noise = torch.empty(16);
        var neighbour = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using (Reproducible.Draw())
                {
                    noise.normal_();
                }

                Interlocked.Increment(ref draws);
                Thread.Sleep(1);
            }
        });
        neighbour.Start();
        try
        {
            action();
        }
        finally
        {
            stop.Cancel();
            neighbour.Join();
        }

        return draws;
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
