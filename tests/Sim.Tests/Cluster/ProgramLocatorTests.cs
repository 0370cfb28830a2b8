using System.Reflection;
using PsTraining.Sim.Cluster;
using PsTraining.TestSupport;

namespace PsTraining.Sim.Tests.Cluster;

/// <summary>
/// Issue 19: the launcher references neither the learner's nor the server's assembly; run from its own build folder,
/// where neither program lies, it finds them in theirs, from the paths its build recorded.
/// </summary>
public sealed class ProgramLocatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-locator").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_launcher_run_from_its_own_build_folder_starts_the_programs_from_theirs()
    {
        var launcher = Repository.Path("src", "Sim", "bin", Repository.BuildConfiguration, "net10.0", "PsTraining.Sim.dll");
        Assert.True(File.Exists(launcher), launcher);
        var folder = Path.GetDirectoryName(launcher)!;
        foreach (var program in new[] { "PsTraining.Learner.dll", "PsTraining.ParameterServer.dll" })
        {
            Assert.False(File.Exists(Path.Combine(folder, program)), $"{program} lies beside the launcher");
            var recorded = typeof(ProgramLocator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == $"program:{program}").Value!;
            Assert.StartsWith(Repository.Path("src"), recorded);
            Assert.True(File.Exists(recorded), recorded);
        }

        var (code, output, error) = SimProcess.RunProgram("dotnet", [launcher, "cluster", "--metrics-port", "-1", "--learners", "1", "--steps", "3", "--duration", "0",
            "--test-samples", "0", "--train-samples", "640", "--out", Path.Combine(_dir, "run")], TimeSpan.FromMinutes(3));
        Assert.True(code == 0, output + error);
        Assert.Equal(3, File.ReadLines(Path.Combine(_dir, "run", "pushes.jsonl")).Count(l => l.Contains("\"name\":\"learner-1\"", StringComparison.Ordinal)));
    }
}
