using PsTraining.Models.Data;

namespace PsTraining.Models.Speed;

/// <summary>Step times lognormal around <paramref name="Median"/>: Median·exp(σ·Z), Z standard normal.</summary>
public sealed record LognormalSpeed(decimal Median, double Sigma) : SpeedModel
{
    public override decimal StepTime(long index, decimal start, SeededRandom random) => Round((double)Median * Math.Exp(Sigma * random.NextGaussian()));

    public override string ToString() => $"lognormal, median {Median}, σ {Sigma}";
}
