using PsTraining.Models.Torch;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>Every model by its registry name (<c>lenet5</c>, <c>small-inception</c>, ...), for command lines and scenario files.</summary>
public static class ModelRegistry
{
    private static readonly ModelSpec[] Specs =
    [
        new("lenet5", "LeNet-5, 1 or 3 channels, 32×32", o => new LeNet5(o.InChannels ?? 1, o.NumClasses ?? 10), o => [o.InChannels ?? 1, 32, 32]),
        new("small-inception", "small Inception of Zhang et al. 2017 (Fig. 3), 28×28", o => new SmallInception(o.InChannels ?? 1, o.NumClasses ?? 10),
            o => [o.InChannels ?? 1, 28, 28]),
        new("mlp-worked-example", "2→3→2→1 ReLU MLP of the backprop worked example", _ => new WorkedExampleMlp(), _ => [2]),
        new("linear-regression", "one linear layer (inputs = --in-channels, default 1)", o => new LinearRegression(o.InChannels ?? 1, o.NumClasses ?? 1),
            o => [o.InChannels ?? 1]),
        new("pool-upsample-net", "colourisation CNN: max-pool down, upsample up, 32×32", o => new PoolUpsampleNet(Colour(o)), o => ColourShape(o)),
        new("conv-transpose-net", "colourisation CNN: strided conv down, transposed conv up, 32×32", o => new ConvTransposeNet(Colour(o)), o => ColourShape(o)),
        new("unet", "colourisation CNN with skip connections (UNet), 32×32", o => new UNet(Colour(o)), o => ColourShape(o)),
        new("vgg19", "VGG-19 (torchvision layout), 3×224×224", o => new Vgg19(o.InChannels ?? 3, o.NumClasses ?? 1000), o => [o.InChannels ?? 3, 224, 224]),
    ];

    public static IReadOnlyList<ModelSpec> All => Specs;

    public static IEnumerable<string> Names => Specs.Select(s => s.Name);

    public static ModelSpec Get(string name) =>
        Specs.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}");

    /// <summary>A model with fresh initial weights, drawn while no seeded computation holds the generators (<see cref="Reproducible"/>).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, ModelOptions? options = null)
    {
        var spec = Get(name);
        using var draw = Reproducible.Draw();
        return spec.Create(options ?? new ModelOptions());
    }

    /// <summary>A model whose initial weights come from <paramref name="seed"/> alone, whatever other threads draw meanwhile.</summary>
    public static nn.Module<Tensor, Tensor> CreateSeeded(string name, long seed)
    {
        using var seeded = Reproducible.Enter(seed);
        return Create(name);
    }

    private static ColourisationOptions Colour(ModelOptions o) =>
        o.InChannels is { } c ? o.Colourisation with { NumInChannels = c } : o.Colourisation;

    private static long[] ColourShape(ModelOptions o) => [Colour(o).NumInChannels, 32, 32];
}
