using PsTraining.Models.Zoo;
using static TorchSharp.torch;

namespace PsTraining.Models.Tests;

/// <summary>The backprop worked example: autograd must reproduce the hand-derived gradients exactly.</summary>
public sealed class WorkedExampleTests
{
    [Fact]
    public void Autograd_reproduces_the_hand_computed_gradients()
    {
        using var scope = NewDisposeScope();
        using var model = new WorkedExampleMlp();
        Set(model.fc1.weight, [1, 0, 3, 4, 1, 2]);
        Set(model.fc1.bias!, [0, -2, 5]);
        Set(model.fc2.weight, [2, 6, 1, 0, 3, 1]);
        Set(model.fc2.bias!, [-23, -11]);
        Set(model.fc3.weight, [-2, 3]);
        Set(model.fc3.bias!, [18]);

        var x = tensor(new[] { 2f, 1f }, [1, 2]);
        var yHat = model.call(x);
        var loss = (10f - yHat).square().sum();
        loss.backward();

        Assert.Equal(8f, yHat.item<float>());
        Assert.Equal(4f, loss.item<float>());
        Assert.Equal([-152f, -88f], Floats(model.fc3.weight.grad!));
        Assert.Equal([-4f], Floats(model.fc3.bias!.grad!));
        Assert.Equal([16f, 64f, 72f, -24f, -96f, -108f], Floats(model.fc2.weight.grad!));
        Assert.Equal([8f, -12f], Floats(model.fc2.bias!.grad!));
        Assert.Equal([32f, 16f, 24f, 12f, -8f, -4f], Floats(model.fc1.weight.grad!));
        Assert.Equal([16f, 12f, -4f], Floats(model.fc1.bias!.grad!));
    }

    private static void Set(Tensor parameter, float[] values)
    {
        using var noGrad = no_grad();
        parameter.copy_(tensor(values).reshape(parameter.shape));
    }

    private static float[] Floats(Tensor t) => t.data<float>().ToArray();
}
