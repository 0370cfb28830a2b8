using PsTraining.Models.Data;

namespace PsTraining.Models.Speed;

/// <summary>A recorded learner replayed: its i-th gradient takes <paramref name="Steps"/>[i − 1], and there are no more than it recorded.</summary>
public sealed record TraceSpeed(IReadOnlyList<decimal> Steps) : SpeedModel
{
    public override decimal StepTime(long index, decimal start, SeededRandom random) =>
        index >= 1 && index <= Steps.Count ? Steps[(int)index - 1] : throw new ArgumentOutOfRangeException(nameof(index), index, $"the trace holds {Steps.Count} gradients");

    public override long? Gradients => Steps.Count;

    public override string ToString() => $"a trace of {Steps.Count} steps";
}
