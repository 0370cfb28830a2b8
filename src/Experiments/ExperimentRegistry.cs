using PsTraining.Experiments.Analysis;
using PsTraining.Experiments.Training;

namespace PsTraining.Experiments;

/// <summary>Every experiment of the suite, by name.</summary>
public static class ExperimentRegistry
{
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new PolicyComparison(),
        new LinregMinNorm(), new Lms(), new OptimalLr(), new WeightDecay(),
        new BiasVariance(), new RocPrPrg(), new CnnSizing(), new ConvFilters(), new Backprop(), new InitGradients(),
        new HyperparameterSearch(), new LogicUnits(),
        new LrRangeTest(), new CyclicLearningRate(), new BatchGrowth(), new Classifier(), new Colourisation(),
    ];

    public static IExperiment Find(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown experiment '{name}': expected one of {string.Join(", ", All.Select(e => e.Name))}, or all");
}
