using System.Text.Json;
using System.Text.Json.Nodes;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Training;

/// <summary>
/// A JSON result that one experiment writes for the next ones of the same run (OUT/NAME/FILE), e.g. the range test's
/// bounds for the cyclic-LR run. It records the seed, scale, thread count and settings it was made with. A later experiment reuses it
/// when they match its own; otherwise it runs that experiment first, into its usual directory, data and figures included.
/// </summary>
internal static class EarlierResult
{
    public static void Write(ExperimentContext context, string file, object settings, JsonObject values)
    {
        foreach (var (key, value) in MadeWith(context, settings))
        {
            values[key] = value?.DeepClone();
        }

        File.WriteAllText(Path.Combine(context.Directory, file), values.ToJsonString(new() { WriteIndented = true }));
    }

    /// <summary>
    /// FILE of <paramref name="experiment"/> made with this context's seed, scale and thread count and with
    /// <paramref name="settings"/>: the earlier one, or a new run's. Its location is relative to this context's directory
    /// (e.g. <c>../cyclic-lr/final.json</c>), so that results that cite it do not depend on where the output lies.
    /// </summary>
    public static (JsonObject Result, string Location, bool Reused) Obtain(ExperimentContext context, IExperiment experiment, string file, object settings)
    {
        var output = Path.GetDirectoryName(Path.GetFullPath(context.Directory))!;
        var path = Path.Combine(output, experiment.Name, file);
        var wanted = MadeWith(context, settings);
        if (Read(path) is { } earlier && wanted.All(p => JsonNode.DeepEquals(earlier[p.Key], p.Value)))
        {
            context.Progress($"  reusing {path}");
            return (earlier, Path.GetRelativePath(context.Directory, path), true);
        }

        context.Progress($"  {path} is missing or was made with another seed, scale, thread count or settings: running {experiment.Name} first");
        ExperimentRunner.Run(experiment, output, context.Seed, context.Scale, context.Threads);
        return (Read(path) ?? throw new InvalidOperationException($"{experiment.Name} did not write {path}"), Path.GetRelativePath(context.Directory, path), false);
    }

    /// <summary>What decides a result's numbers: the seed, the scale, libtorch's thread count and the settings.</summary>
    private static JsonObject MadeWith(ExperimentContext context, object settings) => new()
    {
        ["seed"] = context.Seed, ["scale"] = context.Scale.Name(), ["threads"] = context.Threads,
        ["settings"] = JsonSerializer.SerializeToNode(settings),
    };

    private static JsonObject? Read(string path) => File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
}
