using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PsTraining.Deploy.Tests;

/// <summary>
/// One replica of a container as Kubernetes would start it: replica <c>Index</c> of its StatefulSet (pod NAME-K) or
/// indexed Job, with its environment resolved (downward-API fields, ConfigMap keys, $(VAR) expansion in order) and
/// its args expanded.
/// </summary>
internal sealed record ContainerReplica(string Command, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment)
{
    public static ContainerReplica Of(RenderedManifests manifests, string workload, JsonObject container, int index)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in container["env"]?.AsArray().Select(e => e!.AsObject()) ?? [])
        {
            var name = (string)entry["name"]!;
            environment[name] = entry["value"] is { } value
                ? RenderedManifests.Expand((string)value!, environment)
                : From(manifests, workload, entry["valueFrom"]!.AsObject(), index);
        }

        var args = container["args"]?.AsArray().Select(a => RenderedManifests.Expand((string)a!, environment)).ToList() ?? [];
        return new ContainerReplica((string)container["command"]![0]!, args, environment);
    }

    /// <summary>
    /// The same replica with its volumes made real under <paramref name="root"/>: each ConfigMap volume as its files,
    /// each Secret volume holding <paramref name="token"/> under its key, the rest (claims, emptyDirs) as empty folders;
    /// the args and variables that name a mount path then name the folder instead.
    /// </summary>
    public ContainerReplica Mounted(RenderedManifests manifests, JsonObject pod, JsonObject container, string root, string token)
    {
        var volumes = pod["spec"]!["volumes"]?.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!.AsObject()) ?? [];
        var paths = new List<(string MountPath, string Local)>();
        foreach (var mount in container["volumeMounts"]?.AsArray().Select(m => m!.AsObject()) ?? [])
        {
            var name = (string)mount["name"]!;
            var local = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            var volume = volumes.GetValueOrDefault(name);
            if (volume?["configMap"] is JsonObject configMap)
            {
                foreach (var (file, text) in manifests.ConfigMapData((string)configMap["name"]!))
                {
                    File.WriteAllText(Path.Combine(local, file), text);
                }
            }
            else if (volume?["secret"] is not null)
            {
                File.WriteAllText(Path.Combine(local, "token"), token);
            }

            paths.Add(((string)mount["mountPath"]!, local));
        }

        // One pass, longest path first, whole path segments only: /tmp must not rewrite a path that was just rewritten into /tmp.
        var mountPaths = new Regex(@"(?<=^|[=,\s])(" + string.Join('|', paths.Select(p => Regex.Escape(p.MountPath)).OrderByDescending(p => p.Length)) + @")(?=/|$|[,\s])");
        string Local(string text) => mountPaths.Replace(text, m => paths.First(p => p.MountPath == m.Value).Local);
        return this with
        {
            Args = [.. Args.Select(Local)],
            Environment = Environment.ToDictionary(e => e.Key, e => Local(e.Value)),
        };
    }

    /// <summary>The value of an option given as --NAME=VALUE or --NAME VALUE in the args, if any.</summary>
    public string? Arg(string option)
    {
        for (var i = 0; i < Args.Count; i++)
        {
            if (Args[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                return Args[i][(option.Length + 1)..];
            }

            if (Args[i] == option && i + 1 < Args.Count)
            {
                return Args[i + 1];
            }
        }

        return null;
    }

    /// <summary>A label of the workload's pod template.</summary>
    private static string Label(RenderedManifests manifests, string workload, string label) =>
        (string?)manifests.Objects.Single(o => RenderedManifests.Name(o) == workload && o["spec"]?["template"] is not null)["spec"]!["template"]!["metadata"]!["labels"]![label]
        ?? throw new InvalidOperationException($"{workload}'s pods have no label {label}");

    private static string From(RenderedManifests manifests, string workload, JsonObject source, int index)
    {
        if (source["configMapKeyRef"] is JsonObject key)
        {
            var data = manifests.ConfigMapData((string)key["name"]!);
            return data.TryGetValue((string)key["key"]!, out var v) ? v : throw new InvalidOperationException($"ConfigMap {key["name"]} has no key {key["key"]}");
        }

        var field = (string)source["fieldRef"]!["fieldPath"]!;
        return field switch
        {
            "metadata.labels['apps.kubernetes.io/pod-index']" or "metadata.annotations['batch.kubernetes.io/job-completion-index']" => $"{index}",
            "metadata.name" => $"{workload}-{index}",
            "metadata.namespace" => "default",
            "status.podIP" => "127.0.0.1", // the stand-in's pods all live on loopback
            _ when field.StartsWith("metadata.labels['", StringComparison.Ordinal) => Label(manifests, workload, field["metadata.labels['".Length..^2]),
            _ => throw new InvalidOperationException($"the stand-in does not know the field {field}"),
        };
    }
}
