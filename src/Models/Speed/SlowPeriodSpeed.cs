using PsTraining.Models.Data;

namespace PsTraining.Models.Speed;

/// <summary>An injected slow period: gradients that start in [<paramref name="From"/>, <paramref name="To"/>) take <paramref name="Factor"/> times as long.</summary>
public sealed record SlowPeriodSpeed(SpeedModel Inner, decimal From, decimal To, decimal Factor) : SpeedModel
{
    public override decimal StepTime(long index, decimal start, SeededRandom random)
    {
        var step = Inner.StepTime(index, start, random);
        return start >= From && start < To ? Math.Round(step * Factor, Decimals) : step;
    }

    public override long? Gradients => Inner.Gradients;

    public override string ToString() => $"{Inner}; {Factor}× as long in [{From}, {To})";
}
