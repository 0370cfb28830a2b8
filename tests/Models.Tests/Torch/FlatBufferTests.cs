using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>One contiguous float32 buffer of all parameters or gradients, the form the parameter server exchanges.</summary>
public sealed class FlatBufferTests
{
    [Fact]
    public void Values_round_trip_exactly_through_one_buffer()
    {
        using var a = new LeNet5();
        using var b = new LeNet5();
        Parameter[] pa = [.. a.parameters()];
        var buffer = new float[FlatBuffer.Count(pa)];
        Assert.Equal(61706, buffer.Length);

        FlatBuffer.GatherValues(pa, buffer);
        Assert.Equal(Floats(pa[0]), buffer[..150]);
        Assert.Equal(Floats(pa[^1]), buffer[^10..]);

        FlatBuffer.ScatterValues([.. b.parameters()], buffer);
        foreach (var ((_, x), (_, y)) in a.named_parameters().Zip(b.named_parameters()))
        {
            Assert.Equal(Floats(x), Floats(y));
        }
    }

    [Fact]
    public void Gradients_gather_with_zeros_where_there_are_none_and_scatter_back()
    {
        using var scope = NewDisposeScope();
        using var model = new LeNet5();
        Parameter[] p = [.. model.parameters()];
        var grads = new float[FlatBuffer.Count(p)];
        FlatBuffer.GatherGradients(p, grads);
        Assert.All(grads, g => Assert.Equal(0f, g));

        functional.cross_entropy(model.call(randn([2, 1, 32, 32])), tensor(new[] { 1L, 2L })).backward();
        FlatBuffer.GatherGradients(p, grads);
        Assert.Contains(grads, g => g != 0);
        Assert.Equal(Floats(p[^1].grad!), grads[^10..]);

        // Gradients set to none (TorchSharp's zero_grad default) are created from the buffer; existing ones are overwritten.
        model.zero_grad();
        FlatBuffer.ScatterGradients(p, grads);
        Assert.Equal(grads[^10..], Floats(p[^1].grad!));
        var doubled = grads.Select(g => g * 2).ToArray();
        FlatBuffer.ScatterGradients(p, doubled);
        Assert.Equal(doubled[..150], Floats(p[0].grad!));
    }

    [Fact]
    public void A_buffer_of_the_wrong_length_is_refused()
    {
        using var model = new LeNet5();
        Parameter[] p = [.. model.parameters()];
        var e = Assert.Throws<ArgumentException>(() => FlatBuffer.GatherValues(p, new float[100]));
        Assert.Contains("61706", e.Message);
        Assert.Throws<ArgumentException>(() => FlatBuffer.ScatterValues(p, new float[61707]));
    }

    [Fact]
    public void Tensors_that_are_not_float32_are_refused()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => FlatBuffer.GatherValues([ones([2], ScalarType.Float64)], new float[2]));
        Assert.Contains("float32", e.Message);
    }

    private static float[] Floats(Tensor t) => t.data<float>().ToArray();
}
