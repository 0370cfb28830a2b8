using System.Globalization;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>
/// logic-units: the weights it reports, re-evaluated here on every input, must compute the truth tables of AND, NOR,
/// majority and XOR written out in this test; a single perceptron must fail on XOR, which no line separates.
/// </summary>
public sealed class LogicUnitsTests : IDisposable
{
    private static readonly Dictionary<string, (int Arity, Func<int[], bool> Value)> Truth = new()
    {
        ["AND"] = (2, x => x[0] == 1 && x[1] == 1),
        ["NOR"] = (2, x => !(x[0] == 1 || x[1] == 1)),
        ["3-input majority"] = (3, x => x.Count(v => v == 1) >= 2),
        ["XOR"] = (2, x => (x[0] == 1) ^ (x[1] == 1)),
    };

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-logic-units-").FullName;

    [Fact]
    public void Trained_weights_compute_every_truth_table_and_the_perceptron_fails_only_on_xor()
    {
        var dir = ExperimentRunner.Run(new LogicUnits(), _out, seed: 2);
        var weights = ResultFiles.ReadCsv(Path.Combine(dir, "weights.csv"));
        var tables = ResultFiles.ReadCsv(Path.Combine(dir, "truth-tables.csv"));
        foreach (var (function, (arity, value)) in Truth)
        {
            foreach (var model in new[] { LogicUnits.PerceptronModel, LogicUnits.MadalineModel })
            {
                var units = weights.Where(w => w["model"] == model && w["function"] == function).ToList();
                var rows = tables.Where(t => t["model"] == model && t["function"] == function).ToList();
                Assert.Equal(1 << arity, rows.Count);
                var wrong = 0;
                foreach (var x in AllInputs(arity))
                {
                    var output = Evaluate(units, x);
                    var row = rows.Single(r => Enumerable.Range(0, arity).All(i => r[$"x{i + 1}"] == x[i].ToString(CultureInfo.InvariantCulture)));
                    Assert.Equal(output.ToString(CultureInfo.InvariantCulture), row["output"]);
                    Assert.Equal(value(x) ? "1" : "-1", row["target"]);
                    wrong += output == (value(x) ? 1 : -1) ? 0 : 1;
                }

                if (model == LogicUnits.PerceptronModel && function == "XOR")
                {
                    Assert.True(wrong > 0, "a single threshold unit cannot compute XOR");
                }
                else
                {
                    Assert.True(wrong == 0, $"{model} {function}: {wrong} inputs wrong");
                }
            }
        }

        // The Madaline's top unit is the fixed OR of its two Adalines: bias 1.5, weights 1.
        Assert.All(weights.Where(w => w["unit"] == "output (fixed OR)"), w => Assert.Equal(("1.5", "1", "1"), (w["bias"], w["w1"], w["w2"])));
        var summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("**madaline, XOR**: learnt", summary);
        Assert.Contains("**perceptron, XOR**: not learnt", summary);
        ResultFiles.AssertFigure(dir, "training", "epoch", "misclassified inputs", "perceptron: XOR", "madaline: XOR", "madaline: 3-input majority");
    }

    [Fact]
    public void The_madaline_learns_xor_from_every_seed()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_out, $"seed-{seed}")).FullName;
            new LogicUnits().Run(new ExperimentContext(dir, seed, ExperimentScale.Default, ExperimentContext.DefaultThreads, TextWriter.Null));
            var xor = ResultFiles.ReadCsv(Path.Combine(dir, "truth-tables.csv")).Where(r => r["model"] == LogicUnits.MadalineModel && r["function"] == "XOR");
            Assert.All(xor, r => Assert.Equal("True", r["correct"]));
        }
    }

    [Fact]
    public void Rejects_an_unstable_lms_rate()
    {
        var error = Assert.Throws<ArgumentException>(() => new LogicUnits(LogicUnits.Settings.Default with { MadalineAlpha = 2.5 })
            .Run(new ExperimentContext(_out, 1, ExperimentScale.Default, ExperimentContext.DefaultThreads, TextWriter.Null)));
        Assert.Contains("Madaline α in (0, 2)", error.Message);
    }

    /// <summary>Every bipolar input of the given arity.</summary>
    private static IEnumerable<int[]> AllInputs(int arity) =>
        Enumerable.Range(0, 1 << arity).Select(k => Enumerable.Range(0, arity).Select(i => ((k >> i) & 1) == 1 ? 1 : -1).ToArray());

    /// <summary>The network from its weight rows: one unit, or hidden units feeding the output unit; a unit fires when its net is positive.</summary>
    private static int Evaluate(List<Dictionary<string, string>> units, int[] x)
    {
        int Fire(Dictionary<string, string> unit, int[] inputs) =>
            unit.Number("bias") + inputs.Select((v, i) => v * unit.Number($"w{i + 1}")).Sum() > 0 ? 1 : -1;
        var hidden = units.Where(u => u["unit"].StartsWith("hidden", StringComparison.Ordinal)).ToList();
        var output = units.Single(u => u["unit"].StartsWith("output", StringComparison.Ordinal));
        return Fire(output, hidden.Count == 0 ? x : [.. hidden.Select(h => Fire(h, x))]);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
