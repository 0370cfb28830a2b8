using PsTraining.Models.Zoo;
using PsTraining.Torch;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>One contiguous float32 buffer of all parameters or gradients, the form the parameter server exchanges.</summary>
public sealed class FlatBufferTests
{
    [Fact]
    public void Values_round_trip_exactly_through_one_buffer()
    {
        using var a = new LeNet5();
        using var b = new LeNet5();
        var pa = a.parameters();
        var buffer = new float[FlatBuffer.Count(pa)];
        Assert.Equal(61706, buffer.Length);

        FlatBuffer.GatherValues(pa, buffer);
        Assert.Equal(pa[0].data<float>(), buffer[..150]);
        Assert.Equal(pa[^1].data<float>(), buffer[^10..]);

        FlatBuffer.ScatterValues(b.parameters(), buffer);
        foreach (var ((_, x), (_, y)) in a.named_parameters().Zip(b.named_parameters()))
        {
            Assert.Equal(x.data<float>(), y.data<float>());
        }
    }

    [Fact]
    public void Gradients_gather_with_zeros_where_there_are_none_and_scatter_back()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new LeNet5();
        var p = model.parameters();
        var grads = new float[FlatBuffer.Count(p)];
        FlatBuffer.GatherGradients(p, grads);
        Assert.All(grads, g => Assert.Equal(0f, g));

        functional.cross_entropy(model.call(torch.randn([2, 1, 32, 32])), torch.tensor([1L, 2L])).backward();
        FlatBuffer.GatherGradients(p, grads);
        Assert.Contains(grads, g => g != 0);
        Assert.Equal(p[^1].grad!.data<float>(), grads[^10..]);

        model.zero_grad();
        FlatBuffer.ScatterGradients(p, grads);
        Assert.Equal(grads[^10..], p[^1].grad!.data<float>());
    }

    [Fact]
    public void A_buffer_of_the_wrong_length_is_refused()
    {
        using var model = new LeNet5();
        var e = Assert.Throws<TorchException>(() => FlatBuffer.GatherValues(model.parameters(), new float[100]));
        Assert.Contains("61706", e.Message);
        Assert.Throws<TorchException>(() => FlatBuffer.ScatterValues(model.parameters(), new float[61707]));
    }
}
