namespace PsTraining.Experiments.Analysis;

/// <summary>A logic function on bipolar inputs (−1 false, +1 true), with its truth table's inputs in counting order.</summary>
public sealed record BooleanFunction(string Name, int Arity, Func<IReadOnlyList<int>, bool> Value)
{
    public static BooleanFunction And { get; } = new("AND", 2, x => x.All(v => v == 1));

    public static BooleanFunction Nor { get; } = new("NOR", 2, x => x.All(v => v == -1));

    public static BooleanFunction Majority { get; } = new("3-input majority", 3, x => x.Sum() > 0);

    public static BooleanFunction Xor { get; } = new("XOR", 2, x => x[0] != x[1]);

    /// <summary>Every input, from all −1 to all +1 (the last input varies fastest).</summary>
    public IReadOnlyList<int[]> Inputs => [.. Enumerable.Range(0, 1 << Arity)
        .Select(k => Enumerable.Range(0, Arity).Select(i => ((k >> (Arity - 1 - i)) & 1) == 1 ? 1 : -1).ToArray())];

    public int Target(IReadOnlyList<int> x) => Value(x) ? 1 : -1;
}
