using PsTraining.Models.Zoo;
using PsTraining.Torch;
using PsTraining.Torch.Modules;

namespace PsTraining.Sim.Analysis;

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
    public static IReadOnlyList<Window> Windows(Module model, ModelSummary summary)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var windows = new List<Window>();
        foreach (var layer in summary.Layers.TakeWhile(l => l.Type != nameof(Linear)))
        {
            switch (modules[layer.Name])
            {
                case Conv2d c:
                    windows.Add(new(layer.Name, layer.Type, c.KernelSize, c.Stride, c.Padding));
                    break;
                case MaxPool2d p:
                    windows.Add(new(layer.Name, layer.Type, p.KernelSize, p.Stride, p.Padding));
                    break;
                case AvgPool2d p:
                    windows.Add(new(layer.Name, layer.Type, p.KernelSize, p.Stride, p.Padding));
                    break;
            }
        }

        return windows;
    }

    /// <summary>The side, in input pixels, of the receptive field of the centre unit after <paramref name="windows"/>.</summary>
    public static long Measure(IReadOnlyList<Window> windows)
    {
        // An input of twice the field (plus a few jumps) keeps the centre unit's field clear of the border.
        var expected = windows.Aggregate(ReceptiveField.Input, (f, w) => f.Then(w.Kernel, w.Stride));
        var side = 2 * expected.Size + 4 * expected.Jump;
        using var scope = torch.NewDisposeScope();
        using var replica = new Sequential();
        foreach (var w in windows)
        {
            if (w.Type == nameof(Conv2d))
            {
                var conv = new Conv2d(1, 1, w.Kernel, w.Stride, w.Padding, hasBias: false);
                using (torch.no_grad())
                {
                    conv.weight.fill_(1.0 / (w.Kernel * w.Kernel));
                }

                replica.append(conv);
            }
            else
            {
                replica.append(new AvgPool2d(w.Kernel, w.Stride, w.Padding));
            }
        }

        var input = torch.ones([1, 1, side, side], requires_grad: true);
        var output = replica.call(input);
        var centre = output.size(2) / 2;
        output.select(0, 0).select(0, 0).select(0, centre).select(0, centre).backward();
        var gradient = input.grad!.data<float>();
        var rows = Enumerable.Range(0, (int)side).Where(r => Enumerable.Range(0, (int)side).Any(c => gradient[r * side + c] != 0)).ToList();
        if (rows.Count == 0 || rows[0] == 0 || rows[^1] == side - 1)
        {
            throw new InvalidOperationException($"the probe's {side}-pixel input clipped the receptive field (rows {rows.FirstOrDefault()}..{rows.LastOrDefault()})");
        }

        return rows[^1] - rows[0] + 1;
    }
}
