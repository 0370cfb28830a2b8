using System.Diagnostics;

namespace PsTraining.Sim.Tests.Deploy;

/// <summary>
/// What a program itself says about its options: <c>--print-options</c> with a given command line and environment
/// prints every option, its environment variable and the value it resolved to.
/// </summary>
internal sealed record ProgramOptions(IReadOnlyDictionary<string, (string Variable, string Value)> Options)
{
    /// <summary>The programs of the container images, by the binary name their manifests run.</summary>
    public static string Assembly(string command) => Path.GetFileName(command) + ".dll";

    public static ProgramOptions Resolve(string assembly, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["exec", Path.Combine(AppContext.BaseDirectory, assembly), .. args, "--print-options"])
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{assembly} --print-options failed: {error.Result}");
        return new ProgramOptions(lines.Select(l => l.Split('\t')).ToDictionary(f => f[0], f => (f[1], f.Length > 2 ? f[2] : "")));
    }

    public string this[string option] => Options[option].Value;

    public bool Accepts(string option) => Options.ContainsKey(option) || option is "--config";

    public bool HasVariable(string variable) => Options.Values.Any(o => o.Variable == variable);
}
