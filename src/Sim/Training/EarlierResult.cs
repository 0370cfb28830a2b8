using System.Text.Json;
using System.Text.Json.Nodes;
using PsTraining.Sim.Experiments;

namespace PsTraining.Sim.Training;

/// <summary>
/// A JSON result that one experiment writes for the next ones of the same run (OUT/NAME/FILE), e.g. the range test's
/// bounds for the cyclic-LR run. It records the seed, scale and settings it was made with. A later experiment reuses it
/// when they match its own; otherwise it runs that experiment first, into its usual directory, data and figures included.
/// </summary>
internal static class EarlierResult
{
    public static void Write(ExperimentContext context, string file, object settings, JsonObject values)
    {
        values["seed"] = context.Seed;
        values["full"] = context.Full;
        values["settings"] = JsonSerializer.SerializeToNode(settings);
        File.WriteAllText(Path.Combine(context.Directory, file), values.ToJsonString(new() { WriteIndented = true }));
    }

    /// <summary>FILE of <paramref name="experiment"/> made with this context's seed and scale and with <paramref name="settings"/>: the earlier one, or a new run's.</summary>
    public static (JsonObject Result, string Location, bool Reused) Obtain(ExperimentContext context, IExperiment experiment, string file, object settings)
    {
        var output = Path.GetDirectoryName(Path.GetFullPath(context.Directory))!;
        var path = Path.Combine(output, experiment.Name, file);
        var wanted = new JsonObject { ["seed"] = context.Seed, ["full"] = context.Full, ["settings"] = JsonSerializer.SerializeToNode(settings) };
        if (Read(path) is { } earlier && wanted.All(p => JsonNode.DeepEquals(earlier[p.Key], p.Value)))
        {
            context.Progress($"  reusing {path}");
            return (earlier, path, true);
        }

        context.Progress($"  {path} is missing or was made with another seed, scale or settings: running {experiment.Name} first");
        ExperimentCommand.Run(experiment, output, context.Seed, context.Full);
        return (Read(path) ?? throw new InvalidOperationException($"{experiment.Name} did not write {path}"), path, false);
    }

    private static JsonObject? Read(string path) => File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
}
