using System.Diagnostics;

namespace PsTraining.Benchmarks;

/// <summary>Runs a python3-torch reference script copied next to the benchmark, with the glibc malloc settings of our native shim, and returns its stdout.</summary>
internal static class PyTorchProcess
{
    public static string Run(string script, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        // The same glibc malloc settings as PsTraining.Models applies to itself (GlibcHeap), so that both sides reuse freed pages alike.
        info.Environment["MALLOC_MMAP_THRESHOLD_"] = $"{32 * 1024 * 1024}";
        info.Environment["MALLOC_TRIM_THRESHOLD_"] = $"{int.MaxValue}";
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, script));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start /usr/bin/python3 (apt-get install python3-torch)");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"the PyTorch reference {script} failed with exit code {process.ExitCode}");
    }
}
