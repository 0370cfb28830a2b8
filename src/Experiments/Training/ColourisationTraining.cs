using PsTraining.Models.Data;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>The colourisation networks' epoch, evaluation and prediction: a class per pixel, cross-entropy over the class dimension.</summary>
internal static class ColourisationTraining
{
    /// <summary>One pass over <paramref name="train"/> in the seeded order of <paramref name="epoch"/>, one dispose scope per step.</summary>
    public static void TrainEpoch(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, ColourisationSet train, int batchSize, long seed, int epoch, Device device)
    {
        model.train();
        var order = DeterministicShuffle.Permutation(train.Count, seed, epoch);
        for (var start = 0; start < order.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var (gray, classes) = train.Batch(order.AsSpan(start, Math.Min(batchSize, order.Length - start)));
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(gray.to(device)), classes.to(device));
            loss.backward();
            optimizer.step();
        }
    }

    /// <summary>Mean per-pixel cross-entropy and the share of pixels whose colour class is right, in evaluation mode.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, ColourisationSet data, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0, correct = 0;
        for (var start = 0; start < data.Count; start += 100)
        {
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(100, data.Count - start)).ToArray();
            var (gray, classes) = data.Batch(indices);
            var target = classes.to(device);
            var logits = model.call(gray.to(device));
            lossSum += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(target).sum().item<long>();
        }

        var pixels = (double)data.Count * ColourisationSet.Size * ColourisationSet.Size;
        return (lossSum / pixels, correct / pixels);
    }

    /// <summary>The predicted colour classes of the samples <paramref name="indices"/>, one image after another.</summary>
    public static long[] Predict(nn.Module<Tensor, Tensor> model, ColourisationSet data, int[] indices, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.call(data.Batch(indices).Gray.to(device)).argmax(1).cpu().data<long>().ToArray();
    }
}
