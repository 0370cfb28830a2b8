using PsTraining.Models.Data;

namespace PsTraining.Models.Speed;

/// <summary>An injected straggler: every <paramref name="Every"/>-th gradient of <paramref name="Inner"/> takes <paramref name="Pause"/> longer.</summary>
public sealed record StragglerSpeed(SpeedModel Inner, long Every, decimal Pause) : SpeedModel
{
    public override decimal StepTime(long index, decimal start, SeededRandom random) => Inner.StepTime(index, start, random) + (index % Every == 0 ? Pause : 0);

    public override long? Gradients => Inner.Gradients;

    public override string ToString() => $"{Inner}; every {Every}th gradient {Pause} longer";
}
