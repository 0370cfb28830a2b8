using PsTraining.Sim.Training;

namespace PsTraining.Sim.Tests.Training;

/// <summary>Configurations of the training experiments that run in seconds: LeNet-5 instead of SmallInception, a few hundred images.</summary>
internal static class Tiny
{
    public static readonly LrRangeTest.Settings RangeTest = new("lenet5", TrainSamples: 2048, Epochs: 1, BatchSize: 32, Rates: 10, LowestRate: 1e-9, HighestRate: 1e1, Momentum: 0.9);

    public static readonly CyclicLearningRate.Settings Cyclic = new(RangeTest, new FashionMnistSplit(2048, 256, 256), Epochs: 2, BatchSize: 32, HalfCycleEpochs: 1,
        FinalAmplitude: 0.1, Momentum: 0.9);

    public static readonly BatchGrowth.Settings Growth = new(Cyclic, FirstBatch: 16, LastBatch: 512, IterationsPerBatchSize: 2, Momentum: 0.9);
}
