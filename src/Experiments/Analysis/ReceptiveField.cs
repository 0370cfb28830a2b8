namespace PsTraining.Experiments.Analysis;

/// <summary>
/// The receptive field of one unit: its side in input pixels (<see cref="Size"/>), and the distance in input pixels
/// between neighbouring units of its layer (<see cref="Jump"/>). Padding moves the field but does not change its size.
/// </summary>
public readonly record struct ReceptiveField(long Size, long Jump)
{
    /// <summary>A pixel of the input sees itself.</summary>
    public static ReceptiveField Input { get; } = new(1, 1);

    /// <summary>After a k×k window of stride S: each of the k−1 extra taps reaches one more unit, Jump pixels further.</summary>
    public ReceptiveField Then(long kernel, long stride) => new(Size + (kernel - 1) * Jump, Jump * stride);
}
