using PsTraining.Sim.Commands;
using PsTraining.Simulation;

namespace PsTraining.Sim.Tests.Simulation;

/// <summary><c>run --scenario</c>: JSON and YAML files, the run directory, and determinism.</summary>
public sealed class ScenarioTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-scenario").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Yaml_and_json_scenarios_write_the_same_run_directory()
    {
        var yaml = Write("s.yaml", "name: two\npolicy: asp\nuntil: 5\nlearners:\n  - stepTime: 1\n  - stepTime: 2.5\n");
        var json = Write("s.json", """{"name":"two","policy":"asp","until":5,"learners":[{"stepTime":1},{"stepTime":2.5}]}""");
        var fromYaml = Path.Combine(_dir, "yaml-run");
        var fromJson = Path.Combine(_dir, "json-run");
        StalenessCommand.RunScenario(Scenario.Load(yaml), fromYaml);
        StalenessCommand.RunScenario(Scenario.Load(json), fromJson);

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
        StalenessCommand.RunScenario(Scenario.Load(file), Path.Combine(_dir, "a"));
        StalenessCommand.RunScenario(Scenario.Load(file), Path.Combine(_dir, "b"));
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
