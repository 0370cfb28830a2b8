namespace PsTraining.ParameterServer.Core;

/// <summary>One gradient push: the flat gradient (the layout's order) and what identifies and dates it.</summary>
public readonly record struct PushInput(uint LearnerId, ulong Sequence, ulong ReadVersion, ReadOnlyMemory<float> Gradient, float Loss = float.NaN);
