using System.Globalization;
using PsTraining.Models.Zoo;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>A long training loop inside per-step dispose scopes keeps the process's resident memory flat.</summary>
public sealed class NativeMemoryTests
{
    [Fact]
    public void Thousands_of_training_steps_do_not_grow_native_memory()
    {
        using var model = new LeNet5();
        using var opt = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        void Steps(int n)
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                // 16 × 1 × 32 × 32 floats in and every activation and gradient of LeNet-5: well over 150 KB of tensors per step,
                // so leaking them would add hundreds of megabytes over the measured steps.
                var x = randn([16, 1, 32, 32]);
                var y = randint(10, [16]);
                opt.zero_grad();
                functional.cross_entropy(model.call(x), y).backward();
                opt.step();
            }
        }

        Steps(300);
        var before = ResidentBytes();
        Steps(3000);
        var after = ResidentBytes();
        var growth = (after - before) / (1024.0 * 1024.0);
        Assert.True(growth < 30, $"resident memory grew by {growth:F1} MB over 3,000 steps");
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
