using System.Diagnostics;
using PsTraining.Hosting;

namespace PsTraining.TestSupport;

/// <summary>Runs the real PsTraining.Sim program (or any other program) as a child process and captures what it prints.</summary>
public static class SimProcess
{
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] args) =>
        RunProgram("dotnet", [Path.Combine(AppContext.BaseDirectory, "PsTraining.Sim.dll"), .. args], timeout);

    /// <summary>Runs <paramref name="program"/> to its end, with <paramref name="environment"/> added to this process's variables.</summary>
    public static (int ExitCode, string Output, string Error) RunProgram(string program, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = ChildProcess.StartInfo(program, args, environment);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', info.ArgumentList)} ran longer than {timeout}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
