using PsTraining.Models.Data;

namespace PsTraining.Models.Speed;

/// <summary>
/// How long a learner takes for its i-th gradient (1-based), in virtual time units for the simulator and seconds
/// for a real learner: one definition serves both. Random models draw from the learner's own seeded generator,
/// so a run is reproducible.
/// </summary>
public abstract record SpeedModel
{
    /// <summary>Random draws are rounded to this many decimals (a microsecond when the unit is a second).</summary>
    public const int Decimals = 6;

    /// <summary>The time the <paramref name="index"/>-th gradient takes when it starts at <paramref name="start"/>.</summary>
    public abstract decimal StepTime(long index, decimal start, SeededRandom random);

    /// <summary>How many gradients the learner computes when the model says so (a replayed trace); null: as many as time allows.</summary>
    public virtual long? Gradients => null;

    protected static decimal Round(double value) => Math.Round((decimal)Math.Max(value, 1e-6), Decimals);
}
