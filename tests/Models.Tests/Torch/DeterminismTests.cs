using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>
/// The reproducibility promise: one seed and one thread count give byte-identical LeNet-5 weights after SGD steps, run
/// after run in one process and in a fresh process. No test runs beside it (OneTestAtATime): TorchSharp's own draws elsewhere would shift the generator.
/// </summary>
public sealed class DeterminismTests : IDisposable
{
    /// <summary>The argument that makes the test assembly's <see cref="Program"/> compute <see cref="TrainedWeights"/> as a child process.</summary>
    public const string ChildCommand = "determinism";

    private readonly string _dir = Directory.CreateTempSubdirectory("pst-det").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_same_seed_and_thread_count_give_byte_identical_weights_in_process(int threads)
    {
        var first = TrainedWeights(17, threads);
        var second = TrainedWeights(17, threads);
        Assert.Equal(first, second);
        Assert.NotEqual(first, TrainedWeights(18, threads));
    }

    [Fact]
    public async Task A_fresh_process_gets_the_same_bytes()
    {
        var output = Path.Combine(_dir, "weights.bin");
        var assembly = typeof(DeterminismTests).Assembly.Location;
        var dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { assembly, ChildCommand, "17", "1", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stderr = child.StandardError.ReadToEndAsync(timeout.Token);
        var stdout = await child.StandardOutput.ReadToEndAsync(timeout.Token);
        await child.WaitForExitAsync(timeout.Token);
        Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode}: {stdout}{await stderr}");

        Assert.Equal(TrainedWeights(17, 1), File.ReadAllBytes(output));
    }

    /// <summary>
    /// LeNet-5 seeded with <paramref name="seed"/>, then 5 SGD steps (momentum, weight decay) on a batch drawn from the
    /// same seed, with <paramref name="threads"/> libtorch threads: the parameters' bytes in order.
    /// </summary>
    internal static byte[] TrainedWeights(long seed, int threads)
    {
        using var seeded = Reproducible.Enter(seed, threads);
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("lenet5");
        using var opt = optim.SGD(model.parameters(), 0.05, momentum: 0.9, weight_decay: 1e-4);
        var x = randn([32, 1, 32, 32]);
        var y = randint(10, [32]);
        for (var step = 0; step < 5; step++)
        {
            using var stepScope = NewDisposeScope();
            opt.zero_grad();
            functional.cross_entropy(model.call(x), y).backward();
            opt.step();
        }

        var parameters = model.parameters().ToList();
        var values = new float[FlatBuffer.Count(parameters)];
        FlatBuffer.GatherValues(parameters, values);
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    /// <summary>The child's side of <see cref="A_fresh_process_gets_the_same_bytes"/>: seed, threads, output file.</summary>
    internal static int RunChild(IReadOnlyList<string> arguments)
    {
        if (arguments.Count != 3)
        {
            Console.Error.WriteLine($"usage: {ChildCommand} SEED THREADS OUTPUT");
            return 2;
        }

        var weights = TrainedWeights(long.Parse(arguments[0], CultureInfo.InvariantCulture), int.Parse(arguments[1], CultureInfo.InvariantCulture));
        File.WriteAllBytes(arguments[2], weights);
        return 0;
    }
}
