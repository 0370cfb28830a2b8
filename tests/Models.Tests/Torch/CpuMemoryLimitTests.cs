using PsTraining.Models.Zoo;
using PsTraining.Torch;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>A CPU memory limit makes libtorch's own allocation fail, reported as out of memory, on the limited thread only.</summary>
public sealed class CpuMemoryLimitTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void An_allocation_past_the_limit_fails_as_out_of_memory_and_frees_count_back()
    {
        using var limit = torch.LimitCpuMemory(4 * MiB);
        using (var small = torch.zeros([256 * 1024]))
        {
            Assert.Equal(1 * MiB, CpuMemoryLimit.InUse);
            // 1 MiB in use + 4 MiB asked > 4 MiB: libtorch's allocator throws from inside at::zeros.
            var e = Assert.Throws<TorchOutOfMemoryException>(() => torch.zeros([1024 * 1024]));
            Assert.Contains("CPU memory limit reached: tried to allocate 4194304 bytes with 1048576 bytes in use under a limit of 4194304 bytes", e.Message);
        }

        Assert.Equal(0, CpuMemoryLimit.InUse);
        using var fits = torch.zeros([1024 * 1024]); // exactly the limit
        Assert.Equal(4 * MiB, CpuMemoryLimit.InUse);
    }

    [Fact]
    public void The_limit_holds_on_its_own_thread_until_disposed()
    {
        using (torch.LimitCpuMemory(1 * MiB))
        {
            Assert.Throws<TorchOutOfMemoryException>(() => torch.ones([1024 * 1024]));
            // Another thread allocates as before.
            double sum = 0;
            var elsewhere = new Thread(() =>
            {
                using var t = torch.ones([1024 * 1024]);
                sum = t.sum().item();
            });
            elsewhere.Start();
            elsewhere.Join();
            Assert.Equal(1024 * 1024, sum);
        }

        using var after = torch.ones([1024 * 1024]);
        Assert.Equal(1024 * 1024, after.sum().item());
        Assert.Equal(0, CpuMemoryLimit.InUse); // no limit open: nothing counted
    }

    [Fact]
    public void A_training_step_that_runs_out_leaves_the_model_usable_and_other_errors_stay_plain()
    {
        using var seeded = Reproducible.Enter(1);
        using var model = new LeNet5();
        using var x = torch.randn([256, 1, 32, 32]);
        using var y = torch.randint(10, [256]);
        using (torch.LimitCpuMemory(2 * MiB))
        {
            using var scope = torch.NewDisposeScope();
            Assert.Throws<TorchOutOfMemoryException>(() => functional.cross_entropy(model.call(x), y).backward());
        }

        using (var scope = torch.NewDisposeScope())
        {
            functional.cross_entropy(model.call(x), y).backward();
            Assert.True(model.fc3.weight.grad!.abs().sum().item() > 0);
            var e = Assert.Throws<TorchException>(() => torch.ones([2, 3]).matmul(torch.ones([4, 5])));
            Assert.IsNotType<TorchOutOfMemoryException>(e);
        }
    }
}
