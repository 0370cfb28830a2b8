using PsTraining.Models.Zoo;
using PsTraining.Torch;
using static PsTraining.Torch.torch.nn;

namespace PsTraining.Models.Tests.Torch;

/// <summary>A long training loop inside per-step dispose scopes keeps the process's resident memory flat.</summary>
[Collection(RunsAlone.Name)]
public sealed class NativeMemoryTests
{
    [Fact]
    public void Thousands_of_training_steps_do_not_grow_native_memory()
    {
        using var model = new LeNet5();
        using var opt = torch.optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        void Steps(int n)
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = torch.NewDisposeScope();
                // 16 × 1 × 32 × 32 floats in and every activation and gradient of LeNet-5: well over 150 KB of tensors per step,
                // so leaking them would add hundreds of megabytes over the measured steps.
                var x = torch.randn([16, 1, 32, 32]);
                var y = torch.randint(10, [16]);
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
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}

/// <summary>The malloc tuning the native shim applies when it loads, as the managed side reports it.</summary>
public sealed class MallocTuningTests
{
    [Fact]
    public void The_shim_reports_the_mmap_threshold_it_set_unless_the_environment_tunes_malloc_itself()
    {
        // The shim's rule (runtime.cpp): no tuning when PSTRAINING_MALLOC_TUNING=0 or malloc is tuned by the environment.
        var untouched = Environment.GetEnvironmentVariable("PSTRAINING_MALLOC_TUNING") == "0"
                        || new[] { "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" }
                            .Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));
        Assert.Equal(untouched ? 0 : 32 << 20, torch.TunedMmapThreshold);
    }
}
