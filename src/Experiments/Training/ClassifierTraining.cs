using PsTraining.Models.Data;
using static TorchSharp.torch;

namespace PsTraining.Experiments.Training;

/// <summary>Minibatch training of a classifier with cross-entropy: one step, and one seeded, shuffled pass over a data set.</summary>
public static class ClassifierTraining
{
    /// <summary>The first GPU when there is one, else the CPU.</summary>
    public static Device DefaultDevice => cuda.is_available() ? CUDA : CPU;

    /// <summary>
    /// zero_grad, forward, backward, step; every tensor of the step (the batch included) is freed when it returns.
    /// <paramref name="sample"/> runs where the step holds the most memory: after the forward pass (every activation
    /// autograd saved is alive) and after the backward pass (every gradient is).
    /// </summary>
    public static StepResult Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor images, Tensor labels, Device device,
        Action? sample = null)
    {
        using var scope = NewDisposeScope();
        scope.Attach(images, labels);
        optimizer.zero_grad();
        var y = labels.to(device);
        var logits = model.call(images.to(device));
        var loss = nn.functional.cross_entropy(logits, y);
        sample?.Invoke();
        loss.backward();
        sample?.Invoke();
        optimizer.step();
        return new StepResult(loss.item<float>(), logits.argmax(1).eq(y).sum().item<long>(), (int)labels.shape[0]);
    }

    /// <summary>
    /// One pass over <paramref name="data"/> in the order of (<paramref name="seed"/>, <paramref name="epoch"/>), the last batch
    /// kept short; <paramref name="afterStep"/> sees each step's number (from 1) and result, e.g. to step a learning-rate schedule.
    /// </summary>
    public static PassResult Epoch(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, ImageDataset data, int batchSize, long seed, int epoch,
        Device device, Action<int, StepResult>? afterStep = null)
    {
        model.train();
        var steps = new List<StepResult>();
        foreach (var (images, labels) in data.Batches(batchSize, DeterministicShuffle.Permutation(data.Count, seed, epoch)))
        {
            var step = Step(model, optimizer, images, labels, device);
            steps.Add(step);
            afterStep?.Invoke(steps.Count, step);
        }

        return new PassResult(steps);
    }
}
