using PsTraining.Models.Data;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// A bipolar threshold unit (a perceptron, or an Adaline's output): net s = w₀ + Σ wᵢ·xᵢ over inputs xᵢ ∈ {−1, +1}, and
/// output +1 when s &gt; 0, −1 otherwise.
/// </summary>
internal sealed class ThresholdUnit(double bias, double[] weights)
{
    public double Bias { get; private set; } = bias;

    public IReadOnlyList<double> Weights => weights;

    public static ThresholdUnit Random(int inputs, SeededRandom random) =>
        new(random.Uniform(-0.5, 0.5), [.. Enumerable.Range(0, inputs).Select(_ => random.Uniform(-0.5, 0.5))]);

    public double Net(IReadOnlyList<int> x)
    {
        var s = Bias;
        for (var i = 0; i < weights.Length; i++)
        {
            s += weights[i] * x[i];
        }

        return s;
    }

    public int Output(IReadOnlyList<int> x) => Net(x) > 0 ? 1 : -1;

    /// <summary>Rosenblatt's rule: w ← w + η·(t − y)·x (with x₀ = 1 for the bias); nothing changes when y = t.</summary>
    public void PerceptronStep(IReadOnlyList<int> x, int target, double rate) => Move(x, rate * (target - Output(x)));

    /// <summary>The α-LMS rule of an Adaline: w ← w + α·(d − s)·x / |x|², which moves the net s a fraction α of the way to d.</summary>
    public void LmsStep(IReadOnlyList<int> x, int desired, double alpha) => Move(x, alpha * (desired - Net(x)) / (x.Count + 1));

    private void Move(IReadOnlyList<int> x, double step)
    {
        Bias += step;
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] += step * x[i];
        }
    }
}
