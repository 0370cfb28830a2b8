using PsTraining.Models.Zoo;
using PsTraining.Experiments;
using PsTraining.Experiments.Training;
using static PsTraining.Experiments.Tests.Analysis.ResultFiles;

namespace PsTraining.Experiments.Tests.Training;

/// <summary>colourisation: a tiny run's files and accuracy against always guessing the commonest colour, and the size counts against closed forms.</summary>
public sealed class ColourisationTests : IDisposable
{
    private const long K = 3;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-colourisation-").FullName;

    [Fact]
    public void A_tiny_run_writes_its_files_and_every_network_beats_the_commonest_colour()
    {
        var settings = Colourisation.Settings.Tiny;
        var dir = ExperimentRunner.Run(new Colourisation(settings), _out, seed: 2);

        var chance = ColourisationSet.Generate(settings.TrainImages, settings.ValidationImages, 2).Validation.MajorityShare();
        var results = ReadCsv(dir, "results");
        Assert.Equal(Colourisation.Networks.Select(n => n.Name), results.Select(r => r["model"]));
        Assert.All(results, r => Assert.True(r.Number("validation_accuracy") > chance + 0.05, $"{r["model"]}: {r["validation_accuracy"]} against chance {chance}"));
        Assert.Equal(settings.Epochs * Colourisation.Networks.Count, ReadCsv(dir, "validation").Count);

        // The counts written are those of the real networks at 32×32 and 64×64.
        var options = new ColourisationOptions(K, settings.NumFilters, ColourisationSet.NumColours, 1);
        var counts = ReadCsv(dir, "counts");
        foreach (var (name, create) in Colourisation.Networks)
        {
            foreach (var side in Colourisation.Sides)
            {
                using var model = create(options);
                var expected = NetworkCounts.Of(model, [1, side, side]);
                var row = counts.Single(r => r["model"] == name && r.Long("input_side") == side);
                Assert.Equal(expected, new NetworkCounts(row.Long("neurons"), row.Long("weights"), row.Long("parameters"), row.Long("connections")));
            }
        }

        // Per layer: the rows add up to the totals, and every layer's neurons and connections grow 4× with the doubled side.
        var layers = ReadCsv(dir, "layer-counts");
        foreach (var row in counts)
        {
            var own = layers.Where(l => l["model"] == row["model"] && l["input_side"] == row["input_side"]).ToList();
            Assert.Equal(row.Long("neurons"), own.Sum(l => l.Long("neurons")));
            Assert.Equal(row.Long("weights"), own.Sum(l => l.Long("weights")));
            Assert.Equal(row.Long("connections"), own.Sum(l => l.Long("connections")));
        }

        foreach (var pair in layers.GroupBy(l => (l["model"], l["layer"])))
        {
            var (small, large) = (pair.Single(l => l.Long("input_side") == 32), pair.Single(l => l.Long("input_side") == 64));
            Assert.Equal(4 * small.Long("neurons"), large.Long("neurons"));
            Assert.Equal(4 * small.Long("connections"), large.Long("connections"));
            Assert.Equal(small.Long("weights"), large.Long("weights"));
        }

        AssertFigure(dir, "validation", "validation accuracy", "validation loss", "PoolUpsampleNet", "ConvTransposeNet", "UNet");
        AssertFigure(dir, "samples", "grayscale input", "target colours", "UNet", "sample 2");
        AssertFigure(dir, "counts", "neurons", "connections", "64×64");
        Assert.Contains("multiplies the neurons by 4", File.ReadAllText(Path.Combine(dir, "summary.md")));
    }

