using System.Runtime.InteropServices;
using PsTraining.Models.Torch;
using PsTraining.Models.Zoo;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>Bad input gets a clear exception that says what was wrong, and the process carries on working.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void Shape_mismatch_names_both_shapes()
    {
        using var scope = NewDisposeScope();
        // mm, not matmul: TorchSharp 0.107's native THSTensor_matmul lacks the try/catch that its other entry points have,
        // so libtorch's error escapes as an uncaught C++ exception and aborts the process (std::terminate).
        var e = Assert.Throws<ExternalException>(() => ones([2, 3]).mm(ones([4, 5])));
        Assert.Contains("2x3", e.Message);
        Assert.Contains("4x5", e.Message);

        using var linear = Linear(10, 2);
        Assert.Throws<ExternalException>(() => linear.call(ones([4, 7])));
        using var model = new LeNet5();
        Assert.Throws<ExternalException>(() => model.call(ones([1, 1, 28, 28])));
        StillWorks();
    }

    [Fact]
    public void Wrong_dtype_is_reported()
    {
        using var scope = NewDisposeScope();
        var logits = randn([4, 3]);
        var e = Assert.Throws<ExternalException>(() => functional.cross_entropy(logits, ones([4, 3], ScalarType.Int64)));
        Assert.NotEmpty(e.Message);

        using var conv = Conv2d(1, 2, 3);
        var e2 = Assert.Throws<ExternalException>(() => conv.call(ones([1, 1, 5, 5], ScalarType.Int64)));
        Assert.Contains("Input type (long int)", e2.Message);
        StillWorks();
    }

    [Fact]
    public void Cuda_requested_without_cuda_says_so()
    {
        if (cuda.is_available())
        {
            return; // on a GPU machine there is nothing to refuse
        }

        var e = Assert.Throws<InvalidOperationException>(() => Devices.EnsureAvailable(Devices.Parse("cuda:1")));
        Assert.Contains("cuda:1", e.Message);
        Assert.Contains("CUDA is not available", e.Message);
        // Both ways to a CUDA libtorch: TorchSharp's CUDA package, or a PyTorch 2.10 install's libtorch.
        Assert.Contains("PsTrainingTorchRuntime=cuda", e.Message);
        Assert.Contains("LD_LIBRARY_PATH", e.Message);
        Devices.EnsureAvailable(Devices.Parse("cpu"));
        StillWorks();
    }

    [Fact]
    public void Unknown_device_names_the_accepted_forms()
    {
        var e = Assert.Throws<ArgumentException>(() => Devices.Parse("gpu"));
        Assert.Contains("cpu, cuda or cuda:N", e.Message);
        Assert.Throws<ArgumentException>(() => Devices.Parse("cuda:x"));
        var device = Devices.Parse(" CUDA:2 ");
        Assert.Equal(DeviceType.CUDA, device.type);
        Assert.Equal(2, device.index);
        Assert.Equal("cuda:2", device.ToString());
        Assert.Equal(DeviceType.CPU, Devices.Parse("cpu").type);
    }

    [Fact]
    public void Item_of_a_tensor_with_many_elements_is_refused()
    {
        using var t = ones([3]);
        Assert.Throws<ArgumentException>(() => t.item<float>());
    }

    [Fact]
    public void A_disposed_tensor_cannot_be_used()
    {
        var t = ones([3]);
        t.Dispose();
        Assert.True(t.IsInvalid);
        Assert.Throws<InvalidOperationException>(() => t.sum());
        StillWorks();
    }

    [Fact]
    public void Bad_model_options_name_the_option()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LeNet5(2));
        Assert.Equal("inChannels", e.ParamName);
        Assert.Contains("1 or 3", e.Message);
        Assert.Contains("known models", Assert.Throws<ArgumentException>(() => ModelRegistry.Create("resnet")).Message);
    }

    private static void StillWorks()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(6f, ones([2, 3]).sum().item<float>());
    }
}
