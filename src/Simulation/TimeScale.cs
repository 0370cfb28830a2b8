using System.Globalization;

namespace PsTraining.Simulation;

/// <summary>
/// Virtual time in whole ticks, so that event times are exact: step times given as decimals (1, 2.5, 0.1) are
/// scaled by a common power of ten, and the j-th completion of a constant-speed learner is j·T ticks, never a
/// running sum of floating-point steps. Simultaneous events are then found exactly.
/// </summary>
public sealed record TimeScale(long TicksPerUnit)
{
    /// <summary>
    /// The scale that makes every one of <paramref name="times"/> a whole number of ticks (at most 9 decimals); with
    /// <paramref name="randomDraws"/>, fine enough for the draws of random speed models too.
    /// </summary>
    public static TimeScale For(IEnumerable<decimal> times, bool randomDraws = false)
    {
        var decimals = Math.Max(times.Select(Decimals).DefaultIfEmpty(0).Max(), randomDraws ? PsTraining.Models.Speed.SpeedModel.Decimals : 0);
        if (decimals > 9)
        {
            throw new ArgumentException("step times may have at most 9 decimal places");
        }

        return new TimeScale((long)Math.Pow(10, decimals));
    }

    public long ToTicks(decimal time) => decimal.ToInt64(time * TicksPerUnit);

    public decimal ToTime(long ticks) => (decimal)ticks / TicksPerUnit;

    public string Format(long ticks) => ToTime(ticks).ToString("0.#########", CultureInfo.InvariantCulture);

    public static decimal ParseTime(string text, string option)
    {
        if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new ArgumentException($"{option}: '{text}' is not a positive number");
        }

        return value;
    }

    private static int Decimals(decimal value) => (decimal.GetBits(value)[3] >> 16) & 0xff;
}
