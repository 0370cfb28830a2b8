using PsTraining.ParameterServer.Core;

namespace PsTraining.ParameterServer.Durability;

/// <summary>A checkpoint read back and verified: the core's state, the model and layout it was taken of, and where it was.</summary>
public sealed record LoadedCheckpoint(CoreState State, string Model, IReadOnlyList<(string Name, long[] Shape)> Layout, string Path);
