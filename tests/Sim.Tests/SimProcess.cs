using System.Diagnostics;

namespace PsTraining.Sim.Tests;

/// <summary>Runs the real PsTraining.Sim program as a child process and captures what it prints.</summary>
internal static class SimProcess
{
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PsTraining.Sim.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"PsTraining.Sim {string.Join(' ', args)} ran longer than {timeout}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
