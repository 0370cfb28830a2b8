using PsTraining.TestSupport;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PsTraining.Deploy.Tests;

/// <summary>
/// The objects that <c>kubectl kustomize</c> renders from a kustomization under deploy/, parsed with YamlDotNet and
/// turned into JSON nodes that a test walks.
/// </summary>
internal sealed partial class RenderedManifests(IReadOnlyList<JsonObject> objects)
{
    public IReadOnlyList<JsonObject> Objects { get; } = objects;

    /// <summary>deploy/ in this repository.</summary>
    public static string DeployDirectory => Repository.Path("deploy");

    /// <summary>Renders <paramref name="kustomization"/> (a folder, relative to deploy/ unless absolute).</summary>
    public static RenderedManifests Render(string kustomization)
    {
        var (code, output, error) = SimProcess.RunProgram("kubectl", ["kustomize", Path.Combine(DeployDirectory, kustomization)], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"kubectl kustomize {kustomization} failed: {error}");
        return Parse(output);
    }

    public static RenderedManifests Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new RenderedManifests([.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => ToJson(d.RootNode)!.AsObject())]);
    }

    /// <summary>A YAML node as JSON, plain scalars typed by YAML 1.2's core schema (quoted ones stay strings).</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } => v switch
        {
            null or "null" or "~" or "" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var i) => JsonNode.Parse($"{i}"), // element-backed: reads as int, long or double
            _ when double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => JsonNode.Parse(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(v),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidDataException($"unexpected YAML node {node.NodeType}"),
    };

    public JsonObject Single(string kind, string? name = null) =>
        Assert.Single(Objects, o => Kind(o) == kind && (name is null || Name(o) == name || Name(o).StartsWith(name + "-", StringComparison.Ordinal) && kind == "ConfigMap"));

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Kind(o) == kind);

    /// <summary>The pod templates of the workloads, with the workload's kind and name.</summary>
    public IEnumerable<(string Kind, string Name, JsonObject Pod)> PodTemplates() =>
        Objects.Where(o => Kind(o) is "StatefulSet" or "Job" or "Deployment" or "DaemonSet")
            .Select(o => (Kind(o), Name(o), o["spec"]!["template"]!.AsObject()));

    /// <summary>The pod templates that run PsTraining's own programs (not Redis).</summary>
    public IEnumerable<(string Kind, string Name, JsonObject Pod)> OurPodTemplates() =>
        PodTemplates().Where(t => Containers(t.Pod).All(c => ((string?)c["command"]?[0])?.StartsWith("/app/PsTraining.", StringComparison.Ordinal) == true));

    public static IEnumerable<JsonObject> Containers(JsonObject pod) => pod["spec"]!["containers"]!.AsArray().Select(c => c!.AsObject());

    public static IEnumerable<JsonObject> InitContainers(JsonObject pod) => pod["spec"]!["initContainers"]?.AsArray().Select(c => c!.AsObject()) ?? [];

    /// <summary>The pod's init containers, then its containers: everything it runs.</summary>
    public static IEnumerable<JsonObject> AllContainers(JsonObject pod) => InitContainers(pod).Concat(Containers(pod));

    public static string Kind(JsonObject o) => (string)o["kind"]!;

    public static string Name(JsonObject o) => (string)o["metadata"]!["name"]!;

    public static IReadOnlyDictionary<string, string> Labels(JsonNode? labels) =>
        labels?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!) ?? [];

    /// <summary>A ConfigMap's data by the name it was generated under (kustomize adds a hash suffix).</summary>
    public IReadOnlyDictionary<string, string> ConfigMapData(string name) =>
        Single("ConfigMap", name)["data"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);

    /// <summary>Expands $(NAME) references as Kubernetes does in env values and args; unknown names stay as they are.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> variables) =>
        Reference().Replace(text, m => variables.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    public static IEnumerable<string> References(string text) => Reference().Matches(text).Select(m => m.Groups[1].Value);


    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();
}
