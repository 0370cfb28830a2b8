using PsTraining.Models.Torch;
using PsTraining.Protocol;
using TorchSharp;

namespace PsTraining.Models.Zoo;

/// <summary>
/// Where a parameter-server run starts: a registry model built with a seed, its parameters flattened in parameter order
/// (the server exchanges parameters only), and the safetensors file (<see cref="WeightsFile"/>) the server seeds
/// itself from, so that the server needs no tensor library.
/// </summary>
public static class InitialWeights
{
    /// <summary>The layout of <paramref name="module"/>'s parameters in the server's flat vector.</summary>
    public static ParameterLayout LayoutOf(torch.nn.Module module) => new(module.named_parameters().Select(p => (p.name, p.parameter.shape)));

    public static ModelWeights Of(string model, int seed)
    {
        using var module = ModelRegistry.CreateSeeded(model, seed);
        var layout = LayoutOf(module);
        var weights = new float[layout.TotalLength];
        FlatBuffer.GatherValues(module.parameters().Select(p => (torch.Tensor)p).ToList(), weights);
        return new ModelWeights(model, layout, weights);
    }

    /// <summary>Writes the initial weights of <paramref name="model"/> seeded with <paramref name="seed"/> to <paramref name="path"/>; returns them.</summary>
    public static ModelWeights Write(string model, int seed, string path)
    {
        var initial = Of(model, seed);
        WeightsFile.Write(path, model, initial.Layout, initial.Weights, new Dictionary<string, string> { ["pstraining.seed"] = $"{seed}" });
        return initial;
    }

    /// <summary><see cref="Write"/>, then the line that says what it wrote, as the programs that write the file print it.</summary>
    public static string WriteAndDescribe(string model, int seed, string path)
    {
        var layout = Write(model, seed, path).Layout;
        return $"wrote {path}: model {model}, seed {seed}, {layout.Tensors.Count} tensors, {layout.TotalLength} floats";
    }
}
