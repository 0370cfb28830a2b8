using System.Globalization;
using System.Runtime.InteropServices;
using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// <c>batch-growth</c>: does a growing batch at a fixed rate act like a decaying rate (Smith et al. 2018)? SmallInception on
/// Fashion-MNIST, SGD with momentum 0.9 at the cyclic-lr run's lr_max, the batch size doubled from 32 up to 8192 every K
/// iterations. The final model's test loss and accuracy are set beside the cyclic-lr model's (its final.json of the same
/// run; cyclic-lr runs first when there is none). Running out of memory at a large batch ends the growth there: the run
/// reports the batch size that did not fit and evaluates the model as trained so far. On the CPU the training keeps to a
/// budget (half of the machine's memory unless set), since Linux would rather kill an oversized process than fail its
/// allocation: every step's peak is measured (<see cref="TensorMemoryPeak"/>), and the growth stops at the first step whose
/// peak passed the budget, or before a batch size whose peak, predicted from the last one's, would pass it. On a GPU the
/// device's own out-of-memory error stops it.
/// </summary>
public sealed class BatchGrowth(BatchGrowth.Settings? settings = null) : IExperiment
{
    public string Name => "batch-growth";

    public string Description => "SmallInception on Fashion-MNIST at a fixed lr_max with the batch size doubled from 32 to 8192 every K iterations, against the cyclic-LR model";

    /// <summary>
    /// The sizes of a run; the data are the cyclic-lr run's. <see cref="CpuMemoryLimit"/>: bytes of CPU memory the training
    /// may hold at the peak of a step, beyond the model itself (null = half of this machine's memory; not applied on a GPU).
    /// </summary>
    public sealed record Settings(CyclicLearningRate.Settings Cyclic, int FirstBatch, int LastBatch, int IterationsPerBatchSize, double Momentum, long? CpuMemoryLimit = null)
    {
        /// <summary>Seconds: the tiny cyclic-lr run's LeNet-5, 16 → 512, 2 iterations each.</summary>
        public static Settings Tiny { get; } = new(CyclicLearningRate.Settings.Tiny, 16, 512, 2, 0.9);

        /// <summary>
        /// CPU-sized: 32 → 512, 6 iterations each (5,952 images, 30 iterations; fewer iterations leave BatchNorm's running
        /// statistics, which the test-set evaluation uses, far from the data's).
        /// </summary>
        public static Settings Default { get; } = new(CyclicLearningRate.Settings.Default, 32, 512, 6, 0.9);

        /// <summary>The exercise's 32 → 8192, 100 iterations each (1,635,200 images, about 33 epochs of 50,000).</summary>
        public static Settings Full { get; } = new(CyclicLearningRate.Settings.Full, 32, 8192, 100, 0.9);

        /// <summary>FirstBatch, 2·FirstBatch, ... up to LastBatch.</summary>
        public IReadOnlyList<int> BatchSizes()
        {
            var sizes = new List<int>();
            for (var b = FirstBatch; b <= LastBatch; b *= 2)
            {
                sizes.Add(b);
            }

            return sizes;
        }
    }

