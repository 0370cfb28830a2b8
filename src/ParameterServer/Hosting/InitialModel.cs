using PsTraining.Models.Zoo;
using PsTraining.ParameterServer.Core;
using PsTraining.Models.Torch;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Hosting;

/// <summary>The starting weights: a model from PsTraining.Models built with a seed, flattened in parameter order.</summary>
public static class InitialModel
{
    public static (ParameterLayout Layout, float[] Weights) Build(string model, int seed)
    {
        using var module = ModelRegistry.CreateSeeded(model, seed);
        var parameters = module.named_parameters().ToList();
        var layout = new ParameterLayout(parameters.Select(p => (p.name, p.parameter.shape)));
        var weights = new float[layout.TotalLength];
        FlatBuffer.GatherValues(parameters.Select(p => (TorchSharp.torch.Tensor)p.parameter).ToList(), weights);
        return (layout, weights);
    }
}
