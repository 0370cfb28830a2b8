using System.Globalization;
using PsTraining.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>optimal-lr</c>: for L(w) = (1/n)‖Xw − t‖² from w0 = 0, the learning rate that minimises the loss after one GD step,
/// η* = (n/2)·(aᵀXXᵀa)/‖XXᵀa‖² with a = Xw0 − t, against a numeric line search; the hypergradient dL_t/dη after t
/// unrolled GD steps by autograd (η a tensor that requires grad), by forward mode, and by finite differences; and
/// the memory each way takes, as the peak of the CPU memory that malloc hands out meanwhile (libtorch's tensors and
/// autograd's graph; <see cref="TensorMemoryPeak"/>), for several t: a measurement of the process, written to measured/.
/// </summary>
public sealed class OptimalLr(OptimalLr.Settings? settings = null) : IExperiment
{
    public const string Backprop = "backprop through the unrolled steps";
    public const string ForwardPass = "forward pass (no graph)";
    public const string ForwardMode = "forward-mode hypergradient";

    public string Name => "optimal-lr";

    public string Description => "the one-step optimal learning rate in closed form and by line search; hypergradients through unrolled GD by autograd; their memory against t";

    /// <summary>
    /// The sizes of a run: a small problem for η* and the hypergradients (at <paramref name="RateFactors"/>·η*), and a
    /// wide one (d = <paramref name="MemoryFeatures"/>) for the memory.
    /// </summary>
    public sealed record Settings(int Samples, int Features, IReadOnlyList<int> UnrolledSteps, IReadOnlyList<double> RateFactors,
        int MemorySamples, int MemoryFeatures, IReadOnlyList<int> MemorySteps)
    {
        public static Settings Tiny { get; } = new(12, 4, [1, 3, 8], [0.25, 0.5, 1.0], 4, 100_000, [2, 8, 16, 32]);

        public static Settings Default { get; } = new(20, 5, [1, 2, 5, 10, 20], [0.1, 0.25, 0.5, 0.75, 1.0], // at 1.25·η*, 20 GD steps already diverge on this data
            8, 100_000, [1, 2, 4, 8, 16, 24, 32]);

        public void Validate()
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(Samples, 1, nameof(Samples));
            ArgumentOutOfRangeException.ThrowIfLessThan(Features, 1, nameof(Features));
            ArgumentOutOfRangeException.ThrowIfLessThan(MemorySamples, 1, nameof(MemorySamples));
            ArgumentOutOfRangeException.ThrowIfLessThan(MemoryFeatures, 1, nameof(MemoryFeatures));

            if (UnrolledSteps.Count == 0 || UnrolledSteps.Any(t => t < 1) || MemorySteps.Distinct().Count() < 2 || MemorySteps.Any(t => t < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(UnrolledSteps), "UnrolledSteps (not empty) and MemorySteps (two or more distinct) must hold step counts >= 1");
            }

            if (RateFactors.Count == 0 || RateFactors.Any(f => !(f > 0)))
            {
                throw new ArgumentOutOfRangeException(nameof(RateFactors), "RateFactors must be > 0, and not empty");
            }
        }
    }

    /// <summary>dL_t/dη at one (t, η) three ways.</summary>
    public sealed record Hypergradient(int Steps, double Rate, double Loss, double Autograd, double ForwardMode, double FiniteDifference);

    /// <summary>The peak of the CPU memory in use (tensors and autograd's graph, as malloc counts it) during one way of computing, for t steps.</summary>
    public sealed record MemoryPoint(string Mode, int Steps, long Bytes);

    public void Run(ExperimentContext context) => Run(context, settings ?? context.Sized(Settings.Tiny, Settings.Default, Settings.Default));

    private static void Run(ExperimentContext context, Settings settings)
    {
        settings.Validate();
        using var problem = LeastSquaresProblem.Gaussian(settings.Samples, settings.Features, context.Seed);
        problem.WriteCsv(context, "data");

        var closedForm = ClosedFormRate(problem);
        var lineSearch = LineSearch(eta => OneStepLoss(problem, eta));
        context.Progress($"  η* = {closedForm} in closed form, {lineSearch} by line search");
        // The one-step loss is a parabola in η with its vertex at η*: [0, 2η*] shows all of it.
        var curve = Enumerable.Range(0, 41).Select(i => i / 20.0 * closedForm).Select(eta => (Rate: eta, Loss: OneStepLoss(problem, eta))).ToList();

        var hypergradients = settings.UnrolledSteps.SelectMany(t => settings.RateFactors.Select(f => Hypergradients(problem, t, f * closedForm))).ToList();
        context.Progress($"  {hypergradients.Count} hypergradients; measuring memory at d = {settings.MemoryFeatures} ...");
        var memory = MeasureMemory(settings, context.Seed);

        context.WriteCsv("optimal-rate", ["method", "rate", "loss_after_one_step"],
        [
            ["closed form", closedForm, OneStepLoss(problem, closedForm)],
            ["line search", lineSearch, OneStepLoss(problem, lineSearch)],
        ]);
        context.WriteCsv("one-step-loss", ["rate", "loss_after_one_step"], curve.Select(p => (IReadOnlyList<object?>)[p.Rate, p.Loss]));
        context.WriteCsv("hypergradient", ["steps", "rate", "loss", "autograd", "forward_mode", "finite_difference"],
            hypergradients.Select(h => (IReadOnlyList<object?>)[h.Steps, h.Rate, h.Loss, h.Autograd, h.ForwardMode, h.FiniteDifference]));
        // The memory is a measurement of this process (malloc's count, which the runtime's own allocations jostle by a few
        // KiB), not a function of the seed: it goes to measured/.
        context.Measured.WriteCsv("memory", ["mode", "steps", "tensor_bytes"], memory.Select(m => (IReadOnlyList<object?>)[m.Mode, m.Steps, m.Bytes]));
        var fits = memory.GroupBy(m => m.Mode).ToDictionary(g => g.Key,
            g => LineFit.Through([.. g.Select(m => (double)m.Steps)], [.. g.Select(m => (double)m.Bytes)]));
        var vectorBytes = 8.0 * settings.MemoryFeatures;
        context.Measured.WriteCsv("memory-fit", ["mode", "slope_bytes_per_step", "slope_d_vectors_per_step", "intercept_bytes", "r_squared"],
            fits.Select(f => (IReadOnlyList<object?>)[f.Key, f.Value.Slope, f.Value.Slope / vectorBytes, f.Value.Intercept, f.Value.RSquared]));

        AddFigures(context, closedForm, lineSearch, curve, hypergradients, memory);
        Summarise(context, settings, problem, closedForm, lineSearch, hypergradients, fits, memory);
    }

    /// <summary>η* = (n/2)·(aᵀXXᵀa)/‖XXᵀa‖² with a = Xw0 − t and w0 = 0, in plain arithmetic.</summary>
    public static double ClosedFormRate(LeastSquaresProblem problem)
    {
        var a = problem.Targets.Select(t => -t).ToArray();
        var xta = Enumerable.Range(0, problem.Features).Select(j => problem.Inputs.Select((row, i) => row[j] * a[i]).Sum()).ToArray();
        var xxta = problem.Inputs.Select(row => LeastSquaresProblem.Dot(row, xta)).ToArray();
        return problem.Samples / 2.0 * LeastSquaresProblem.Dot(a, xxta) / LeastSquaresProblem.Dot(xxta, xxta);
    }

    /// <summary>L(w0 − η∇L(w0)) from w0 = 0, the gradient by autograd.</summary>
    private static double OneStepLoss(LeastSquaresProblem problem, double eta)
    {
        using var w0 = problem.ZeroWeights();
        using var scope = NewDisposeScope();
        problem.Loss(w0).backward();
        using var noGrad = no_grad();
        using var rate = eta.ToScalar();
        return problem.Loss(w0 - w0.grad!.mul(rate)).item<double>();
    }

    /// <summary>The minimum of a loss that is unimodal in η ≥ 0: double η until the loss rises, then golden-section search.</summary>
    private static double LineSearch(Func<double, double> loss)
    {
        var high = 1e-6;
        for (var doublings = 0; loss(2 * high) < loss(high); doublings++)
        {
            high = doublings < 200 ? 2 * high : throw new InvalidOperationException("the line search found no minimum: the loss keeps falling as η grows");
        }

        high *= 2;
        var (low, ratio) = (0.0, (Math.Sqrt(5) - 1) / 2);
        var (a, b) = (high - (ratio * (high - low)), low + (ratio * (high - low)));
        var (la, lb) = (loss(a), loss(b));
        while (high - low > 1e-13 * high)
        {
            if (la < lb)
            {
                (high, b, lb) = (b, a, la);
                a = high - (ratio * (high - low));
                la = loss(a);
            }
            else
            {
                (low, a, la) = (a, b, lb);
                b = low + (ratio * (high - low));
                lb = loss(b);
            }
        }

        return (low + high) / 2;
    }

    /// <summary>
    /// t GD steps from w0 = 0 with rate <paramref name="eta"/>. Each step's temporaries are freed at its end, so all that
    /// outlives a step is w and whatever the autograd graph saved (nothing when η does not require grad).
    /// </summary>
    private static Tensor Unroll(LeastSquaresProblem problem, Tensor eta, int steps, Action? afterStep = null)
    {
        var w = zeros([problem.Features], ScalarType.Float64).DetachFromDisposeScope();
        for (var step = 0; step < steps; step++)
        {
            Tensor next;
            using (NewDisposeScope())
            {
                next = (w - (eta * problem.Gradient(w))).DetachFromDisposeScope();
            }

            w.Dispose();
            w = next;
            afterStep?.Invoke();
        }

        return w;
    }

    /// <summary>
    /// dL_t/dη in forward mode: v = dw/dη follows v ← v − ∇L(w) − η·H·v beside w, and dL_t/dη = ∇L(w_t)·v_t. Two d-vectors
    /// live at any time, whatever t.
    /// </summary>
    private static double ForwardModeHypergradient(LeastSquaresProblem problem, double eta, int steps, Action? afterStep = null)
    {
        using var noGrad = no_grad();
        using var rate = eta.ToScalar(); // one native scalar for all the steps (see LeastSquaresProblem's)
        var w = zeros([problem.Features], ScalarType.Float64).DetachFromDisposeScope();
        var v = zeros([problem.Features], ScalarType.Float64).DetachFromDisposeScope();
        for (var step = 0; step < steps; step++)
        {
            Tensor nextW, nextV;
            using (NewDisposeScope())
            {
                var gradient = problem.Gradient(w);
                nextV = (v - gradient - (problem.HessianTimes(v) * rate)).DetachFromDisposeScope();
                nextW = (w - (gradient * rate)).DetachFromDisposeScope();
            }

            w.Dispose();
            v.Dispose();
            (w, v) = (nextW, nextV);
            afterStep?.Invoke();
        }

        using var scope = NewDisposeScope();
        var result = (problem.Gradient(w) * v).sum().item<double>();
        w.Dispose();
        v.Dispose();
        return result;
    }

    private static double UnrolledLoss(LeastSquaresProblem problem, double eta, int steps)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var w = Unroll(problem, tensor(eta), steps);
        return problem.Loss(w).item<double>();
    }

    private static Hypergradient Hypergradients(LeastSquaresProblem problem, int steps, double eta)
    {
        double autograd, loss;
        using (NewDisposeScope())
        {
            var rate = tensor(eta, requires_grad: true);
            using var w = Unroll(problem, rate, steps);
            var lossTensor = problem.Loss(w);
            lossTensor.backward();
            (loss, autograd) = (lossTensor.item<double>(), rate.grad!.item<double>());
        }

        var h = 1e-5 * eta;
        var finiteDifference = (UnrolledLoss(problem, eta + h, steps) - UnrolledLoss(problem, eta - h, steps)) / (2 * h);
        return new Hypergradient(steps, eta, loss, autograd, ForwardModeHypergradient(problem, eta, steps), finiteDifference);
    }

    /// <summary>
    /// The peak memory of each way of computing, for each t, on a wide problem; a first round at the smallest t is dropped,
    /// so that nothing libtorch allocates once per process is counted. The count is process-wide (<see cref="TensorMemoryPeak"/>):
    /// the garbage of earlier work is finalised first, so that no finaliser frees memory while a peak is measured, and each
    /// point is the least of <see cref="MemoryRepeats"/> measurements, since what the runtime allocates meanwhile on its own
    /// threads (the JIT compiling a method again, say) can only add to a peak.
    /// </summary>
    private static List<MemoryPoint> MeasureMemory(Settings settings, long seed)
    {
        using var problem = LeastSquaresProblem.Gaussian(settings.MemorySamples, settings.MemoryFeatures, seed);
        var eta = 0.5 * ClosedFormRate(problem);
        var points = new List<MemoryPoint>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        foreach (var steps in settings.MemorySteps.Prepend(settings.MemorySteps[0]).Select((t, i) => (t, warmUp: i == 0)))
        {
            foreach (var mode in new[] { Backprop, ForwardPass, ForwardMode })
            {
                var bytes = Enumerable.Range(0, MemoryRepeats).Min(_ =>
                {
                    var peak = new TensorMemoryPeak();
                    Measure(problem, mode, eta, steps.t, peak.Sample);
                    return peak.Bytes;
                });
                if (!steps.warmUp)
                {
                    points.Add(new MemoryPoint(mode, steps.t, bytes));
                }
            }
        }

        return points;
    }

    /// <summary>How many times each memory point is measured (the least count is kept).</summary>
    private const int MemoryRepeats = 3;

    private static void Measure(LeastSquaresProblem problem, string mode, double eta, int steps, Action sample)
    {
        if (mode == ForwardMode)
        {
            ForwardModeHypergradient(problem, eta, steps, sample);
            return;
        }

        using var scope = NewDisposeScope();
        var rate = tensor(eta, requires_grad: mode == Backprop);
        using var w = Unroll(problem, rate, steps, sample);
        var loss = problem.Loss(w);
        sample(); // the graph of all t steps is alive here, just before backward frees it
        if (mode == Backprop)
        {
            loss.backward();
        }
    }

    private static void AddFigures(ExperimentContext context, double closedForm, double lineSearch, List<(double Rate, double Loss)> curve,
        List<Hypergradient> hypergradients, List<MemoryPoint> memory)
    {
        var rate = new VegaLite.Channel("rate", "learning rate η");
        var loss = new VegaLite.Channel("loss", "loss after one GD step");
        context.AddFigure("one-step-loss", VegaLite.Layered("Loss after one GD step against η",
            VegaLite.Layer("line", curve.Select(p => new { series = "L(w0 − η∇L(w0))", rate = p.Rate, loss = p.Loss }), rate, loss, new("series", "series", "nominal")),
            VegaLite.Layer("point", new[] { ("η* closed form", closedForm), ("η* line search", lineSearch) }
                .Select(p => new { series = p.Item1, rate = p.Item2, loss = curve.MinBy(c => Math.Abs(c.Rate - p.Item2)).Loss }), rate, loss, new("series", "series", "nominal"))));

        var unrolled = new VegaLite.Channel("steps", "unrolled steps t", "nominal") { Sort = [.. hypergradients.Select(h => $"t = {h.Steps}").Distinct()] };
        var hyper = new VegaLite.Channel("value", "hypergradient dL_t/dη");
        context.AddFigure("hypergradient", VegaLite.Layered("Hypergradient by autograd (lines) and finite differences (points)",
            VegaLite.Layer("line", hypergradients.Select(h => new { steps = $"t = {h.Steps}", rate = h.Rate, value = h.Autograd }), rate, hyper, unrolled),
            VegaLite.Layer("point", hypergradients.Select(h => new { steps = $"t = {h.Steps}", rate = h.Rate, value = h.FiniteDifference }), rate, hyper, unrolled)));

        context.Measured.AddFigure("memory", VegaLite.WithWholeLegendLabels(VegaLite.Line("Peak tensor memory against unrolled steps",
            memory.Select(m => new { mode = m.Mode, steps = m.Steps, mib = m.Bytes / 1048576.0 }),
            new("steps", "unrolled steps t"), new("mib", "tensor memory (MiB)"), new("mode", "computation", "nominal"), points: true)));
    }

    private static void Summarise(ExperimentContext context, Settings settings, LeastSquaresProblem problem, double closedForm, double lineSearch,
        List<Hypergradient> hypergradients, Dictionary<string, LineFit> fits, List<MemoryPoint> memory)
    {
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"L(w) = (1/n)‖Xw − t‖², n = {problem.Samples}, d = {problem.Features}, X entries N(0, 1/d), t N(0, 1), w0 = 0, float64."));
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"One-step optimal rate: η* = {closedForm:G12} in closed form, {lineSearch:G12} by golden-section line search on the loss (gradient by autograd); relative difference {Math.Abs(lineSearch / closedForm - 1):0.0e+00}. Loss after the step: {OneStepLoss(problem, closedForm):G10} (from {problem.Loss(new double[problem.Features]):G10})."));
        // Differences relative to the largest |dL_t/dη| of the same t: at t = 1, η = η* the hypergradient itself is 0.
        var scale = hypergradients.GroupBy(h => h.Steps).ToDictionary(g => g.Key, g => g.Max(h => Math.Abs(h.Autograd)));
        var worst = hypergradients.Max(h => Math.Abs(h.Autograd - h.FiniteDifference) / scale[h.Steps]);
        var worstForward = hypergradients.Max(h => Math.Abs(h.Autograd - h.ForwardMode) / scale[h.Steps]);
        var atOptimum = hypergradients.Where(h => h.Steps == 1).MinBy(h => Math.Abs(h.Rate - closedForm))!;
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Hypergradients dL_t/dη for t ∈ {{{string.Join(", ", settings.UnrolledSteps)}}} at η = {{{string.Join(", ", settings.RateFactors)}}}·η*: autograd against central finite differences (step 1e-5·η), largest difference {worst:0.0e+00} and autograd against forward mode {worstForward:0.0e+00}, both relative to the largest |dL_t/dη| of the same t. At t = 1, η = {atOptimum.Rate / closedForm:G3}·η*: dL_1/dη = {atOptimum.Autograd:0.0e+00}."));
        context.WriteSummary();
        context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"The memory each way takes, against t at d = {settings.MemoryFeatures}, is in {ExperimentContext.MeasuredFolder}/: malloc's count of a process, which differs a little from run to run."));
        var measured = context.Measured;
        measured.WriteSummary(string.Create(CultureInfo.InvariantCulture,
            $"Memory at n = {settings.MemorySamples}, d = {settings.MemoryFeatures} (one d-vector = {8.0 * settings.MemoryFeatures / 1048576:F3} MiB): the peak of the CPU memory in use during each computation above what was in use before it, as glibc's malloc counts it (libtorch's tensors, with autograd's graph nodes and malloc's headers; the resident memory of the process would also count what malloc kept from earlier work), the least of three measurements, fitted by a line in t."));
        measured.WriteSummary();
        measured.WriteSummary("| computation | slope (KiB per step) | d-vectors per step | R² | growth at the largest t (MiB) |");
        measured.WriteSummary("| --- | ---: | ---: | ---: | ---: |");
        var largest = settings.MemorySteps.Max();
        foreach (var (mode, fit) in fits)
        {
            var growth = memory.Where(m => m.Mode == mode && m.Steps == largest).Max(m => m.Bytes);
            measured.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"| {mode} | {fit.Slope / 1024:F1} | {fit.Slope / (8.0 * settings.MemoryFeatures):F2} | {fit.RSquared:F3} | {growth / 1048576.0:F2} |"));
        }

        measured.WriteSummary();
        measured.WriteSummary("Backprop must keep, for every step, what the backward of η·∇L(w_k) needs: the d-vector ∇L(w_k), with the few KiB of graph nodes that record the step (whatever d). The forward pass and forward mode keep only the current w (and v = dw/dη), whatever t.");
    }
}
