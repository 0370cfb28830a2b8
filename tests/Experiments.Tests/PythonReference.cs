using PsTraining.TestSupport;
namespace PsTraining.Experiments.Tests;

/// <summary>
/// Runs an independent reference script of tests/reference with Debian's /usr/bin/python3 (the interpreter that has
/// numpy, scikit-learn and torch) and returns what it printed, typically one JSON object.
/// </summary>
internal static class PythonReference
{
    public static string Script(string name) => Repository.Path("tests", "reference", name);

    /// <summary>Runs tests/reference/<paramref name="script"/>; a non-zero exit throws with what the script wrote to stderr.</summary>
    public static string Run(string script, params string[] args)
    {
        var (code, output, error) = SimProcess.RunProgram("/usr/bin/python3", [Script(script), .. args], TimeSpan.FromMinutes(5));
        return code == 0 ? output : throw new InvalidOperationException($"{script} {string.Join(' ', args)} exited with {code}: {error}");
    }
}
