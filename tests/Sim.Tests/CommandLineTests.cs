using PsTraining.TestSupport;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PsTraining.Sim.Tests;

/// <summary>The command line end to end, as a separate process.</summary>
public sealed partial class CommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void Models_summary_prints_the_lenet5_macs_for_three_channels()
    {
        var (code, output, error) = SimProcess.Run(Timeout, "models", "summary", "lenet5", "--in-channels", "3");
        Assert.True(code == 0, error);
        foreach (var macs in new[] { "352800", "240000", "48000", "10080", "840" })
        {
            Assert.Contains($" {macs} ", output);
        }

        Assert.Contains("total parameters: 62006", output);
        Assert.DoesNotContain("\u001b[", output);
    }

    [Fact]
    public void Models_list_names_every_model()
    {
        var (code, output, _) = SimProcess.Run(Timeout, "models", "list");
        Assert.Equal(0, code);
        foreach (var name in PsTraining.Models.Zoo.ModelRegistry.Names)
        {
            Assert.Contains(name, output);
        }
    }

    /// <summary>
    /// The server's starting point, written by the command line and by a learner (a Kubernetes init container's way):
    /// the same bytes, the seeded model's parameters, and a clear error for an unknown model.
    /// </summary>
    [Fact]
    public void Models_init_and_a_learner_write_the_same_initial_weights_of_the_seeded_model()
    {
        var dir = Directory.CreateTempSubdirectory("pst-init").FullName;
        try
        {
            var (ours, theirs) = (Path.Combine(dir, "cli.safetensors"), Path.Combine(dir, "learner.safetensors"));
            var (code, output, error) = SimProcess.Run(Timeout, "models", "init", "--model", "lenet5", "--seed", "3", "--out", ours);
            Assert.True(code == 0, error);
            Assert.Contains("model lenet5, seed 3, 10 tensors, 61706 floats", output);
            (code, _, error) = SimProcess.RunProgram("dotnet", [Path.Combine(AppContext.BaseDirectory, "PsTraining.Learner.dll"), "--model", "lenet5", "--seed", "3",
                "--write-initial-weights", theirs], Timeout);
            Assert.True(code == 0, error);
            Assert.Equal(File.ReadAllBytes(ours), File.ReadAllBytes(theirs));

            var read = PsTraining.Protocol.WeightsFile.Read(ours);
            var seeded = PsTraining.Models.Zoo.InitialWeights.Of("lenet5", 3);
            Assert.Equal("lenet5", read.Model);
            Assert.Equal(seeded.Weights, read.Weights);
            Assert.NotEqual(seeded.Weights, PsTraining.Models.Zoo.InitialWeights.Of("lenet5", 4).Weights);

            (code, _, error) = SimProcess.Run(Timeout, "models", "init", "--model", "resnet", "--out", Path.Combine(dir, "x.safetensors"));
            Assert.Equal(2, code);
            Assert.Contains("unknown model 'resnet'", error);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Unknown_model_exits_2_and_lists_the_known_ones()
    {
        var (code, _, error) = SimProcess.Run(Timeout, "models", "summary", "resnet");
        Assert.Equal(2, code);
        Assert.Contains("unknown model 'resnet'", error);
        Assert.Contains("lenet5", error);
    }

    [Fact]
    public void Bad_training_options_are_named_with_their_range()
    {
        var (code, _, error) = SimProcess.Run(Timeout, "train", "--epochs", "0", "--lr", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--epochs must be an integer >= 1", error);
        Assert.Contains("--lr must be a finite number > 0", error);
    }

    /// <summary>The launcher refuses a policy before it starts anything, as the server and the simulators do.</summary>
    [Theory]
    [InlineData("cluster --policy ssp")]
    [InlineData("staleness --policy ssp --until 10")]
    public void A_bad_policy_is_named_with_what_it_accepts(string commandLine)
    {
        var (code, _, error) = SimProcess.Run(Timeout, commandLine.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains("--policy must be asp, ssp:S (S >= 0) or bsp, not 'ssp'", error);
    }

    [Fact]
    public void Train_learns_fashion_mnist_and_reports_per_epoch_accuracy()
    {
        var (code, output, error) = SimProcess.Run(Timeout, "train", "--epochs", "1", "--limit", "6000", "--lr", "0.05", "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains("step 94/94", output);
        var accuracy = double.Parse(AccuracyPattern().Match(output).Groups[1].Value, CultureInfo.InvariantCulture) / 100;
        // 6,000 samples, one epoch: a learning LeNet-5 is far above chance (0.1) on the full 10,000-image test set.
        Assert.True(accuracy > 0.5, $"test accuracy {accuracy}\n{output}");
    }

    [GeneratedRegex(@"test accuracy ([0-9.]+) %")]
    private static partial Regex AccuracyPattern();
}
