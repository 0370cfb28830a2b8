using PsTraining.TestSupport;
namespace PsTraining.Deploy.Tests;

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
        var (code, output, error) = SimProcess.RunProgram("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, assembly), .. args, "--print-options"],
            TimeSpan.FromMinutes(1), environment);
        Assert.True(code == 0, $"{assembly} --print-options failed: {error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new ProgramOptions(lines.Select(l => l.Split('\t')).ToDictionary(f => f[0], f => (f[1], f.Length > 2 ? f[2] : "")));
    }

    public string this[string option] => Options[option].Value;

    public bool Accepts(string option) => Options.ContainsKey(option) || option is "--config";

    public bool HasVariable(string variable) => Options.Values.Any(o => o.Variable == variable);
}
