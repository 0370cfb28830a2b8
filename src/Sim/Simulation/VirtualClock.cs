namespace PsTraining.Sim.Simulation;

/// <summary>The simulator's clock, handed to the parameter-server core in place of the wall clock: it moves only when the engine advances it.</summary>
public sealed class VirtualClock(TimeScale scale) : TimeProvider
{
    private static readonly DateTimeOffset Origin = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public long Ticks { get; private set; }

    public void AdvanceTo(long ticks)
    {
        if (ticks < Ticks)
        {
            throw new InvalidOperationException($"virtual time cannot go back from {Ticks} to {ticks} ticks");
        }

        Ticks = ticks;
    }

    public override DateTimeOffset GetUtcNow() => Origin + TimeSpan.FromSeconds((double)scale.ToTime(Ticks));
}
