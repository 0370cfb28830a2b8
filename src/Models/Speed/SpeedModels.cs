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
            var parts = spec.Split(':');
            if (parts.Length != 3
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var learner) || learner < 1 || learner > models.Length
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every < 1
                || !decimal.TryParse(parts[2], NumberStyles.Number, CultureInfo.InvariantCulture, out var pause) || pause < 0)
            {
                throw new ArgumentException($"--straggler must be LEARNER:EVERY:PAUSE with LEARNER in 1..{models.Length}, EVERY >= 1, PAUSE >= 0; not '{spec}'");
            }

            models[learner - 1] = new StragglerSpeed(models[learner - 1], every, pause);
        }

        foreach (var spec in slowPeriods ?? [])
        {
            var parts = spec.Split(':');
            if (parts.Length != 4
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var learner) || learner < 1 || learner > models.Length
                || !decimal.TryParse(parts[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var from) || from < 0
                || !decimal.TryParse(parts[2], NumberStyles.Number, CultureInfo.InvariantCulture, out var to) || to <= from
                || !decimal.TryParse(parts[3], NumberStyles.Number, CultureInfo.InvariantCulture, out var factor) || factor <= 0)
            {
                throw new ArgumentException($"--slow must be LEARNER:FROM:TO:FACTOR with LEARNER in 1..{models.Length}, 0 <= FROM < TO, FACTOR > 0; not '{spec}'");
            }

            models[learner - 1] = new SlowPeriodSpeed(models[learner - 1], from, to, factor);
        }

        return models;
    }
}
