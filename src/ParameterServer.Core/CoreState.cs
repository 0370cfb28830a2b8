namespace PsTraining.ParameterServer.Core;

/// <summary>Everything needed to resume the server: weights, optimiser state, version and learners, taken at one consistent moment.</summary>
public sealed record CoreState(ulong Version, float[] Weights, IReadOnlyList<float[]> OptimizerState, IReadOnlyList<LearnerRecord> Learners);
