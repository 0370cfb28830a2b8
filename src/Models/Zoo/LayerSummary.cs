namespace PsTraining.Models.Zoo;

/// <summary>One leaf layer as it ran in a summary pass (shapes for a batch of one).</summary>
public sealed record LayerSummary(string Name, string Type, long[] InputShape, long[] OutputShape, long[]? WeightShape, long Parameters,
    long WeightsWithoutBias, long MultiplyAccumulates);
