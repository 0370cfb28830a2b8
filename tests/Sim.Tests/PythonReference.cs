using System.Diagnostics;

namespace PsTraining.Sim.Tests;

/// <summary>
/// Runs an independent reference script of tests/reference with Debian's /usr/bin/python3 (the interpreter that has
/// numpy, scikit-learn and torch) and returns what it printed, typically one JSON object.
/// </summary>
internal static class PythonReference
{
    public static string Script(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PsTraining.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root"), "tests", "reference", name);
    }

    /// <summary>Runs tests/reference/<paramref name="script"/>; a non-zero exit throws with what the script wrote to stderr.</summary>
    public static string Run(string script, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script(script));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start /usr/bin/python3: run ./scripts/setup.sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} ran longer than 5 minutes");
        }

        return process.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"{script} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
    }
}
