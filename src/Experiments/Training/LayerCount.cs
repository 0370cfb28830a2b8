namespace PsTraining.Experiments.Training;

/// <summary>One layer's share of <see cref="NetworkCounts"/>: its output shape (one sample), neurons, kernel weights and connections.</summary>
public sealed record LayerCount(string Layer, string Type, string OutputShape, long Neurons, long Weights, long Connections);