    /// <summary>One batch size: its iterations' mean loss and running accuracy, or why it stopped.</summary>
    public sealed record Stage(int BatchSize, int Iterations, double MeanLoss, double Accuracy, TimeSpan Duration, string? OutOfMemory);

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Full));

    private static void Run(ExperimentContext context, Settings settings)
    {
        var (cyclic, cyclicPath, _) = EarlierResult.Obtain(context, new CyclicLearningRate(settings.Cyclic), CyclicLearningRate.FinalFile, settings.Cyclic);
        var lr = cyclic["lr_max"]!.GetValue<double>();
        var model = settings.Cyclic.Model;
        var (train, _, test) = settings.Cyclic.Data.Load(model);
        if (train.Count < settings.LastBatch)
        {
            throw new ArgumentException($"batch sizes up to {settings.LastBatch} need at least as many training images, not {train.Count}");
        }

        var device = ClassifierTraining.DefaultDevice;
        long? limit = device.type == DeviceType.CPU ? settings.CpuMemoryLimit ?? (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2) : null;
        Reproducible.Reseed(context.Seed);
        using var network = ModelRegistry.Create(model);
        network.to(device);
        using var optimizer = optim.SGD(network.parameters(), lr, settings.Momentum);

        var iterations = new List<(int Iteration, int BatchSize, long Samples, double Loss)>();
        var stages = new List<Stage>();
        // The budget's baseline is taken here, with the model and the optimiser built: the steps' peaks count the batch,
        // the activations, the gradients and the momentum buffers, as a cap on the training's allocations would.
        var budget = limit is { } bytes ? new MemoryBudget(bytes) : null;
        var batches = new BatchStream(train, context.Seed);
        network.train();
        foreach (var batchSize in settings.BatchSizes())
        {
            var stage = TrainStage(network, optimizer, batches, batchSize, settings.IterationsPerBatchSize, device, iterations, budget);
            stages.Add(stage);
            if (stage.OutOfMemory is not null)
            {
                context.Progress($"  batch {batchSize}: out of memory after {stage.Iterations} iteration(s): {stage.OutOfMemory}");
                break;
            }

            context.Progress(string.Create(CultureInfo.InvariantCulture,
                $"  batch {batchSize}: {stage.Iterations} iterations, mean loss {stage.MeanLoss:F4}, accuracy {stage.Accuracy:P1} ({stage.Duration.TotalSeconds:F1} s)"));
        }

        var (testLoss, testAccuracy) = ClassifierEvaluation.Evaluate(network, test, device);
        var comparison = new[]
        {
            (Model: "cyclic LR", TestLoss: cyclic["test_loss"]!.GetValue<double>(), TestAccuracy: cyclic["test_accuracy"]!.GetValue<double>(),
                Iterations: cyclic["iterations"]!.GetValue<long>(), Samples: cyclic["samples_seen"]!.GetValue<long>()),
            (Model: "batch growth", TestLoss: testLoss, TestAccuracy: testAccuracy, Iterations: (long)iterations.Count, Samples: iterations.Sum(i => (long)i.BatchSize)),
        };

        context.WriteCsv("iterations", ["iteration", "batch_size", "samples_seen", "train_loss"],
            iterations.Select(i => (IReadOnlyList<object?>)[i.Iteration, i.BatchSize, i.Samples, i.Loss]));
        // No timings in the CSVs: the same seed gives the same files, byte for byte (timings are in the summary).
        context.WriteCsv("stages", ["batch_size", "iterations", "mean_loss", "train_accuracy", "status"],
            stages.Select(s => (IReadOnlyList<object?>)[s.BatchSize, s.Iterations, s.MeanLoss, s.Accuracy, s.OutOfMemory is null ? "trained" : "out of memory"]));
        context.WriteCsv("generalisation", ["model", "test_loss", "test_accuracy", "iterations", "samples_seen"],
            comparison.Select(c => (IReadOnlyList<object?>)[c.Model, c.TestLoss, c.TestAccuracy, c.Iterations, c.Samples]));

        var sizes = new VegaLite.Channel("batch_size", "batch size", "ordinal") { Sort = [.. stages.Select(s => s.BatchSize.ToString(CultureInfo.InvariantCulture))] };
        context.AddFigure("training-loss", VegaLite.Line(string.Create(CultureInfo.InvariantCulture, $"{model} at lr {lr:0.###e+0}: training loss as the batch grows"),
            iterations.Select(i => new { iteration = i.Iteration, loss = i.Loss, batch_size = i.BatchSize.ToString(CultureInfo.InvariantCulture) }),
            new("iteration", "iteration"), new("loss", "training loss (batch mean)"), sizes));
        context.AddFigure("generalisation", VegaLite.Faceted(VegaLite.Chart("Final models on the test set: cyclic LR against batch growth", "bar",
            comparison.SelectMany(c => new[] { new { model = c.Model, measure = "test accuracy", value = c.TestAccuracy }, new { model = c.Model, measure = "test loss", value = c.TestLoss } }),
            new("model", "model", "nominal") { Sort = ["cyclic LR", "batch growth"] }, new("value", "value"), width: 200, height: 200),
            new("measure", "measure", "nominal"), columns: 2));

        WriteSummary(context, settings, lr, cyclicPath, limit, stages, comparison[0], comparison[1], test.Count);
    }

    /// <summary>
    /// Up to <paramref name="count"/> steps at <paramref name="batchSize"/>. The stage ends early, with the reason, when the
    /// <paramref name="budget"/> refuses the batch size (no step is made), when a step's peak passed the budget (the step is
    /// made and counted), or when libtorch runs out of memory (a GPU's, or the CPU's where the allocation fails).
    /// </summary>
    private static Stage TrainStage(nn.Module<Tensor, Tensor> network, optim.Optimizer optimizer, BatchStream batches, int batchSize, int count, Device device,
        List<(int Iteration, int BatchSize, long Samples, double Loss)> iterations, MemoryBudget? budget)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var steps = new List<StepResult>();
        if (budget?.Refuse(batchSize) is { } refused)
        {
            return Result(refused);
        }

        try
        {
            while (steps.Count < count)
            {
                budget?.StartStep();
                var (images, labels) = batches.Next(batchSize);
                var step = ClassifierTraining.Step(network, optimizer, images, labels, device, budget is null ? null : budget.Sample);
                steps.Add(step);
                iterations.Add((iterations.Count + 1, batchSize, (iterations.Count > 0 ? iterations[^1].Samples : 0) + batchSize, step.Loss));
                if (budget?.EndStep(batchSize) is { } exceeded)
                {
                    return Result(exceeded);
                }
            }
        }
        catch (ExternalException e) when (IsOutOfMemory(e))
        {
            return Result(e.Message);
        }

        return Result(null);

        Stage Result(string? outOfMemory)
        {
            var pass = new PassResult(steps);
            return steps.Count == 0
                ? new Stage(batchSize, 0, double.NaN, double.NaN, clock.Elapsed, outOfMemory)
                : new Stage(batchSize, steps.Count, pass.MeanLoss, pass.Accuracy, clock.Elapsed, outOfMemory);
        }
    }

    private static void WriteSummary(ExperimentContext context, Settings settings, double lr, string cyclicPath, long? limit, List<Stage> stages,
        (string Model, double TestLoss, double TestAccuracy, long Iterations, long Samples) cyclic, (string Model, double TestLoss, double TestAccuracy, long Iterations, long Samples) grown, int testCount)
    {
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"{settings.Cyclic.Model}, {settings.Cyclic.Data.Train} training images, SGD momentum {settings.Momentum} at the fixed rate lr_max = {lr:0.###e+0} (from {cyclicPath}); batch size doubled from {settings.FirstBatch} to {settings.LastBatch} every {settings.IterationsPerBatchSize} iterations."));
        context.WriteSummary(limit is { } bytes
            ? FormattableString.Invariant($"CPU tensor memory limit: {bytes / (1024.0 * 1024 * 1024):F2} GiB ({bytes} bytes).")
            : "On the GPU: its own memory is the limit.");
        context.WriteSummary();
        context.WriteSummary("| batch size | iterations | mean training loss | training accuracy |");
        context.WriteSummary("| ---: | ---: | ---: | ---: |");
        foreach (var s in stages)
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {s.BatchSize} | {s.Iterations} | {(s.Iterations > 0 ? s.MeanLoss.ToString("F4", CultureInfo.InvariantCulture) : "-")} | {(s.Iterations > 0 ? s.Accuracy.ToString("P1", CultureInfo.InvariantCulture) : "-")} |"));
        }

        context.Measured.WriteCsv("timings", ["batch_size", "iterations", "seconds"], stages.Select(s => (IReadOnlyList<object?>)[s.BatchSize, s.Iterations, s.Duration.TotalSeconds]));

        context.WriteSummary();
        var last = stages[^1];
        context.WriteSummary(last.OutOfMemory is { } message
            ? $"**Stopped at batch size {last.BatchSize}: out of memory** ({message}), after {last.Iterations} of its iterations. The model is evaluated as trained up to then."
            : $"Reached batch size {last.BatchSize}.");
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"Generalisation on the same {testCount} test images:"));
        context.WriteSummary();
        context.WriteSummary("| model | test loss | test accuracy | iterations | images seen |");
        context.WriteSummary("| --- | ---: | ---: | ---: | ---: |");
        foreach (var c in new[] { cyclic, grown })
        {
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture, $"| {c.Model} | {c.TestLoss:F4} | {c.TestAccuracy:P2} | {c.Iterations} | {c.Samples} |"));
        }

        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Test accuracy of the grown-batch model minus the cyclic-LR model's: {(grown.TestAccuracy - cyclic.TestAccuracy) * 100:+0.00;-0.00} points; test loss {grown.TestLoss - cyclic.TestLoss:+0.0000;-0.0000}."));
    }

    /// <summary>libtorch's out-of-memory errors: CUDA's ("CUDA out of memory"), and the CPU allocator's when malloc fails.</summary>
    private static bool IsOutOfMemory(ExternalException e) =>
        e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("not enough memory", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("bad_alloc", StringComparison.Ordinal);

    /// <summary>
    /// The CPU memory budget of the training against the peaks its steps reach, measured by a <see cref="TensorMemoryPeak"/>
    /// whose baseline is taken when the budget is made (after the model is built). A step's peak grows about linearly with
    /// its batch (the activations and their gradients are per sample; the gradients of the weights and the momentum buffers
    /// are a fixed part), so the peak of a batch size not tried yet is predicted by scaling the largest peak of the last one
    /// by the ratio of the sizes; that overestimates by the fixed part, which errs on the side of stopping.
    /// </summary>
    private sealed class MemoryBudget(long limit)
    {
        private readonly TensorMemoryPeak _peak = new();
        private (int BatchSize, long Bytes)? _largest;

        /// <summary>Why a batch of <paramref name="batchSize"/> would not fit (its predicted peak passes the budget), or null.</summary>
        public string? Refuse(int batchSize)
        {
            if (_largest is not { } last || last.BatchSize == batchSize)
            {
                return null;
            }

            var predicted = (long)Math.Ceiling((double)last.Bytes * batchSize / last.BatchSize);
            return predicted > limit
                ? FormattableString.Invariant(
                    $"CPU memory limit reached: a step at batch {batchSize} would hold about {predicted} bytes at its peak (scaled from the {last.Bytes} bytes measured at batch {last.BatchSize}), over the limit of {limit} bytes")
                : null;
        }

        public void StartStep() => _peak.Restart();

        /// <summary>Samples the memory in use (where the step holds the most).</summary>
        public void Sample() => _peak.Sample();

        /// <summary>Records the step's peak; says why when it passed the budget, else null.</summary>
        public string? EndStep(int batchSize)
        {
            var bytes = _peak.Bytes;
            if (_largest is not { } last || last.BatchSize != batchSize || bytes > last.Bytes)
            {
                _largest = (batchSize, bytes);
            }

            return bytes > limit
                ? FormattableString.Invariant($"CPU memory limit reached: the step at batch {batchSize} held {bytes} bytes at its peak, over the limit of {limit} bytes")
                : null;
        }
    }

    /// <summary>Batches of any size from seeded passes over the training set; a pass that cannot fill the next batch gives way to a new one.</summary>
    private sealed class BatchStream(ImageDataset data, long seed)
    {
        private int _pass;
        private int[] _order = [];
        private int _next;

        public (Tensor Images, Tensor Labels) Next(int batchSize)
        {
            if (_next + batchSize > _order.Length)
            {
                _order = DeterministicShuffle.Permutation(data.Count, seed, ++_pass);
                _next = 0;
            }

            var batch = data.Batch(_order.AsSpan(_next, batchSize));
            _next += batchSize;
            return batch;
        }
    }
}
