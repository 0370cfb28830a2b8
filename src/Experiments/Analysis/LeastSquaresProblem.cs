using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using PsTraining.Experiments;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// The loss (1/n)‖Xw − t‖² over a fixed data set, in float64: the data (and data.csv for the reference scripts), its
/// closed-form solutions, and the loss as a libtorch expression that autograd and the optimisers work on.
/// </summary>
public sealed class LeastSquaresProblem : IDisposable
{
    private readonly Tensor _inputs;
    private readonly Tensor _targets;

    // 2/n as one native scalar for every step: a double passed to a tensor operation becomes a new native Scalar each time,
    // which only the finaliser frees, and would show in a memory count as a leak per step.
    private readonly Scalar _gradientScale;

    public LeastSquaresProblem(double[][] inputs, double[] targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Length == 0 || inputs.Length != targets.Length || inputs.Any(row => row.Length != inputs[0].Length || row.Length == 0))
        {
            throw new ArgumentException($"the data needs one target per row and rows of one positive length: got {inputs.Length} rows and {targets.Length} targets");
        }

        Inputs = inputs;
        Targets = targets;
        _inputs = LibtorchTensor.From(inputs.SelectMany(row => row).ToArray(), [Samples, Features]).DetachFromDisposeScope();
        _targets = LibtorchTensor.From(targets, [Samples]).DetachFromDisposeScope();
        _gradientScale = (2.0 / Samples).ToScalar();
    }

    /// <summary>X, one row per sample.</summary>
    public IReadOnlyList<double[]> Inputs { get; }

    public IReadOnlyList<double> Targets { get; }

    public int Samples => Inputs.Count;

    public int Features => Inputs[0].Length;

    /// <summary>X with entries N(0, 1/d) (rows of norm about 1) and t with entries N(0, 1).</summary>
    public static LeastSquaresProblem Gaussian(int samples, int features, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        var rng = new SeededRandom(seed);
        var scale = 1 / Math.Sqrt(features);
        var inputs = Enumerable.Range(0, samples).Select(_ => Enumerable.Range(0, features).Select(_ => scale * rng.NextGaussian()).ToArray()).ToArray();
        return new LeastSquaresProblem(inputs, [.. Enumerable.Range(0, samples).Select(_ => rng.NextGaussian())]);
    }

    /// <summary>Writes NAME.csv with columns x0..x(d−1), t: the data the reference scripts read.</summary>
    public void WriteCsv(ExperimentContext context, string name) =>
        context.WriteCsv(name, [.. Enumerable.Range(0, Features).Select(j => $"x{j}"), "t"],
            Inputs.Select((row, i) => (IReadOnlyList<object?>)[.. row.Cast<object?>(), Targets[i]]));

    /// <summary>w* = Xᵀ(XXᵀ)⁻¹t: of all the solutions of Xw = t (there are many when d &gt; n), the one of least norm.</summary>
    public double[] MinimumNormSolution()
    {
        var gram = new double[Samples, Samples];
        for (var i = 0; i < Samples; i++)
        {
            for (var k = 0; k < Samples; k++)
            {
                gram[i, k] = Dot(Inputs[i], Inputs[k]);
            }
        }

        var a = LeastSquares.Solve(gram, [.. Targets]);
        var w = new double[Features];
        for (var i = 0; i < Samples; i++)
        {
            for (var j = 0; j < Features; j++)
            {
                w[j] += Inputs[i][j] * a[i];
            }
        }

        return w;
    }

    /// <summary>(XᵀX)⁻¹Xᵀt, the least-squares solution when n ≥ d and X has full column rank.</summary>
    public double[] NormalEquationsSolution()
    {
        var normal = new double[Features, Features];
        var right = new double[Features];
        for (var i = 0; i < Samples; i++)
        {
            for (var j = 0; j < Features; j++)
            {
                right[j] += Inputs[i][j] * Targets[i];
                for (var k = 0; k < Features; k++)
                {
                    normal[j, k] += Inputs[i][j] * Inputs[i][k];
                }
            }
        }

        return LeastSquares.Solve(normal, right);
    }

    /// <summary>(1/n)‖Xw − t‖² of the whole data set, in plain arithmetic.</summary>
    public double Loss(IReadOnlyList<double> w) =>
        Inputs.Select((row, i) => Math.Pow(Dot(row, w) - Targets[i], 2)).Average();

    /// <summary>(1/n)‖Xw − t‖² as a libtorch expression (differentiable in w), over <paramref name="rows"/> or all the data.</summary>
    public Tensor Loss(Tensor w, Tensor? rows = null)
    {
        var x = rows is null ? _inputs : _inputs.index_select(0, rows);
        var t = rows is null ? _targets : _targets.index_select(0, rows);
        return (x.matmul(w) - t).pow(Scalars.Two).mean();
    }

    /// <summary>
    /// ∇L(w) = (2/n)·Xᵀ(Xw − t), written out as tensor operations so that autograd can differentiate through it (an
    /// unrolled GD step w − η·∇L(w) then depends on η through every earlier step).
    /// </summary>
    public Tensor Gradient(Tensor w) => _inputs.T.matmul(_inputs.matmul(w) - _targets) * _gradientScale;

    /// <summary>H·v with H = (2/n)·XᵀX, the loss's Hessian: the forward-mode derivative of ∇L along v.</summary>
    public Tensor HessianTimes(Tensor v) => _inputs.T.matmul(_inputs.matmul(v)) * _gradientScale;

    /// <summary>A float64 parameter of d zeros: w0 = 0, where every run of this suite starts.</summary>
    public Parameter ZeroWeights()
    {
        // Owned by the caller, not by the dispose scope open now (as a module's parameters are).
        var w = new Parameter(zeros([Features], ScalarType.Float64));
        w.DetachFromDisposeScope();
        return w;
    }

    /// <summary>
    /// Runs <paramref name="optimizer"/> full batch for <paramref name="steps"/> steps on the loss plus
    /// <paramref name="penalty"/>·‖w‖², and returns the weights before the first step and after each.
    /// A <paramref name="schedule"/> steps after every update; <paramref name="beforeStep"/> runs between the gradient and
    /// the update (with autograd off).
    /// </summary>
    public List<double[]> Descend(Parameter w, optim.Optimizer optimizer, int steps, double penalty = 0, optim.lr_scheduler.LRScheduler? schedule = null,
        Action? beforeStep = null)
    {
        var path = new List<double[]>(steps + 1) { w.data<double>().ToArray() };
        using var penaltyScalar = penalty.ToScalar();
        for (var step = 0; step < steps; step++)
        {
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = Loss(w);
                (penalty == 0 ? loss : loss.add(w.pow(Scalars.Two).sum(), penaltyScalar)).backward();
                using (no_grad())
                {
                    beforeStep?.Invoke();
                }

                optimizer.step();
            }

            schedule?.step();
            path.Add(w.data<double>().ToArray());
        }

        return path;
    }

    public static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Count; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    public static double Distance(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        Math.Sqrt(a.Select((v, i) => (v - b[i]) * (v - b[i])).Sum());

    public void Dispose()
    {
        _inputs.Dispose();
        _targets.Dispose();
        _gradientScale.Dispose();
    }
}