    [Theory]
    [InlineData(8, 27)]
    [InlineData(32, 24)]
    public void Counts_match_the_closed_forms_and_grow_4x_with_a_doubled_input_while_weights_stay(long nf, long nc)
    {
        var options = new ColourisationOptions(K, nf, nc, 1);
        foreach (var (name, create) in Colourisation.Networks)
        {
            using var model = create(options);
            var (small, large) = (NetworkCounts.Of(model, [1, 32, 32]), NetworkCounts.Of(model, [1, 64, 64]));
            Assert.Equal(ClosedForm(name, 32 * 32, nf, nc), small);
            Assert.Equal(ClosedForm(name, 64 * 64, nf, nc), large);

            // Every neuron and connection term is proportional to the input's area, so doubling the side multiplies them by 4.
            Assert.Equal(4 * small.Neurons, large.Neurons);
            Assert.Equal(4 * small.Connections, large.Connections);
            Assert.Equal(small.Weights, large.Weights);
            Assert.Equal(model.parameters().Sum(p => p.numel()), small.Parameters);
        }
    }

    /// <summary>
    /// The counts written out layer by layer for an input of area <paramref name="a"/> (one channel), with q = a/16 the area
    /// after two halvings: PoolUpsampleNet halves by pooling after its first two convolutions; the other two by stride 2.
    /// </summary>
    private static NetworkCounts ClosedForm(string name, long a, long nf, long nc)
    {
        var (h, q) = (a / 4, a / 16); // areas at 16×16 and 8×8 for a 32×32 input
        var k2 = K * K;
        var bias = nf + (2 * nf) + nf + nc + nc;
        var batchNorm = 2 * (nf + (2 * nf) + nf + nc);
        return name switch
        {
            "PoolUpsampleNet" => Counts(
                weights: k2 * ((1 * nf) + (nf * 2 * nf) + (2 * nf * nf) + (nf * nc) + (nc * nc)),
                // conv1, pool, BN | conv2, pool, BN | conv3, upsample, BN | conv4, upsample, BN | final conv
                neurons: (a * nf) + (h * nf) + (h * nf) + (h * 2 * nf) + (q * 2 * nf) + (q * 2 * nf) + (q * nf) + (h * nf) + (h * nf) + (h * nc) + (a * nc) + (a * nc) + (a * nc),
                connections: (a * nf * k2) + (a * nf) + (h * nf) + (h * 2 * nf * k2 * nf) + (h * 2 * nf) + (q * 2 * nf) + (q * nf * k2 * 2 * nf) + (h * nf) + (h * nf)
                             + (h * nc * k2 * nf) + (a * nc) + (a * nc) + (a * nc * k2 * nc)),
            // conv s2, BN | conv s2, BN | transposed conv (k² outputs per input and out channel), BN | transposed conv, BN | final conv
            "ConvTransposeNet" => Counts(
                weights: k2 * ((1 * nf) + (nf * 2 * nf) + (2 * nf * nf) + (nf * nc) + (nc * nc)),
                neurons: (h * nf) + (h * nf) + (q * 2 * nf) + (q * 2 * nf) + (h * nf) + (h * nf) + (a * nc) + (a * nc) + (a * nc),
                connections: (h * nf * k2) + (h * nf) + (q * 2 * nf * k2 * nf) + (q * 2 * nf) + (q * 2 * nf * k2 * nf) + (h * nf) + (h * nf * k2 * nc) + (a * nc)
                             + (a * nc * k2 * nc)),
            // as ConvTransposeNet, but the second transposed conv reads [NF + NF] channels and the final conv [NC + 1]
            "UNet" => Counts(
                weights: k2 * ((1 * nf) + (nf * 2 * nf) + (2 * nf * nf) + (2 * nf * nc) + ((nc + 1) * nc)),
                neurons: (h * nf) + (h * nf) + (q * 2 * nf) + (q * 2 * nf) + (h * nf) + (h * nf) + (a * nc) + (a * nc) + (a * nc),
                connections: (h * nf * k2) + (h * nf) + (q * 2 * nf * k2 * nf) + (q * 2 * nf) + (q * 2 * nf * k2 * nf) + (h * nf) + (h * 2 * nf * k2 * nc) + (a * nc)
                             + (a * nc * k2 * (nc + 1))),
            _ => throw new ArgumentException(name),
        };

        NetworkCounts Counts(long weights, long neurons, long connections) => new(neurons, weights, weights + bias + batchNorm, connections);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
