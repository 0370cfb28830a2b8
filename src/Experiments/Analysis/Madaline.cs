using PsTraining.Models.Data;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// A two-layer Madaline I (Widrow and Hoff): Adalines in the hidden layer and a fixed OR unit on top (bias H − 0.5, every
/// weight 1: it outputs −1 only when every hidden unit does). Trained by the MRI minimal-disturbance rule: on a wrong
/// +1 target the hidden unit whose net is closest to 0 is moved toward +1; on a wrong −1 target every hidden unit that
/// outputs +1 is moved toward −1 (α-LMS steps).
/// </summary>
internal sealed class Madaline
{
    /// <summary>How the weight tables name the fixed top unit.</summary>
    public const string OutputName = "output (fixed OR)";

    private Madaline(IReadOnlyList<ThresholdUnit> hidden)
    {
        Hidden = hidden;
        Output = new ThresholdUnit(hidden.Count - 0.5, [.. Enumerable.Repeat(1.0, hidden.Count)]);
    }

    public IReadOnlyList<ThresholdUnit> Hidden { get; }

    /// <summary>The fixed OR unit.</summary>
    public ThresholdUnit Output { get; }

    public int[] HiddenOutputs(IReadOnlyList<int> x) => [.. Hidden.Select(h => h.Output(x))];

    public int Predict(IReadOnlyList<int> x) => Output.Output(HiddenOutputs(x));

    public static Madaline Random(int inputs, int hidden, SeededRandom random) =>
        new([.. Enumerable.Range(0, hidden).Select(_ => ThresholdUnit.Random(inputs, random))]);

    public void MriStep(IReadOnlyList<int> x, int target, double alpha)
    {
        if (Predict(x) == target)
        {
            return;
        }

        if (target == 1)
        {
            Hidden.MinBy(h => Math.Abs(h.Net(x)))!.LmsStep(x, 1, alpha);
            return;
        }

        foreach (var h in Hidden.Where(h => h.Output(x) == 1))
        {
            h.LmsStep(x, -1, alpha);
        }
    }
}
