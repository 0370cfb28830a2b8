namespace PsTraining.Simulation;

/// <summary>The simulator's clock, handed to the parameter-server core in place of the wall clock: it moves only when the engine advances it.</summary>
public sealed class VirtualClock : TimeProvider
{
    private static readonly DateTimeOffset Origin = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TimeScale _scale;

    // A virtual time unit is one second. The core asks for the time several times per event, so the usual scales (powers
    // of ten) convert to 100 ns steps with one integer multiplication or division, chosen here once.
    private readonly long _multiplier;
    private readonly long _divisor;

    public VirtualClock(TimeScale scale)
    {
        _scale = scale;
        (_multiplier, _divisor) = TimeSpan.TicksPerSecond % scale.TicksPerUnit == 0 ? (TimeSpan.TicksPerSecond / scale.TicksPerUnit, 0L)
            : scale.TicksPerUnit % TimeSpan.TicksPerSecond == 0 ? (0L, scale.TicksPerUnit / TimeSpan.TicksPerSecond)
            : (0L, 0L);
    }

    public long Ticks { get; private set; }

    public void AdvanceTo(long ticks)
    {
        if (ticks < Ticks)
        {
            throw new InvalidOperationException($"virtual time cannot go back from {Ticks} to {ticks} ticks");
        }

        Ticks = ticks;
    }

    public override DateTimeOffset GetUtcNow() => Origin + TimeSpan.FromTicks(
        _multiplier > 0 ? Ticks * _multiplier
        : _divisor > 0 ? Ticks / _divisor
        : (long)((Int128)Ticks * TimeSpan.TicksPerSecond / _scale.TicksPerUnit));
}
