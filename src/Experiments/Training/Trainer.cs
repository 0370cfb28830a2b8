using System.Diagnostics;
using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>
/// Single-node minibatch SGD of a Fashion-MNIST classifier: a seeded shuffle per epoch, one dispose
/// scope per step (native memory stays flat), and a full pass over the test set after each epoch.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainOptions _options;
    private readonly ImageDataset _train;
    private readonly ImageDataset _test;
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;

    public Trainer(TrainOptions options, ImageDataset train, ImageDataset test, Device device)
    {
        _options = options;
        _train = options.Limit > 0 ? train.Take(options.Limit) : train;
        _test = test;
        Device = device;
        Reproducible.Reseed(options.Seed);
        _model = ModelRegistry.Create(options.Model);
        _model.to(device);
        _optimizer = optim.SGD(_model.parameters(), options.LearningRate, options.Momentum);
    }

    public Device Device { get; }

    public int TrainSamples => _train.Count;

    public int StepsPerEpoch => (_train.Count + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>The model being trained (to save its initial weights, say).</summary>
    public nn.Module<Tensor, Tensor> Model => _model;

    /// <summary>Trains one epoch; <paramref name="onStep"/> gets (step, this step's loss, mean loss of the epoch so far) after every step.</summary>
    public EpochResult RunEpoch(int epoch, Action<int, double, double>? onStep = null)
    {
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        var pass = ClassifierTraining.Epoch(_model, _optimizer, _train, _options.BatchSize, _options.Seed, epoch, Device, (step, result) =>
        {
            lossSum += result.Loss;
            onStep?.Invoke(step, result.Loss, lossSum / step);
        });
        var (testLoss, accuracy) = Evaluate();
        return new EpochResult(epoch, pass.MeanLoss, testLoss, accuracy, clock.Elapsed, _train.Count);
    }

    /// <summary>Mean cross-entropy and accuracy over the whole test set, in evaluation mode.</summary>
    public (double Loss, double Accuracy) Evaluate() => ClassifierEvaluation.Evaluate(_model, _test, Device);

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
