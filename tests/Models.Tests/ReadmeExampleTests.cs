using PsTraining.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PsTraining.Models.Tests;

/// <summary>The training loop shown in README.md runs as written and learns: the loss on a fixed batch falls.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void Readme_training_loop_reduces_the_loss_on_a_fixed_batch()
    {
        using var scope = NewDisposeScope();
        using var model = new LeNet5();
        using var opt = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        var x = randn([64, 1, 32, 32]);
        var y = randint(10, [64]);
        Assert.Equal(ScalarType.Int64, y.dtype);
        Assert.InRange(y.min().item<long>(), 0, 9);
        Assert.InRange(y.max().item<long>(), 0, 9);

        double first = 0, last = 0;
        for (var step = 0; step < 200; step++)
        {
            using var stepScope = NewDisposeScope();
            opt.zero_grad();
            var loss = functional.cross_entropy(model.call(x), y);
            loss.backward();
            opt.step();
            if (step == 0)
            {
                first = loss.ToDouble();
            }

            last = loss.ToDouble();
        }

        Assert.True(last < first * 0.8, $"loss went from {first} to {last}");
    }
}
