using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>A model the registry can build: its name, a description, how to build it, and the shape of one input sample.</summary>
public sealed record ModelSpec(string Name, string Description, Func<ModelOptions, nn.Module<Tensor, Tensor>> Create, Func<ModelOptions, long[]> SampleShape);
