using PsTraining.Models.Data;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Analysis;

/// <summary>
/// One trial of the hyperparameter search: a one-hidden-layer ReLU MLP (784 → hidden → 10) trained with minibatch SGD
/// (momentum 0.9) on a Fashion-MNIST subset, scored by its accuracy on a held-out validation subset.
/// </summary>
internal static class MlpTrial
{
    public const double Momentum = 0.9;

    public static double ValidationAccuracy(ImageDataset train, ImageDataset validation, double learningRate, int hiddenUnits, int epochs, int batchSize, long seed)
    {
        Reproducible.Reseed(seed);
        var inputs = train.Channels * train.Height * train.Width;
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(inputs, hiddenUnits), nn.ReLU(), nn.Linear(hiddenUnits, train.Classes.Count));
        using var optimizer = optim.SGD(model.parameters(), learningRate, Momentum);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var (images, labels) in train.Batches(batchSize, DeterministicShuffle.Permutation(train.Count, seed, epoch)))
            {
                using var scope = NewDisposeScope();
                scope.Attach(images, labels);
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(images), labels).backward();
                optimizer.step();
            }
        }

        // A rate that diverged leaves NaN weights: such a trial classifies nothing right rather than failing the search.
        return ClassifierEvaluation.Evaluate(model, validation).Accuracy;
    }
}
