using PsTraining.Torch;
using PsTraining.Torch.Modules;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Models.Zoo;

/// <summary>
/// VGG-19 (configuration E of Simonyan and Zisserman) for 3×224×224 input, laid out as torchvision's
/// <c>vgg19</c> (features.N, classifier.N): 16 conv 3×3 layers, 5 max-pools, fc 25088→4096→4096→classes.
/// 143,652,544 weights without biases at 1000 classes.
/// </summary>
public sealed class Vgg19 : Module
{
    /// <summary>Output channels of each convolution; 0 is a max-pool.</summary>
    private static readonly int[] Configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0];

    public Vgg19(long inChannels = 3, long numClasses = 1000, double dropout = 0.5)
    {
        features = register_module("features", new Sequential());
        var channels = inChannels;
        foreach (var c in Configuration)
        {
            if (c == 0)
            {
                features.append(new MaxPool2d(2, 2));
                continue;
            }

            var conv = new Conv2d(channels, c, 3, padding: 1);
            // torchvision's initialisation: He normal (fan-out) for convolutions, N(0, 0.01) for linear layers.
            var (_, fanOut) = init.calculate_fan_in_and_fan_out(conv.weight);
            conv.weight.normal_(0, Math.Sqrt(2.0 / fanOut));
            conv.bias!.zero_();
            features.append(conv).append(new ReLU());
            channels = c;
        }

        _pool = register_module("avgpool", new AdaptiveAvgPool2d((7, 7)));
        _flatten = register_module("flatten", new Flatten());
        classifier = register_module("classifier", new Sequential(
            Dense(512 * 7 * 7, 4096), new ReLU(), new Dropout(dropout),
            Dense(4096, 4096), new ReLU(), new Dropout(dropout),
            Dense(4096, numClasses)));
    }

    private readonly AdaptiveAvgPool2d _pool;
    private readonly Flatten _flatten;

    public Sequential features { get; }

    public Sequential classifier { get; }

    public override Tensor forward(Tensor input) => classifier.call(_flatten.call(_pool.call(features.call(input))));

    private static Linear Dense(long inputs, long outputs)
    {
        var layer = new Linear(inputs, outputs);
        layer.weight.normal_(0, 0.01);
        layer.bias!.zero_();
        return layer;
    }
}
