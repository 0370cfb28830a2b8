using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>cnn-sizing against the exercises' numbers, closed forms written out here, and libtorch's conv2d.</summary>
public sealed class CnnSizingTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-cnn-sizing-").FullName;

    [Fact]
    public void Output_size_formula_agrees_with_libtorch_conv2d()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var n in new long[] { 5, 9, 10, 17, 32, 36 })
        {
            foreach (var (k, p, s) in from k in new long[] { 1, 2, 3, 5 } from p in new long[] { 0, 1, 3 } from s in new long[] { 1, 2, 3 } select (k, p, s))
            {
                var output = nn.functional.conv2d(zeros([1, 1, n, n]), zeros([1, 1, k, k]), strides: [s, s], padding: [p, p]);
                Assert.Equal(output.size(2), ConvArithmetic.OutputSize(n, k, p, s));
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ConvArithmetic.OutputSize(2, 5));
    }

    [Fact]
    public void Tables_match_the_exercises_and_the_closed_forms_and_the_figures_show_them()
    {
        var dir = ExperimentRunner.Run(new CnnSizing(), _out, seed: 1);

        // The cases: 34×34; 20×20×2; 62×62 with 64 filters; 32×32 with padding 1 and stride 2.
        var sizes = ReadCsv(dir, "output-sizes");
        Assert.Equal([34L, 20, 62, 32, 3, 3], sizes.Select(r => r.Long("n_out")));
        Assert.Equal(sizes.Select(r => r["n_out"]), sizes.Select(r => r["model_n_out"]));
        Assert.Equal([1L, 2, 64, 64, 1, 1], sizes.Select(r => r.Long("model_channels")));

        // LeNet-5 on 3×32×32: conv1 6@5×5×3 over 28×28, conv2 16@5×5×6 over 10×10, then 400→120→84→10.
        var lenet = ReadCsv(dir, "lenet5").Where(r => r["in_channels"] == "3" && r.Long("weights") > 0).ToList();
        Assert.Equal([6 * 75L, 16 * 150, 400 * 120, 120 * 84, 84 * 10], lenet.Select(r => r.Long("model_weights")));
        Assert.Equal([28 * 28 * 6 * 75L, 10 * 10 * 16 * 150, 400 * 120, 120 * 84, 84 * 10], lenet.Select(r => r.Long("model_multiplies")));

        // VGG-19: activations with the input and weights without biases, summed here from the configuration.
        var vgg = ReadCsv(dir, "vgg19");
        Assert.Equal(16_542_184, vgg.Sum(r => r.Long("activations")));
        Assert.Equal(ExpectedVggWeights(), vgg.Sum(r => r.Long("model_weights")));
        Assert.Equal(143_652_544, vgg.Sum(r => r.Long("weights")));
        Assert.Equal(vgg.Select(r => r["output_shape"]), vgg.Select(r => r["model_output_shape"]));

        // Inception on 32×32×256: every output unit of a k×k conv costs k²·C_in multiplies.
        var inception = ReadCsv(dir, "inception");
        long Multiplies(string variant, string column) => inception.Where(r => r["variant"] == variant).Sum(r => r.Long(column));
        const long Pixels = 32 * 32;
        Assert.Equal(Pixels * ((256 * 128) + (9 * 256 * 192) + (25 * 256 * 96)), Multiplies("naive", "model_multiplies"));
        Assert.Equal(Pixels * ((256 * 128) + (256 * 128) + (9 * 128 * 192) + (256 * 32) + (25 * 32 * 96) + (256 * 64)), Multiplies("dimension-reduced", "model_multiplies"));
        Assert.Equal(1_115_684_864, Multiplies("naive", "multiplies"));
        Assert.Equal(397_410_304, Multiplies("dimension-reduced", "multiplies"));

        // A CNN against a fully connected network with the same pooling.
        var networks = ReadCsv(dir, "cnn-vs-fc");
        long Total(string network, string column) => networks.Where(r => r["network"] == network).Sum(r => r.Long(column));
        Assert.Equal((32 * 32 * 32) + (16 * 16 * 32) + (16 * 16 * 64) + (8 * 8 * 64) + (8 * 8 * 3), Total("CNN", "neurons"));
        Assert.Equal((27 * 32) + (9 * 32 * 64) + (9 * 64 * 3), Total("CNN", "model_weights"));
        Assert.Equal(3072 + 768 + 768 + 192 + 192, Total("fully connected", "neurons"));
        Assert.Equal((3072L * 3072) + (768 * 768) + (192 * 192), Total("fully connected", "model_weights"));

        // Receptive fields: the gradient probe agrees with the closed form everywhere; LeNet-5 ends at 16, VGG-19's pool5 at 268.
        var fields = ReadCsv(dir, "receptive-fields");
        Assert.All(fields, r => Assert.Equal(r["receptive_field"], r["measured_receptive_field"]));
        Assert.Equal(16, fields.Last(r => r["model"] == "LeNet-5").Long("measured_receptive_field"));
        Assert.Equal(ExpectedVggReceptiveField(), fields.Last(r => r["model"] == "VGG-19").Long("measured_receptive_field"));

        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        foreach (var text in new[] { "16,542,184", "143,652,544", "1,115,684,864", "397,410,304", "32×32×672", "32×32×480", "61,706 parameters" })
        {
            Assert.Contains(text, summary);
        }

        AssertFigure(dir, "vgg19-layers", "values per image (log)", "layer", "activations", "weights", "conv5_4", "fc8");
        AssertFigure(dir, "inception-multiplies", "inception variant", "multiplies", "naive", "dimension-reduced", "5x5", "pool");
        AssertFigure(dir, "cnn-vs-fc", "count (log)", "CNN", "fully connected", "neurons", "weights");
        AssertFigure(dir, "receptive-fields", "receptive field (input pixels)", "spatial layer (forward order)", "LeNet-5", "VGG-19", "small CNN");
        AssertFigure(dir, "lenet5-macs", "multiply–accumulates", "conv1", "fc3");
    }

    /// <summary>VGG-19 (configuration E): 3×3 convolutions 3→64→64→128→128→256×4→512×8, then 25088→4096→4096→1000.</summary>
    private static long ExpectedVggWeights()
    {
        long[] channels = [3, 64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512];
        var conv = channels.Zip(channels.Skip(1)).Sum(c => 9 * c.First * c.Second);
        return conv + (7 * 7 * 512 * 4096) + (4096 * 4096) + (4096 * 1000);
    }

    /// <summary>Five blocks of 2, 2, 4, 4, 4 3×3 convolutions, each followed by a 2×2 pool of stride 2.</summary>
    private static long ExpectedVggReceptiveField()
    {
        long field = 1, jump = 1;
        foreach (var convs in new[] { 2, 2, 4, 4, 4 })
        {
            field += convs * 2 * jump;
            field += jump;
            jump *= 2;
        }

        return field;
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
