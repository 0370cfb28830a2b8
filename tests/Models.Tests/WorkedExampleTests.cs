using PsTraining.Models.Zoo;
using PsTraining.Torch;

namespace PsTraining.Models.Tests;

/// <summary>The backprop worked example: autograd must reproduce the hand-derived gradients exactly.</summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public void Autograd_reproduces_the_hand_computed_gradients()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new WorkedExampleMlp();
        model.fc1.weight.copy_from<float>([1, 0, 3, 4, 1, 2]);
        model.fc1.bias!.copy_from<float>([0, -2, 5]);
        model.fc2.weight.copy_from<float>([2, 6, 1, 0, 3, 1]);
        model.fc2.bias!.copy_from<float>([-23, -11]);
        model.fc3.weight.copy_from<float>([-2, 3]);
        model.fc3.bias!.copy_from<float>([18]);

        var x = torch.tensor([2f, 1f], [1, 2]);
        var yHat = model.call(x);
        var loss = (10f - yHat).square().sum();
        loss.backward();

        Assert.Equal(8, yHat.item());
        Assert.Equal(4, loss.item());
        Assert.Equal([-152f, -88f], model.fc3.weight.grad!.data<float>());
        Assert.Equal([-4f], model.fc3.bias!.grad!.data<float>());
        Assert.Equal([16f, 64f, 72f, -24f, -96f, -108f], model.fc2.weight.grad!.data<float>());
        Assert.Equal([8f, -12f], model.fc2.bias!.grad!.data<float>());
        Assert.Equal([32f, 16f, 24f, 12f, -8f, -4f], model.fc1.weight.grad!.data<float>());
        Assert.Equal([16f, 12f, -4f], model.fc1.bias!.grad!.data<float>());
    }
}
