using PsTraining.Models.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace PsTraining.Models.Zoo;

/// <summary>Mean cross-entropy and accuracy of a classifier over a data set, in evaluation mode and without autograd.</summary>
public static class ClassifierEvaluation
{
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, ImageDataset data, Device? device = null)
    {
        var target = device ?? CPU;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            double lossSum = 0;
            long correct = 0;
            foreach (var (images, labels) in data.Batches(1000))
            {
                using var scope = NewDisposeScope();
                scope.Attach(images, labels);
                var y = labels.to(target);
                var logits = model.call(images.to(target));
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }

            return (lossSum / data.Count, (double)correct / data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
