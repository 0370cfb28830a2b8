using System.Globalization;
using System.Text.Json;
using PsTraining.Models.Torch;
using PsTraining.Experiments;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// <c>conv-filters</c>: the exercises' kernels (a 2×2 difference kernel, a sharpening kernel, an edge-enhancing kernel and
/// the Laplacian edge kernel) applied with padding and stride by <see cref="DirectConvolution"/>, each result checked
/// against libtorch's conv2d. The source documents print only the results of the 5×5 and 5×9 exercises; the binary
/// images here are the ones whose convolution with the named kernels gives exactly those printed results.
/// </summary>
public sealed class ConvFilters : IExperiment
{
    public string Name => "conv-filters";

    public string Description => "Edge and sharpening kernels with padding and stride: a direct convolution checked against libtorch's conv2d";

    /// <summary>One exercise: an image, a kernel, padding and stride.</summary>
    public sealed record Case(string Label, string Image, string Kernel, int Padding, int Stride);

    public static IReadOnlyDictionary<string, double[,]> Images { get; } = new Dictionary<string, double[,]>
    {
        ["3x3"] = new double[,] { { 6, 0, 1 }, { 3, 4, 1 }, { 1, 7, 0 } },
        ["5x5 shape"] = new double[,] { { 0, 0, 0, 0, 0 }, { 0, 0, 1, 1, 1 }, { 1, 1, 1, 1, 0 }, { 0, 1, 1, 1, 0 }, { 0, 0, 1, 0, 0 } },
        ["5x9 cross"] = new double[,]
        {
            { 0, 0, 0, 0, 1, 0, 0, 0, 0 }, { 0, 0, 1, 1, 1, 1, 1, 0, 0 }, { 1, 1, 1, 1, 1, 1, 1, 1, 1 }, { 0, 0, 1, 1, 1, 1, 1, 0, 0 }, { 0, 0, 0, 0, 1, 0, 0, 0, 0 },
        },
    };

    public static IReadOnlyDictionary<string, double[,]> Kernels { get; } = new Dictionary<string, double[,]>
    {
        ["2x2 difference"] = new double[,] { { 1, 0 }, { 0, -1 } },
        ["sharpen"] = new double[,] { { 0, -1, 0 }, { -1, 5, -1 }, { 0, -1, 0 } },
        ["edge (Laplacian)"] = new double[,] { { 0, -1, 0 }, { -1, 4, -1 }, { 0, -1, 0 } },
        // The identity plus a quarter of the edge kernel: flat regions pass, edges are boosted.
        ["edge-enhance"] = new double[,] { { 0, -0.25, 0 }, { -0.25, 2, -0.25 }, { 0, -0.25, 0 } },
    };

    public static IReadOnlyList<Case> Cases { get; } =
    [
        new("2x2 kernel on 3x3", "3x3", "2x2 difference", 0, 1),
        new("2x2 kernel on 3x3, P1 S2", "3x3", "2x2 difference", 1, 2),
        new("sharpen 5x5, P1", "5x5 shape", "sharpen", 1, 1),
        new("sharpen 5x5, P1 S2", "5x5 shape", "sharpen", 1, 2),
        new("edge 5x5, P1", "5x5 shape", "edge (Laplacian)", 1, 1),
        new("edge-enhance 5x9, P1", "5x9 cross", "edge-enhance", 1, 1),
        new("edge 5x9, P1", "5x9 cross", "edge (Laplacian)", 1, 1),
        new("edge-enhance 5x9, P0 S2", "5x9 cross", "edge-enhance", 0, 2),
    ];

