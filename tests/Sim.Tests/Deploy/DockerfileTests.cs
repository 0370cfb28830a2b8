using System.Text.RegularExpressions;
using static PsTraining.Sim.Tests.Deploy.RenderedManifests;

namespace PsTraining.Sim.Tests.Deploy;

/// <summary>
/// The container images, checked without a Docker engine: what each Dockerfile copies exists, what it publishes is
/// what the manifests run, it exposes the ports they declare, and it runs as the non-root user they expect.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string> Images => new() { { "Dockerfile", "k8s/overlays/cpu" }, { "Dockerfile.cuda", "k8s/overlays/gpu" } };

    [Theory]
    [MemberData(nameof(Images))]
    public void Every_copy_source_exists_in_the_repository(string dockerfile, string overlay)
    {
        _ = overlay;
        var sources = Instructions(dockerfile).Where(i => i.Name == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();
        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(RepositoryRoot(), s)) || Directory.Exists(Path.Combine(RepositoryRoot(), s)), $"{dockerfile}: COPY {s} does not exist"));
        Assert.Contains("src/", sources);
        Assert.Contains("global.json", sources);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void The_image_publishes_what_the_manifests_run_exposes_their_ports_and_runs_as_their_user(string dockerfile, string overlay)
    {
        var instructions = Instructions(dockerfile);
        var published = instructions.Where(i => i.Name == "RUN").SelectMany(i => Publish().Matches(i.Arguments))
            .Select(m => (Binary: $"{m.Groups["output"].Value}/{Path.GetFileNameWithoutExtension(m.Groups["project"].Value)}", Project: m.Groups["project"].Value)).ToList();
        Assert.All(published, p => Assert.True(File.Exists(Path.Combine(RepositoryRoot(), p.Project)), $"{dockerfile} publishes {p.Project}, which does not exist"));
        Assert.All(published, p => Assert.Contains("--self-contained", instructions.Single(i => i.Arguments.Contains(p.Project, StringComparison.Ordinal)).Arguments));

        var rendered = Render(overlay);
        var entrypoint = instructions.Last(i => i.Name == "ENTRYPOINT").Arguments;
        Assert.Contains(published, p => entrypoint == $"[\"{p.Binary}\"]");
        var exposed = instructions.Where(i => i.Name == "EXPOSE").SelectMany(i => i.Arguments.Split(' ')).Select(int.Parse).ToHashSet();
        var user = instructions.Last(i => i.Name == "USER").Arguments.Split(':')[0];
        Assert.NotEqual("0", user);
        Assert.NotEqual("root", user);
        foreach (var (_, name, pod) in rendered.OurPodTemplates())
        {
            Assert.Equal(user, $"{pod["spec"]!["securityContext"]!["runAsUser"]}");
            foreach (var container in Containers(pod))
            {
                var command = (string)container["command"]![0]!;
                Assert.True(published.Any(p => p.Binary == command), $"{name} runs {command}, which {dockerfile} does not publish ({string.Join(", ", published.Select(p => p.Binary))})");
                Assert.All(container["ports"]!.AsArray(), p => Assert.Contains((int)p!["containerPort"]!, exposed));
            }
        }
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
