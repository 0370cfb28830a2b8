using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>
/// VGG-19 (configuration E of Simonyan and Zisserman) for 3×224×224 input, laid out as torchvision's
/// <c>vgg19</c> (features.N, classifier.N): 16 conv 3×3 layers, 5 max-pools, fc 25088→4096→4096→classes.
/// 143,652,544 weights without biases at 1000 classes.
/// </summary>
public sealed class Vgg19 : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels of each convolution; 0 is a max-pool.</summary>
    private static readonly int[] Configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0];

    public readonly Sequential features;
    public readonly AdaptiveAvgPool2d avgpool;
    public readonly Flatten flatten = nn.Flatten();
    public readonly Sequential classifier;

    public Vgg19(long inChannels = 3, long numClasses = 1000, double dropout = 0.5) : base(nameof(Vgg19))
    {
        features = nn.Sequential();
        var channels = inChannels;
        foreach (var c in Configuration)
        {
            if (c == 0)
            {
                features.append(nn.MaxPool2d(2, 2));
                continue;
            }

            var conv = nn.Conv2d(channels, c, 3, padding: 1);
            // torchvision's initialisation: He normal (fan-out) for convolutions, N(0, 0.01) for linear layers.
            using (no_grad())
            {
                nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                nn.init.zeros_(conv.bias);
            }

            features.append(conv).append(nn.ReLU());
            channels = c;
        }

        avgpool = nn.AdaptiveAvgPool2d((7, 7));
        classifier = nn.Sequential(
            Dense(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(dropout),
            Dense(4096, 4096), nn.ReLU(), nn.Dropout(dropout),
            Dense(4096, numClasses));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => classifier.call(flatten.call(avgpool.call(features.call(input))));

    private static Linear Dense(long inputs, long outputs)
    {
        var layer = nn.Linear(inputs, outputs);
        using (no_grad())
        {
            nn.init.normal_(layer.weight, 0, 0.01);
            nn.init.zeros_(layer.bias);
        }

        return layer;
    }
}
