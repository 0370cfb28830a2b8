namespace PsTraining.Simulation.Tests;

/// <summary>Scenario files: every problem of a bad one named, an unknown field and a missing file refused.</summary>
public sealed class ScenarioTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-scenario").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Bad_scenarios_name_each_problem()
    {
        var bad = Write("bad.yaml", "policy: sometimes\nuntil: 0\nlearners:\n  - count: 0\n    stepTime: -1\n");
        var e = Assert.Throws<ArgumentException>(() => Scenario.Load(bad));
        Assert.Contains("learners[0].count must be in 1..100000", e.Message);
        Assert.Contains("learners[0].stepTime must be > 0", e.Message);
        Assert.Contains("until must be > 0", e.Message);
        Assert.Contains("policy:", e.Message);

        var unknown = Write("unknown.json", """{"until":1,"learners":[{"stepTime":1}],"speed":3}""");
        Assert.Contains("cannot be read", Assert.Throws<ArgumentException>(() => Scenario.Load(unknown)).Message);
        Assert.Throws<FileNotFoundException>(() => Scenario.Load(Path.Combine(_dir, "none.yaml")));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
