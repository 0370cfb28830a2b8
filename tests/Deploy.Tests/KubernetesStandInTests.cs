using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using PsTraining.Hosting;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Health.V1;
using static PsTraining.Deploy.Tests.RenderedManifests;

namespace PsTraining.Deploy.Tests;

/// <summary>
/// A local stand-in for the cluster: every replica of the cpu overlay's parameter-server StatefulSet (its init
/// container first) and learner Job runs as a process on loopback with the environment and arguments the rendered manifests give it, and Debian's
/// redis-server stands in for the Redis Deployment. What a cluster provides is mapped, and only that: service DNS
/// names and container ports to free loopback ports, pod fields to loopback values, volumes to folders (ConfigMaps as
/// their files, the Secret as a token file), and the Kubernetes API, which is absent (the servers say that they run
/// without Orleans' Kubernetes hosting). The learners' budget is cut to a few steps.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class KubernetesStandInTests
{
    private const int Steps = 12;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_rendered_servers_and_learners_train_on_loopback_and_serve_metrics()
    {
        var rendered = Render("k8s/overlays/cpu");
        using var mounts = new KubernetesManifestTests.TemporaryDirectory();
        var token = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        var statefulSet = rendered.Single("StatefulSet", "ps");
        var servicePod = statefulSet["spec"]!["template"]!.AsObject();
        var serverContainer = Containers(servicePod).Single();
        var replicas = (int)statefulSet["spec"]!["replicas"]!;
        var serverPorts = Enumerable.Range(0, replicas).Select(_ => PortsOf(serverContainer)).ToList();
        var service = (string)statefulSet["spec"]!["serviceName"]!;

        var processes = new List<ChildProcess>();
        var redisService = rendered.Single("Service", "redis");
        using var redis = await RedisServer.StartAsync(Path.Combine(mounts.Path, "redis.log"));
        var redisDns = new Dictionary<string, string> { [$"{Name(redisService)}:{(int)redisService["spec"]!["ports"]![0]!["port"]!}"] = redis.Address };
        try
        {
            for (var k = 0; k < replicas; k++)
            {
                // The pod's init containers first, each to its end, on the pod's volumes (the initial weights' emptyDir).
                foreach (var init in InitContainers(servicePod))
                {
                    var step = ContainerReplica.Of(rendered, "ps", init, k).Mounted(rendered, servicePod, init, Path.Combine(mounts.Path, $"ps-{k}"), token);
                    using var initProcess = ChildProcess.Start($"ps-{k}-{init["name"]}", ProgramOptions.Assembly(step.Command), step.Args,
                        Path.Combine(mounts.Path, $"ps-{k}-{init["name"]}.log"), environment: step.Environment);
                    Assert.True(await initProcess.Exited.WaitAsync(Timeout) == 0, initProcess.Tail());
                }

                var replica = ContainerReplica.Of(rendered, "ps", serverContainer, k).Mounted(rendered, servicePod, serverContainer, Path.Combine(mounts.Path, $"ps-{k}"), token);
                processes.Add(ChildProcess.Start($"ps-{k}", ProgramOptions.Assembly(replica.Command), Resolve(Remap(replica.Args, serverPorts[k]), redisDns),
                    Path.Combine(mounts.Path, $"ps-{k}.log"), environment: Remap(replica.Environment, serverPorts[k])));
            }

            // The probes, against what they target: the gRPC health service of each server, with the services they name.
            for (var k = 0; k < replicas; k++)
            {
                using var channel = new ParameterServerClient(new Uri($"http://127.0.0.1:{serverPorts[k][(int)serverContainer["readinessProbe"]!["grpc"]!["port"]!]}"));
                foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                {
                    var health = await Eventually(() => channel.CheckHealthAsync((string?)serverContainer[probe]!["grpc"]!["service"] ?? "", TimeSpan.FromSeconds(5)));
                    Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
                }
            }

            // The learners reach the `ps` Service at the first server's port (a Service answers from any of its pods).
            var job = rendered.Single("Job", "learners");
            var learnerPod = job["spec"]!["template"]!.AsObject();
            var learnerContainer = Containers(learnerPod).Single();
            var learners = (int)job["spec"]!["completions"]!;
            var grpcPort = (int)serverContainer["ports"]!.AsArray().Single(p => (string)p!["name"]! == "grpc")!["containerPort"]!;
            var dns = new Dictionary<string, string> { [$"{service}:{grpcPort}"] = $"127.0.0.1:{serverPorts[0][grpcPort]}" };
            var pushes = new List<JsonElement>();
            var learnerMetrics = new List<Task<string>>();
            var metricsUrls = new Dictionary<string, string>();
            var learnerProcesses = new List<ChildProcess>();
            for (var k = 0; k < learners; k++)
            {
                var ports = PortsOf(learnerContainer);
                var replica = ContainerReplica.Of(rendered, "learners", learnerContainer, k).Mounted(rendered, learnerPod, learnerContainer, Path.Combine(mounts.Path, $"learner-{k}"), token);
                var environment = Remap(replica.Environment, ports).ToDictionary(e => e.Key, e => Resolve(e.Value, dns));
                string[] budget = ["--steps", $"{Steps}", "--duration", "0", "--train-samples", "2000", "--test-samples", "0"];
                learnerProcesses.Add(ChildProcess.Start($"learner-{k}", ProgramOptions.Assembly(replica.Command), [.. Remap(replica.Args, ports), .. budget],
                    Path.Combine(mounts.Path, $"learner-{k}.log"), line => OnLine(line, pushes, learnerMetrics, metricsUrls), logOutput: false, environment));
            }

            processes.AddRange(learnerProcesses);
            foreach (var learner in learnerProcesses)
            {
                Assert.True(await learner.Exited.WaitAsync(Timeout) == 0, learner.Tail());
            }

            // Every learner pushed its steps to every shard, found through the one Service, with the token from the Secret;
            // each learner served /metrics meanwhile.
            Assert.Equal(learners * Steps, pushes.Count);
            var shards = int.Parse(rendered.ConfigMapData("cluster")["shards"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.All(pushes, p => Assert.Equal(shards, p.GetProperty("partitions").GetArrayLength()));
            Assert.Equal(learners, learnerMetrics.Count);
            Assert.All(await Task.WhenAll(learnerMetrics), m => Assert.Contains("pstraining_learner_samples_total", m));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var metricsPort = (int)serverContainer["ports"]!.AsArray().Single(p => (string)p!["name"]! == "metrics")!["containerPort"]!;
            for (var k = 0; k < replicas; k++)
            {
                var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{serverPorts[k][metricsPort]}/metrics"));
                // Each server holds some of the shards, every one of them at the same version.
                Assert.Matches(new Regex($@"pstraining_ps_model_version\{{[^}}]*shard=""\d+""[^}}]*\}} {learners * Steps}\b"), metrics);
                Assert.Contains($"service_instance_id=\"ps-{k}\"", metrics);
            }
        }
        finally
        {
            await Task.WhenAll(processes.Select(p => p.StopAsync(TimeSpan.FromSeconds(10))));
            processes.ForEach(p => p.Dispose());
        }
    }

    /// <summary>Service DNS names (host:port) in <paramref name="text"/> become their loopback stand-ins.</summary>
    private static string Resolve(string text, Dictionary<string, string> dns) => dns.Aggregate(text, (v, d) => v.Replace(d.Key, d.Value, StringComparison.Ordinal));

    private static List<string> Resolve(List<string> args, Dictionary<string, string> dns) => [.. args.Select(a => Resolve(a, dns))];

    /// <summary>A free loopback port for each port the container declares.</summary>
    private static Dictionary<int, int> PortsOf(System.Text.Json.Nodes.JsonObject container) =>
        container["ports"]!.AsArray().ToDictionary(p => (int)p!["containerPort"]!, _ => LoopbackPort.Free());

    /// <summary>Option values that are a container port become that port's loopback stand-in.</summary>
    private static List<string> Remap(IEnumerable<string> args, Dictionary<int, int> ports) =>
        [.. args.Select(a => a.Split('=', 2) is [var option, var value] && int.TryParse(value, out var port) && ports.TryGetValue(port, out var local) ? $"{option}={local}" : a)];

    private static Dictionary<string, string> Remap(IReadOnlyDictionary<string, string> environment, Dictionary<int, int> ports) =>
        environment.ToDictionary(e => e.Key, e => int.TryParse(e.Value, out var port) && ports.TryGetValue(port, out var local) ? $"{local}" : e.Value);

    /// <summary>Collects the push records; at its first push, each learner's /metrics is scraped (off this reader thread) while it trains on.</summary>
    private static void OnLine(string line, List<JsonElement> pushes, List<Task<string>> scrapes, Dictionary<string, string> urls)
    {
        var record = JsonDocument.Parse(line).RootElement.Clone();
        lock (pushes)
        {
            var name = record.GetProperty("name").GetString()!;
            if (record.GetProperty("kind").GetString() == "metrics")
            {
                urls[name] = record.GetProperty("url").GetString()!;
                return;
            }

            pushes.Add(record);
            if (record.GetProperty("seq").GetInt32() == 1)
            {
                var url = new Uri(urls[name]);
                scrapes.Add(Task.Run(async () =>
                {
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                    return await http.GetStringAsync(url);
                }));
            }
        }
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

}
