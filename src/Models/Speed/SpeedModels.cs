using System.Globalization;

namespace PsTraining.Models.Speed;

/// <summary>Builds one speed model per learner from command-line style options; errors name the option.</summary>
public static class SpeedModels
{
    /// <summary>
    /// <paramref name="stepTimes"/>: each learner's (median, mean) step time. <paramref name="random"/>: null (constant),
    /// <c>lognormal:SIGMA</c> or <c>exponential</c>. <paramref name="stragglers"/>: <c>LEARNER:EVERY:PAUSE</c> items (learner 1-based).
    /// <paramref name="slowPeriods"/>: <c>LEARNER:FROM:TO:FACTOR</c> items.
    /// </summary>
    public static IReadOnlyList<SpeedModel> Build(IReadOnlyList<decimal> stepTimes, string? random, IEnumerable<string> stragglers,
        IEnumerable<string>? slowPeriods = null)
    {
        var models = stepTimes.Select(t => random switch
        {
            null or "" or "constant" => (SpeedModel)new ConstantSpeed(t),
            "exponential" => new ExponentialSpeed(t),
            _ when random.StartsWith("lognormal:", StringComparison.Ordinal)
                   && double.TryParse(random.AsSpan(10), NumberStyles.Float, CultureInfo.InvariantCulture, out var sigma) && sigma >= 0 => new LognormalSpeed(t, sigma),
            _ => throw new ArgumentException($"--random must be constant, exponential or lognormal:SIGMA (SIGMA >= 0), not '{random}'"),
        }).ToArray();

        foreach (var spec in stragglers)
        {
            var (learner, rest) = SplitLearner(spec, models.Length, "--straggler", "LEARNER:EVERY:PAUSE");
            models[learner - 1] = Straggler(models[learner - 1], rest);
        }

        foreach (var spec in slowPeriods ?? [])
        {
            var (learner, rest) = SplitLearner(spec, models.Length, "--slow", "LEARNER:FROM:TO:FACTOR");
            models[learner - 1] = SlowPeriod(models[learner - 1], rest);
        }

        return models;
    }

    /// <summary><paramref name="inner"/> with a pause: <c>EVERY:PAUSE</c> (every EVERY-th gradient takes PAUSE longer).</summary>
    public static SpeedModel Straggler(SpeedModel inner, string everyPause)
    {
        var parts = everyPause.Split(':');
        return parts.Length == 2
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var every) && every >= 1
               && decimal.TryParse(parts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var pause) && pause >= 0
            ? new StragglerSpeed(inner, every, pause)
            : throw new ArgumentException($"--straggler must be [LEARNER:]EVERY:PAUSE with EVERY >= 1 and PAUSE >= 0, not '{everyPause}'");
    }

    /// <summary><paramref name="inner"/> with a slow period: <c>FROM:TO:FACTOR</c>.</summary>
    public static SpeedModel SlowPeriod(SpeedModel inner, string fromToFactor)
    {
        var parts = fromToFactor.Split(':');
        return parts.Length == 3
               && decimal.TryParse(parts[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var from) && from >= 0
               && decimal.TryParse(parts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var to) && to > from
               && decimal.TryParse(parts[2], NumberStyles.Number, CultureInfo.InvariantCulture, out var factor) && factor > 0
            ? new SlowPeriodSpeed(inner, from, to, factor)
            : throw new ArgumentException($"--slow must be [LEARNER:]FROM:TO:FACTOR with 0 <= FROM < TO and FACTOR > 0, not '{fromToFactor}'");
    }

    /// <summary>Splits <c>LEARNER:REST</c>, checking LEARNER against 1..<paramref name="learners"/>.</summary>
    private static (int Learner, string Spec) SplitLearner(string spec, int learners, string option, string form)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !int.TryParse(spec.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var learner) || learner < 1 || learner > learners)
        {
            throw new ArgumentException($"{option} must be {form} with LEARNER in 1..{learners}; not '{spec}'");
        }

        return (learner, spec[(colon + 1)..]);
    }
}
