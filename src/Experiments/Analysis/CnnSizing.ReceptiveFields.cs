using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>Receptive fields layer by layer: the closed form against a gradient probe of each model's spatial layers.</summary>
public sealed partial class CnnSizing
{
    private static void ReceptiveFields(ExperimentContext context, IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Model, ModelSummary Summary)> models)
    {
        var rows = new List<(string Model, int Index, ReceptiveFieldProbe.Window Window, ReceptiveField Field, long Measured)>();
        foreach (var (name, model, summary) in models)
        {
            var windows = ReceptiveFieldProbe.Windows(model, summary);
            var field = ReceptiveField.Input;
            for (var i = 0; i < windows.Count; i++)
            {
                field = field.Then(windows[i].Kernel, windows[i].Stride);
                var measured = ReceptiveFieldProbe.Measure(windows.Take(i + 1).ToList());
                ModelCheck.Equal(name, windows[i].Name, "receptive field", field.Size, measured);
                rows.Add((name, i + 1, windows[i], field, measured));
            }
        }

        context.WriteCsv("receptive-fields", ["model", "index", "layer", "type", "kernel", "stride", "padding", "jump", "receptive_field", "measured_receptive_field"],
            rows.Select(r => (IReadOnlyList<object?>)[r.Model, r.Index, r.Window.Name, r.Window.Type, r.Window.Kernel, r.Window.Stride, r.Window.Padding, r.Field.Jump, r.Field.Size, r.Measured]));
        context.AddFigure("receptive-fields", VegaLite.Line("Receptive field after each convolution and pool", rows.Select(r => new { model = r.Model, index = r.Index, field = r.Field.Size }),
            new("index", "spatial layer (forward order)"), new("field", "receptive field (input pixels)"), new("model", "model", "nominal"), points: true));

        context.WriteSummary("## Receptive fields (r ← r + (k − 1)·j, j ← j·S), measured by the gradient of the centre unit");
        context.WriteSummary();
        foreach (var group in rows.GroupBy(r => r.Model))
        {
            var last = group.Last();
            context.WriteSummary($"- {group.Key}: {last.Field.Size}×{last.Field.Size} after {last.Window.Name} (jump {last.Field.Jump}); the probe measured {last.Measured}");
        }

        context.WriteSummary();
    }
}
