using PsTraining.Models.Data;
using PsTraining.Models.Zoo;

namespace PsTraining.Experiments.Training;

/// <summary>
/// The Fashion-MNIST images of a training experiment: the first <see cref="Train"/> images of the training file, the last
/// <see cref="Validation"/> of it (held out, never trained on), and the first <see cref="Test"/> of the test file.
/// </summary>
public sealed record FashionMnistSplit(int Train, int Validation, int Test)
{
    /// <summary>The three sets, padded to the input size of <paramref name="model"/> (LeNet-5 takes 32×32, Fashion-MNIST is 28×28).</summary>
    public (ImageDataset Train, ImageDataset Validation, ImageDataset Test) Load(string model)
    {
        var all = FashionMnist.Load("train");
        if (Train < 1 || Validation < 0 || Test < 0 || Train + Validation > all.Count)
        {
            throw new ArgumentException($"a split needs 1 <= train and train + validation <= {all.Count} training images and test >= 0, not {Train} + {Validation} and {Test}");
        }

        var pad = (int)(ModelRegistry.Get(model).SampleShape(new ModelOptions())[^1] - all.Width) / 2;
        var validation = Validation > 0 ? all.Skip(all.Count - Validation) : all.Take(0);
        return (all.Take(Train).Padded(pad), validation.Padded(pad), FashionMnist.Load("test").Take(Test).Padded(pad));
    }
}