    public void Run(ExperimentContext context)
    {
        var cells = new List<(string Case, int Row, int Col, double Direct, double Libtorch)>();
        var results = new Dictionary<string, double[,]>();
        context.WriteSummary("Each output by the direct convolution; |direct − libtorch| is the largest difference from libtorch's conv2d (float64). "
            + "The source documents print only the results of the 5×5 and 5×9 exercises: the binary images used here (conv-filters.json) are the ones that give exactly those results with the sharpening and edge-enhancing kernels.");
        context.WriteSummary();
        foreach (var c in Cases)
        {
            var direct = DirectConvolution.Apply(Images[c.Image], Kernels[c.Kernel], c.Padding, c.Stride);
            var reference = Libtorch(Images[c.Image], Kernels[c.Kernel], c.Padding, c.Stride);
            if (reference.GetLength(0) != direct.GetLength(0) || reference.GetLength(1) != direct.GetLength(1))
            {
                throw new InvalidOperationException($"{c.Label}: the direct convolution is {direct.GetLength(0)}×{direct.GetLength(1)}, libtorch's {reference.GetLength(0)}×{reference.GetLength(1)}");
            }

            var worst = 0.0;
            for (var i = 0; i < direct.GetLength(0); i++)
            {
                for (var j = 0; j < direct.GetLength(1); j++)
                {
                    cells.Add((c.Label, i, j, direct[i, j], reference[i, j]));
                    worst = Math.Max(worst, Math.Abs(direct[i, j] - reference[i, j]));
                }
            }

            results[c.Label] = direct;
            context.WriteSummary(string.Create(CultureInfo.InvariantCulture,
                $"- {c.Label} ({c.Kernel} kernel, padding {c.Padding}, stride {c.Stride}): {direct.GetLength(0)}×{direct.GetLength(1)} output {Format(direct)}; |direct − libtorch| = {worst:G3}"));
        }

        context.WriteCsv("conv-filters", ["case", "row", "col", "direct", "libtorch"], cells.Select(c => (IReadOnlyList<object?>)[c.Case, c.Row, c.Col, c.Direct, c.Libtorch]));
        File.WriteAllText(Path.Combine(context.Directory, "conv-filters.json"), JsonSerializer.Serialize(new
        {
            images = Images.ToDictionary(i => i.Key, i => Rows(i.Value)),
            kernels = Kernels.ToDictionary(k => k.Key, k => Rows(k.Value)),
            cases = Cases.Select(c => new { c.Label, c.Image, c.Kernel, c.Padding, c.Stride, output = Rows(results[c.Label]) }),
        }, new JsonSerializerOptions { WriteIndented = true }));

        var order = Cases.Select(c => c.Label).ToList();
        context.AddFigure("filter-outputs", Heatmaps("Outputs of the direct convolution, one panel per case",
            cells.Select(c => new { panel = c.Case, row = c.Row, column = c.Col, value = c.Direct }), order));
        var inputs = Images.Concat(Kernels).ToList();
        context.AddFigure("filter-inputs", Heatmaps("The images and kernels",
            inputs.SelectMany(m => Cells(m.Value).Select(v => new { panel = m.Key, row = v.Row, column = v.Col, value = v.Value })), [.. inputs.Select(m => m.Key)]));
    }

    /// <summary>libtorch's conv2d on a 1×1×H×W image and a 1×1×k×k kernel, in float64.</summary>
    private static double[,] Libtorch(double[,] image, double[,] kernel, int padding, int stride)
    {
        using var scope = NewDisposeScope();
        var x = LibtorchTensor.From(Cells(image).Select(c => c.Value).ToArray(), [1, 1, image.GetLength(0), image.GetLength(1)]);
        var k = LibtorchTensor.From(Cells(kernel).Select(c => c.Value).ToArray(), [1, 1, kernel.GetLength(0), kernel.GetLength(1)]);
        var y = nn.functional.conv2d(x, k, strides: [stride, stride], padding: [padding, padding]);
        var values = y.data<double>().ToArray();
        var output = new double[y.size(2), y.size(3)];
        for (var i = 0; i < values.Length; i++)
        {
            output[i / output.GetLength(1), i % output.GetLength(1)] = values[i];
        }

        return output;
    }

    private static IEnumerable<(int Row, int Col, double Value)> Cells(double[,] m) =>
        from i in Enumerable.Range(0, m.GetLength(0)) from j in Enumerable.Range(0, m.GetLength(1)) select (i, j, m[i, j]);

    private static double[][] Rows(double[,] m) => [.. Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray())];

    private static string Format(double[,] m) => "[" + string.Join("; ", Rows(m).Select(r => string.Join(", ", r.Select(v => v.ToString(CultureInfo.InvariantCulture))))) + "]";

    /// <summary>One heat map per panel, each with its own rows and columns (the matrices differ in size).</summary>
    private static System.Text.Json.Nodes.JsonObject Heatmaps<T>(string title, IEnumerable<T> rows, IReadOnlyList<string> order) =>
        VegaLite.Faceted(VegaLite.Chart(title, "rect", rows, new("column", "column", "ordinal"), new("row", "row", "ordinal"), new("value", "value"), width: 150, height: 90),
            new("panel", "case", "nominal") { Sort = order }, columns: 4, independentX: true);
}
