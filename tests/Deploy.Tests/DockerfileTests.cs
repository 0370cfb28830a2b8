using PsTraining.TestSupport;
using System.Text.RegularExpressions;
using static PsTraining.Deploy.Tests.RenderedManifests;

namespace PsTraining.Deploy.Tests;

/// <summary>
/// The container images, checked without a Docker engine: what each Dockerfile copies exists, and each image the
/// manifests run is a stage that publishes what they run, exposes the ports they declare, and runs as the non-root
/// user they expect.
/// </summary>
public sealed partial class DockerfileTests
{
    [Theory]
    [InlineData("Dockerfile")]
    [InlineData("Dockerfile.cuda")]
    public void Every_copy_source_exists_in_the_repository(string dockerfile)
    {
        var sources = Instructions(dockerfile).Where(i => i.Name == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.True(File.Exists(Repository.Path(s)) || Directory.Exists(Repository.Path(s)), $"{dockerfile}: COPY {s} does not exist"));
        Assert.Contains("src/", sources);
        Assert.Contains("global.json", sources);
    }

    /// <summary>
    /// Each container of an overlay (init containers too) runs an image that a Dockerfile builds as the stage of the same
    /// name (the image's tag names the Dockerfile: cpu, cuda): that stage's ENTRYPOINT is the program the container runs,
    /// a self-contained publish copied into /app; it exposes the container's ports and runs as the pod's user. The
    /// server's stage carries no tensor library and no dataset.
    /// </summary>
    [Theory]
    [InlineData("k8s/overlays/cpu")]
    [InlineData("k8s/overlays/gpu")]
    public void Every_container_runs_the_stage_of_its_image_which_publishes_its_program_exposes_its_ports_and_runs_as_its_user(string overlay)
    {
        var stages = new Dictionary<(string Tag, string Image), Stage>();
        foreach (var (dockerfile, tag) in new[] { ("Dockerfile", "cpu"), ("Dockerfile.cuda", "cuda") })
        {
            foreach (var stage in Stages(dockerfile))
            {
                stages[(tag, stage.Name)] = stage;
            }
        }

        foreach (var (_, name, pod) in Render(overlay).OurPodTemplates())
        {
            foreach (var container in AllContainers(pod))
            {
                var image = (string)container["image"]!;
                var (repository, tag) = (image[(image.LastIndexOf('/') + 1)..image.LastIndexOf(':')], image[(image.LastIndexOf(':') + 1)..]);
                Assert.True(stages.TryGetValue((tag, repository), out var stage), $"{name}: no Dockerfile builds {image} (a stage named {repository} for the {tag} tag)");
                var command = (string)container["command"]![0]!;
                Assert.Equal($"[\"{command}\"]", stage.Entrypoint);
                Assert.Contains(command, stage.Programs);
                Assert.All(container["ports"]?.AsArray() ?? [], p => Assert.Contains((int)p!["containerPort"]!, stage.Exposed));
                Assert.Equal($"{pod["spec"]!["securityContext"]!["runAsUser"]}", stage.User);
            }
        }

        var server = stages[("cpu", "pstraining-server")];
        Assert.Equal(["/app/PsTraining.ParameterServer"], server.Programs);
        Assert.DoesNotContain(server.Instructions, i => i.Arguments.Contains("fashion-mnist", StringComparison.Ordinal) || i.Arguments.Contains("torch", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A final stage of a Dockerfile: what it runs, the programs copied into its /app, its ports and user.</summary>
    private sealed record Stage(string Name, List<(string Name, string Arguments)> Instructions, string Entrypoint, List<string> Programs, HashSet<int> Exposed, string User);

    /// <summary>The named stages other than the build stage, each with the programs published into the folder it copies to /app.</summary>
    private static List<Stage> Stages(string dockerfile)
    {
        var instructions = Instructions(dockerfile);
        var published = instructions.Where(i => i.Name == "RUN").SelectMany(i => Publish().Matches(i.Arguments))
            .Select(m => (Folder: m.Groups["output"].Value, Program: $"/app/{Path.GetFileNameWithoutExtension(m.Groups["project"].Value)}", Project: m.Groups["project"].Value,
                SelfContained: instructions.Single(i => i.Arguments.Contains(m.Value, StringComparison.Ordinal)).Arguments.Contains("--self-contained", StringComparison.Ordinal)))
            .ToList();
        Assert.All(published, p => Assert.True(File.Exists(Repository.Path(p.Project)), $"{dockerfile} publishes {p.Project}, which does not exist"));
        Assert.All(published, p => Assert.True(p.SelfContained, $"{dockerfile} publishes {p.Project} without --self-contained"));

        var stages = new List<Stage>();
        var starts = instructions.Select((i, k) => (i, k)).Where(x => x.i.Name == "FROM").Select(x => x.k).Append(instructions.Count).ToList();
        for (var s = 0; s + 1 < starts.Count; s++)
        {
            var body = instructions[starts[s]..starts[s + 1]];
            var from = body[0].Arguments.Split(' ');
            if (from is not [_, "AS", var name] || name == "build")
            {
                continue;
            }

            var copied = body.Where(i => i.Name == "COPY" && i.Arguments.StartsWith("--from=build ", StringComparison.Ordinal) && i.Arguments.EndsWith(" /app", StringComparison.Ordinal))
                .Select(i => i.Arguments.Split(' ')[1]).ToHashSet();
            stages.Add(new Stage(name, body, body.Last(i => i.Name == "ENTRYPOINT").Arguments,
                [.. published.Where(p => copied.Contains(p.Folder)).Select(p => p.Program)],
                [.. body.Where(i => i.Name == "EXPOSE").SelectMany(i => i.Arguments.Split(' ')).Select(int.Parse)],
                body.Last(i => i.Name == "USER").Arguments.Split(':')[0]));
        }

        Assert.NotEmpty(stages);
        Assert.All(stages, stage => Assert.True(stage.User is not "0" and not "root", $"{dockerfile}: stage {stage.Name} runs as root"));
        return stages;
    }

    /// <summary>The Dockerfile's instructions, continuation lines joined and comments dropped.</summary>
    private static List<(string Name, string Arguments)> Instructions(string dockerfile)
    {
        var text = File.ReadAllText(Path.Combine(DeployDirectory, "docker", dockerfile));
        var lines = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('#'))).Replace("\\\n", " ", StringComparison.Ordinal);
        return [.. lines.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)
            .Select(l => (l.Split(' ')[0].ToUpperInvariant(), Regex.Replace(l[l.Split(' ')[0].Length..].Trim(), @"\s+", " ")))];
    }

    [GeneratedRegex(@"dotnet publish (?<project>\S+\.csproj)\b[^&]*?-o (?<output>/\S+)")]
    private static partial Regex Publish();
}
