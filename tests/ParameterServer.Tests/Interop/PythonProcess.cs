using PsTraining.TestSupport;
using System.Diagnostics;
using System.Text.Json;

namespace PsTraining.ParameterServer.Tests.Interop;

/// <summary>Runs the scripts of tests/interop with Debian's /usr/bin/python3 (the interpreter that has grpcio).</summary>
internal static class PythonProcess
{
    public static string Script(string name) => Repository.Path("tests", "interop", name);

    public static Process Start(string script, params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Script(script));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start /usr/bin/python3 (apt-get install python3-grpcio python3-grpc-tools)");
    }

    /// <summary>Runs <paramref name="script"/> to its end (a minute at most), requires exit 0, and parses the JSON it printed.</summary>
    public static async Task<JsonDocument> RunForJsonAsync(string script, params string[] args)
    {
        using var python = Start(script, args);
        var output = python.StandardOutput.ReadToEndAsync();
        var error = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(python.ExitCode == 0, $"{script} exited {python.ExitCode}\n{await output}\n{await error}");
        return JsonDocument.Parse(await output);
    }
}
