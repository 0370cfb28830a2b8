using PsTraining.Models.Data;

namespace PsTraining.Models.Speed;

/// <summary>Exponentially distributed step times with mean <paramref name="Mean"/> (memoryless, the Poisson-process case).</summary>
public sealed record ExponentialSpeed(decimal Mean) : SpeedModel
{
    public override decimal StepTime(long index, decimal start, SeededRandom random) => Round(-(double)Mean * Math.Log(1 - random.NextDouble()));

    public override string ToString() => $"exponential, mean {Mean}";
}
