using PsTraining.Models.Data;
using PsTraining.Torch;
using PsTraining.Torch.Modules;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Models.Zoo;

/// <summary>Mean cross-entropy and accuracy of a classifier over a data set, in evaluation mode and without autograd.</summary>
public static class ClassifierEvaluation
{
    public static (double Loss, double Accuracy) Evaluate(Module model, ImageDataset data, Device? device = null)
    {
        var target = device ?? Device.CPU;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            double lossSum = 0;
            long correct = 0;
            foreach (var (images, labels) in data.Batches(1000))
            {
                using var scope = torch.NewDisposeScope();
                scope.Include(images, labels);
                var y = labels.to(target);
                var logits = model.call(images.to(target));
                lossSum += functional.cross_entropy(logits, y, reduction: Reduction.Sum).item();
                correct += (long)logits.argmax(1).eq(y).sum().item();
            }

            return (lossSum / data.Count, (double)correct / data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
