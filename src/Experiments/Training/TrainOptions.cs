using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PsTraining.Experiments.Training;

/// <summary>Options of single-node training (the <c>train</c> command's, each declared once by its property); a bad one names itself and its accepted range.</summary>
public sealed record TrainOptions
{
    [Description("lenet5 (32×32, padded) or small-inception (28×28): the Fashion-MNIST classifiers"), AllowedValues("lenet5", "small-inception")]
    public string Model { get; init; } = "lenet5";

    [Description("passes over the training set"), Range(1, int.MaxValue)]
    public int Epochs { get; init; } = 2;

    [Description("samples per step"), Range(1, 65_536)]
    public int BatchSize { get; init; } = 64;

    [Description("SGD learning rate"), Range(0, double.MaxValue, MinimumIsExclusive = true), Display(Name = "lr")]
    public double LearningRate { get; init; } = 0.01;

    [Description("SGD momentum"), Range(0, 1, MaximumIsExclusive = true)]
    public double Momentum { get; init; } = 0.9;

    /// <summary>Train on at most this many samples (0 = all), for quick runs.</summary>
    [Description("train on at most this many samples (0 = all 60,000)"), Range(0, int.MaxValue)]
    public int Limit { get; init; }

    [Description("seed of the initial weights and of the shuffling")]
    public long Seed { get; init; } = 1;

    /// <summary>libtorch intra-op threads; 0 = one per core.</summary>
    [Description("libtorch threads (0 = one per core)"), Range(0, 1024)]
    public int Threads { get; init; }

    /// <summary>cpu, cuda or cuda:N; null = CUDA when available, else CPU.</summary>
    [Description("cpu, cuda or cuda:N (default: cuda when available, else cpu)")]
    public string? Device { get; init; }
}
