using PsTraining.Models.Zoo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// Measures receptive fields on real networks: a one-channel replica of a model's convolutions and pools (same kernels,
/// strides and paddings) with positive averaging weights, and average pools in place of max pools so that every input
/// pixel in the field gets a share of the gradient. The field is the set of input pixels whose gradient, for the centre
/// unit of the last layer, is not zero.
/// </summary>
internal static class ReceptiveFieldProbe
{
    /// <summary>A window of a model's spatial layers: its module type, kernel, stride and padding.</summary>
    public sealed record Window(string Name, string Type, long Kernel, long Stride, long Padding);

    /// <summary>The model's convolutions and pools in forward order (from a summary pass), up to its first fully connected layer.</summary>
    public static IReadOnlyList<Window> Windows(nn.Module<Tensor, Tensor> model, ModelSummary summary)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var windows = new List<Window>();
        foreach (var layer in summary.Layers.TakeWhile(l => l.Type != nameof(Linear)))
        {
            switch (modules[layer.Name])
            {
                case Conv2d c:
                    windows.Add(Square(layer, c.kernel_size, c.stride, c.padding));
                    break;
                case MaxPool2d p:
                    windows.Add(Square(layer, p.kernel_size, p.stride, p.padding));
                    break;
                case AvgPool2d p:
                    windows.Add(Square(layer, p.kernel_size, p.stride, p.padding));
                    break;
            }
        }

        return windows;
    }

    /// <summary>The window of a layer with square kernels, strides and paddings (a pool's stride defaults to its kernel, its padding to 0).</summary>
    private static Window Square(LayerSummary layer, long[] kernel, long[]? stride, long[]? padding)
    {
        stride ??= kernel;
        padding ??= [0, 0];
        if (kernel[0] != kernel[^1] || stride[0] != stride[^1] || padding[0] != padding[^1])
        {
            throw new NotSupportedException($"{layer.Name}: the probe takes square windows only (kernel {string.Join('×', kernel)}, stride {string.Join('×', stride)}, padding {string.Join('×', padding)})");
        }

        return new Window(layer.Name, layer.Type, kernel[0], stride[0], padding[0]);
    }

    /// <summary>The side, in input pixels, of the receptive field of the centre unit after <paramref name="windows"/>.</summary>
    public static long Measure(IReadOnlyList<Window> windows)
    {
        // An input of twice the field (plus a few jumps) keeps the centre unit's field clear of the border.
        var expected = windows.Aggregate(ReceptiveField.Input, (f, w) => f.Then(w.Kernel, w.Stride));
        var side = 2 * expected.Size + 4 * expected.Jump;
        using var scope = NewDisposeScope();
        using var replica = nn.Sequential();
        foreach (var w in windows)
        {
            if (w.Type == nameof(Conv2d))
            {
                var conv = nn.Conv2d(1, 1, w.Kernel, w.Stride, w.Padding, bias: false);
                using (no_grad())
                using (var mean = (1.0 / (w.Kernel * w.Kernel)).ToScalar())
                {
                    conv.weight!.fill_(mean);
                }

                replica.append(conv);
            }
            else
            {
                replica.append(nn.AvgPool2d(w.Kernel, w.Stride, w.Padding));
            }
        }

        var input = ones([1, 1, side, side], requires_grad: true);
        var output = replica.call(input);
        var centre = output.size(2) / 2;
        output.select(0, 0).select(0, 0).select(0, centre).select(0, centre).backward();
        var gradient = input.grad!.data<float>().ToArray();
        var rows = Enumerable.Range(0, (int)side).Where(r => Enumerable.Range(0, (int)side).Any(c => gradient[r * side + c] != 0)).ToList();
        if (rows.Count == 0 || rows[0] == 0 || rows[^1] == side - 1)
        {
            throw new InvalidOperationException($"the probe's {side}-pixel input clipped the receptive field (rows {rows.FirstOrDefault()}..{rows.LastOrDefault()})");
        }

        return rows[^1] - rows[0] + 1;
    }
}
