using PsTraining.Models.Data;

namespace PsTraining.Models.Speed;

/// <summary>Every gradient takes exactly <paramref name="Step"/>.</summary>
public sealed record ConstantSpeed(decimal Step) : SpeedModel
{
    public override decimal StepTime(long index, decimal start, SeededRandom random) => Step;

    public override string ToString() => $"constant {Step}";
}
