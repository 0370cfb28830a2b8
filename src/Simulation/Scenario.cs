using System.Text.Json;
using PsTraining.Models.Speed;
using PsTraining.ParameterServer.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PsTraining.Simulation;

/// <summary>
/// A simulation described in a file (JSON or YAML, camelCase keys): learner groups and their speeds, the policy,
/// the virtual duration and the seed. Example (YAML):
/// <code>
/// name: one-straggler
/// policy: ssp:2
/// until: 100
/// seed: 1
/// learners:
///   - count: 7
///     stepTime: 1
///   - stepTime: 4
///     random: lognormal:0.2
/// </code>
/// </summary>
public sealed record Scenario
{
    public string Name { get; init; } = "scenario";

    public string Policy { get; init; } = "asp";

    public decimal Until { get; init; }

    public long Seed { get; init; }

    public List<LearnerGroup> Learners { get; init; } = [];

    public static Scenario Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"scenario file '{path}' does not exist", path);
        }

        var text = File.ReadAllText(path);
        Scenario? scenario;
        try
        {
            scenario = Path.GetExtension(path).ToLowerInvariant() is ".yaml" or ".yml"
                ? new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<Scenario>(text)
                : JsonSerializer.Deserialize<Scenario>(text, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow });
        }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
        {
            throw new ArgumentException($"scenario '{path}' cannot be read: {e.Message}");
        }

        return (scenario ?? throw new ArgumentException($"scenario '{path}' is empty")).Validated(path);
    }

    /// <summary>One speed model per learner, groups expanded in order.</summary>
    public IReadOnlyList<SpeedModel> BuildSpeeds() =>
        Learners.SelectMany(g => Enumerable.Repeat(g, g.Count)).SelectMany(g =>
            PsTraining.Models.Speed.SpeedModels.Build([g.StepTime], g.Random, g.StragglerEvery > 0 ? [$"1:{g.StragglerEvery}:{g.StragglerPause.ToString(System.Globalization.CultureInfo.InvariantCulture)}"] : []))
        .ToList();

    private Scenario Validated(string path)
    {
        var errors = new List<string>();
        if (Learners.Count == 0)
        {
            errors.Add("learners: at least one group is needed");
        }

        for (var i = 0; i < Learners.Count; i++)
        {
            var g = Learners[i];
            if (g.Count < 1 || g.Count > 100_000)
            {
                errors.Add($"learners[{i}].count must be in 1..100000, not {g.Count}");
            }

            if (g.StepTime <= 0)
            {
                errors.Add($"learners[{i}].stepTime must be > 0, not {g.StepTime}");
            }

            if (g.StragglerEvery < 0 || g.StragglerPause < 0)
            {
                errors.Add($"learners[{i}]: stragglerEvery and stragglerPause must be >= 0");
            }
        }

        if (Until <= 0)
        {
            errors.Add($"until must be > 0, not {Until}");
        }

        try
        {
            ConsistencyPolicy.Parse(Policy);
        }
        catch (ArgumentException e)
        {
            errors.Add($"policy: {e.Message}");
        }

        return errors.Count == 0 ? this : throw new ArgumentException($"scenario '{path}': " + string.Join("; ", errors));
    }
}
