using PsTraining.Models.Data;

namespace PsTraining.Learner;

/// <summary>
/// Exponential backoff with full jitter, bounded in total: attempt k waits a uniform time in [0, min(cap, base·2^k)],
/// and once <see cref="Budget"/> has passed since the first failure the caller gives up.
/// </summary>
public sealed class Backoff(TimeSpan budget, SeededRandom random, TimeProvider? time = null)
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(5);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private DateTimeOffset? _firstFailure;
    private int _attempt;

    public TimeSpan Budget { get; } = budget;

    /// <summary>Failures since the last success.</summary>
    public int Failures => _attempt;

    /// <summary>The wait before the next attempt, or null when the budget is spent.</summary>
    public TimeSpan? NextDelay()
    {
        var now = _time.GetUtcNow();
        _firstFailure ??= now;
        if (now - _firstFailure.Value >= Budget)
        {
            return null;
        }

        var ceiling = Math.Min(Cap.TotalSeconds, Base.TotalSeconds * Math.Pow(2, Math.Min(_attempt++, 30)));
        return TimeSpan.FromSeconds(random.Uniform(0, ceiling));
    }

    public void Succeeded()
    {
        _firstFailure = null;
        _attempt = 0;
    }
}
