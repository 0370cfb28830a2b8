using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>conv-filters: the direct convolution against libtorch's conv2d, and the exercises' printed results.</summary>
public sealed class ConvFiltersTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-conv-filters-").FullName;

    [Fact]
    public void Direct_convolution_agrees_with_libtorch_for_random_images_kernels_paddings_and_strides()
    {
        var random = new Random(7);
        using var scope = NewDisposeScope();
        for (var trial = 0; trial < 60; trial++)
        {
            int rows = random.Next(4, 10), cols = random.Next(4, 10), k = random.Next(1, 4), padding = random.Next(0, 3), stride = random.Next(1, 4);
            var image = Random(random, rows, cols);
            var kernel = Random(random, k, k + random.Next(0, 2));
            var direct = DirectConvolution.Apply(image, kernel, padding, stride);

            var x = tensor(Flat(image), [1, 1, rows, cols]);
            var w = tensor(Flat(kernel), [1, 1, kernel.GetLength(0), kernel.GetLength(1)]);
            var expected = nn.functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]);
            Assert.Equal([1L, 1, direct.GetLength(0), direct.GetLength(1)], expected.shape);
            Assert.Equal(expected.data<double>().ToArray(), Flat(direct), (a, b) => Math.Abs(a - b) < 1e-12);
        }
    }

    [Fact]
    public void Reproduces_the_exercises_results_and_libtorchs_in_every_cell()
    {
        var dir = ExperimentRunner.Run(new ConvFilters(), _out, seed: 1);
        var cells = ReadCsv(dir, "conv-filters");
        double[] Output(string label) => [.. cells.Where(r => r["case"] == label).Select(r => r.Number("direct"))];

        Assert.All(cells, r => Assert.Equal(r.Number("libtorch"), r.Number("direct")));
        // The 2×2 kernel on the 3×3 image.
        Assert.Equal([2.0, -1, -4, 4], Output("2x2 kernel on 3x3"));
        // The printed results of the source documents' 5×5 (sharpening) and 5×9 (edge-enhancing) exercises.
        Assert.Equal([0.0, 0, -1, -1, -1, -1, -2, 3, 2, 4, 4, 2, 1, 2, -2, -2, 3, 1, 3, -1, 0, -2, 4, -2, 0], Output("sharpen 5x5, P1"));
        double[] edgeRow = [-0.25, -0.5, 1.5, 1.25, 1, 1.25, 1.5, -0.5, -0.25];
        double[] tipRow = [0, 0, -0.25, -0.5, 1.75, -0.5, -0.25, 0, 0];
        Assert.Equal([.. tipRow, .. edgeRow, 1.75, 1.5, 1, 1, 1, 1, 1, 1.5, 1.75, .. edgeRow, .. tipRow], Output("edge-enhance 5x9, P1"));
        // Stride 2 with padding 1 keeps every other output of stride 1 (rows and columns 0, 2, 4).
        var full = Output("sharpen 5x5, P1");
        Assert.Equal([.. from i in new[] { 0, 2, 4 } from j in new[] { 0, 2, 4 } select full[(i * 5) + j]], Output("sharpen 5x5, P1 S2"));
        // The edge kernel sums to zero: it answers 0 wherever a pixel and its four neighbours are equal (the cross's centre).
        Assert.Equal(0, Output("edge 5x9, P1")[(2 * 9) + 4]);

        Assert.True(File.Exists(Path.Combine(dir, "conv-filters.json")));
        AssertFigure(dir, "filter-outputs", "column", "row", "value", "2x2 kernel on 3x3", "edge-enhance 5x9, P1", "sharpen 5x5, P1 S2");
        AssertFigure(dir, "filter-inputs", "5x9 cross", "edge (Laplacian)", "sharpen");
        Assert.Contains("2×2 output [2, -1; -4, 4]", File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    private static double[,] Random(Random random, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                m[i, j] = random.Next(-9, 10) / 4.0;
            }
        }

        return m;
    }

    private static double[] Flat(double[,] m) => [.. m.Cast<double>()];

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
