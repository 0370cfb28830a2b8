using PsTraining.Models.Zoo;
using PsTraining.Torch;
using PsTraining.Torch.Modules;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>Bad input gets a clear exception that says what was wrong, and the process carries on working.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void Shape_mismatch_names_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([2, 3]).matmul(torch.ones([4, 5])));
        Assert.Contains("2x3", e.Message);
        Assert.Contains("4x5", e.Message);

        using var linear = new Linear(10, 2);
        Assert.Throws<TorchException>(() => linear.call(torch.ones([4, 7])));
        StillWorks();
    }

    [Fact]
    public void Wrong_dtype_is_reported()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn([4, 3]);
        var e = Assert.Throws<TorchException>(() => functional.cross_entropy(logits, torch.ones([4, 3], ScalarType.Int64)));
        Assert.NotEmpty(e.Message);

        using var conv = new Conv2d(1, 2, 3);
        var ints = torch.ones([1, 1, 5, 5], ScalarType.Int64);
        var e2 = Assert.Throws<TorchException>(() => conv.call(ints));
        Assert.Contains("Input type (long int)", e2.Message);
        StillWorks();
    }

    [Fact]
    public void Cuda_requested_without_cuda_says_so()
    {
        if (torch.cuda.is_available())
        {
            return; // on a GPU machine there is nothing to refuse
        }

        var e = Assert.Throws<TorchException>(() => torch.zeros([2], device: Device.Parse("cuda")));
        Assert.Contains("CUDA is not available", e.Message);
        using var model = new LeNet5();
        var e2 = Assert.Throws<TorchException>(() => model.to(Device.Parse("cuda:1")));
        Assert.Contains("cuda:1", e2.Message);
        StillWorks();
    }

    [Fact]
    public void Unknown_device_names_the_accepted_forms()
    {
        var e = Assert.Throws<ArgumentException>(() => Device.Parse("gpu"));
        Assert.Contains("cpu, cuda or cuda:N", e.Message);
        Assert.Equal(new Device(DeviceType.CUDA, 2), Device.Parse("cuda:2"));
        Assert.Equal("cuda:2", Device.Parse(" CUDA:2 ").ToString());
    }

    [Fact]
    public void Data_of_the_wrong_length_for_the_shape_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => torch.tensor(new float[5], [2, 3]));
        Assert.Contains("needs 6 elements", e.Message);
    }

    [Fact]
    public void A_disposed_tensor_cannot_be_used()
    {
        var t = torch.ones([3]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.sum());
        Assert.Equal("tensor(<disposed>)", t.ToString());
        StillWorks();
    }

    [Fact]
    public void Item_of_a_tensor_with_many_elements_is_refused()
    {
        using var t = torch.ones([3]);
        var e = Assert.Throws<TorchException>(() => t.item());
        Assert.Contains("one element", e.Message);
    }

    [Fact]
    public void Bad_layer_and_optimiser_options_name_the_option()
    {
        Assert.Equal("kernel_size", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2d(1, 2, 0)).ParamName);
        Assert.Contains("divisible by groups", Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2)).Message);
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5)).ParamName);
        using var model = new LeNet5();
        Assert.Equal("lr", Assert.Throws<ArgumentOutOfRangeException>(() => torch.optim.SGD(model.parameters(), lr: -1)).ParamName);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => torch.optim.SGD(model.parameters(), 0.1, nesterov: true)).Message);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => torch.optim.Adam(model.parameters(), beta2: 1)).ParamName);
        Assert.Contains("1 or 3", Assert.Throws<ArgumentOutOfRangeException>(() => new LeNet5(2)).Message);
    }

    private static void StillWorks()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(6, torch.ones([2, 3]).sum().item());
    }
}
