using PsTraining.Models.Zoo;
using TorchSharp.Modules;

namespace PsTraining.Models.Tests;

/// <summary>Layer sizes against the closed-form counts: LeNet-5 weights and MACs, its parameter total, VGG-19's weights.</summary>
public sealed class ModelSizeTests
{
    [Fact]
    public void LeNet5_with_three_channels_has_the_textbook_weights_and_macs()
    {
        using var model = ModelRegistry.Create("lenet5", new ModelOptions { InChannels = 3 });
        var summary = ModelSummary.Of(model, ModelRegistry.Get("lenet5").SampleShape(new ModelOptions { InChannels = 3 }));
        var weighted = summary.Layers.Where(l => l.WeightShape is not null).ToList();

        Assert.Equal([450L, 2400, 48000, 10080, 840], weighted.Select(l => l.WeightsWithoutBias));
        Assert.Equal([352800L, 240000, 48000, 10080, 840], weighted.Select(l => l.MultiplyAccumulates));
        Assert.Equal(["conv1", "conv2", "fc1", "fc2", "fc3"], weighted.Select(l => l.Name));
        Assert.Equal([1L, 6, 28, 28], weighted[0].OutputShape);
    }

    [Fact]
    public void LeNet5_with_one_channel_has_61706_parameters()
    {
        using var model = ModelRegistry.Create("lenet5");
        Assert.Equal(61706, model.parameters().Sum(p => p.numel()));
        Assert.Equal(61706, ModelSummary.Of(model, [1, 32, 32]).TotalParameters);
    }

    [Fact]
    public void Vgg19_has_143652544_weights_without_biases()
    {
        using var model = ModelRegistry.Create("vgg19");
        var weights = model.named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal)).Sum(p => p.parameter.numel());
        Assert.Equal(143_652_544, weights);
        Assert.Equal(16, model.named_modules().Count(m => m.module is Conv2d));
    }

    [Fact]
    public void Colourisation_networks_map_32x32_grey_to_32x32_colour_scores()
    {
        foreach (var name in new[] { "pool-upsample-net", "conv-transpose-net", "unet" })
        {
            using var model = ModelRegistry.Create(name);
            var summary = ModelSummary.Of(model, [1, 32, 32]);
            Assert.Equal([1L, 24, 32, 32], summary.Layers[^1].OutputShape);
        }
    }

    [Fact]
    public void SmallInception_reduces_28x28_to_a_336_feature_vector()
    {
        using var model = ModelRegistry.Create("small-inception");
        var summary = ModelSummary.Of(model, [1, 28, 28]);
        var fc = summary.Layers.Single(l => l.Name == "fc");
        Assert.Equal([1L, 336], fc.InputShape);
        Assert.Equal([1L, 10], fc.OutputShape);
    }
}
