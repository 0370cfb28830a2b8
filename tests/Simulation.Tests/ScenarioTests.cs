namespace PsTraining.Simulation.Tests;

/// <summary>Scenario files: JSON and YAML give the same run directory, a seeded random one is byte-identical, every problem of a bad one is named, an unknown field and a missing file are refused.</summary>
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

    [Fact]
    public void Yaml_and_json_scenarios_write_the_same_run_directory()
    {
        var yaml = Write("s.yaml", "name: two\npolicy: asp\nuntil: 5\nlearners:\n  - stepTime: 1\n  - stepTime: 2.5\n");
        var json = Write("s.json", """{"name":"two","policy":"asp","until":5,"learners":[{"stepTime":1},{"stepTime":2.5}]}""");
        var fromYaml = Path.Combine(_dir, "yaml-run");
        var fromJson = Path.Combine(_dir, "json-run");
        StalenessReport.RunScenario(Scenario.Load(yaml), fromYaml);
        StalenessReport.RunScenario(Scenario.Load(json), fromJson);

        var applied = File.ReadAllText(Path.Combine(fromYaml, "applied.jsonl"));
        Assert.Equal(applied, File.ReadAllText(Path.Combine(fromJson, "applied.jsonl")));
        Assert.Equal(7, applied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"learner\":2,\"index\":2,\"time\":5,\"readVersion\":3,\"staleness\":3", applied);
        Assert.True(File.Exists(Path.Combine(fromYaml, "summary.json")));
        Assert.Contains("\"until\": 5", File.ReadAllText(Path.Combine(fromYaml, "scenario.json")));
    }

    [Fact]
    public void A_seeded_random_scenario_is_byte_identical_across_runs()
    {
        var file = Write("r.yaml", "policy: ssp:1\nuntil: 40\nseed: 9\nlearners:\n  - count: 5\n    stepTime: 1\n    random: exponential\n  - stepTime: 3\n    stragglerEvery: 4\n    stragglerPause: 6\n");
        StalenessReport.RunScenario(Scenario.Load(file), Path.Combine(_dir, "a"));
        StalenessReport.RunScenario(Scenario.Load(file), Path.Combine(_dir, "b"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a", "applied.jsonl")), File.ReadAllBytes(Path.Combine(_dir, "b", "applied.jsonl")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a", "summary.json")), File.ReadAllBytes(Path.Combine(_dir, "b", "summary.json")));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
