using System.Text.Json.Nodes;
using static PsTraining.Deploy.Tests.RenderedManifests;

namespace PsTraining.Deploy.Tests;

/// <summary>
/// deploy/k8s rendered by <c>kubectl kustomize</c> and checked offline: kinds, selectors, ports, options, probes,
/// resources, security, and the sizes that must agree with each other. The programs themselves say which options
/// and variables they accept and which ports they would listen on (<c>--print-options</c>).
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new("k8s/overlays/cpu", "k8s/overlays/gpu");

    private static readonly Dictionary<string, string> ApiVersions = new()
    {
        ["ConfigMap"] = "v1", ["Service"] = "v1", ["StatefulSet"] = "apps/v1", ["PodDisruptionBudget"] = "policy/v1", ["Job"] = "batch/v1",
        ["Deployment"] = "apps/v1", ["PersistentVolumeClaim"] = "v1", ["ServiceAccount"] = "v1",
        ["Role"] = "rbac.authorization.k8s.io/v1", ["RoleBinding"] = "rbac.authorization.k8s.io/v1",
        ["ServiceMonitor"] = "monitoring.coreos.com/v1", ["PodMonitor"] = "monitoring.coreos.com/v1",
    };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_object_has_a_known_kind_and_its_api_version(string overlay)
    {
        var rendered = Render(overlay);
        Assert.Equal(["ConfigMap", "ConfigMap", "ConfigMap", "Deployment", "Job", "PersistentVolumeClaim", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "Service",
            "ServiceAccount", "StatefulSet"], rendered.Objects.Select(Kind).Order());
        Assert.All(rendered.Objects, o => Assert.Equal(ApiVersions[Kind(o)], (string)o["apiVersion"]!));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Selectors_match_the_labels_of_the_pods_they_select(string overlay)
    {
        var rendered = Render(overlay);
        var ps = rendered.Single("StatefulSet", "ps");
        var podLabels = Labels(ps["spec"]!["template"]!["metadata"]!["labels"]);
        AssertSubset(Labels(ps["spec"]!["selector"]!["matchLabels"]), podLabels);
        AssertSubset(Labels(rendered.Single("Service", "ps")["spec"]!["selector"]), podLabels);
        AssertSubset(Labels(rendered.Single("PodDisruptionBudget", "ps")["spec"]!["selector"]!["matchLabels"]), podLabels);
        Assert.Equal("ps", (string)ps["spec"]!["serviceName"]!);
        Assert.Equal("None", (string)rendered.Single("Service", "ps")["spec"]!["clusterIP"]!);
        var redis = rendered.Single("Deployment", "redis");
        var redisLabels = Labels(redis["spec"]!["template"]!["metadata"]!["labels"]);
        AssertSubset(Labels(redis["spec"]!["selector"]!["matchLabels"]), redisLabels);
        AssertSubset(Labels(rendered.Single("Service", "redis")["spec"]!["selector"]), redisLabels);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_silos_run_under_an_account_that_may_watch_pods_and_carry_orleans_labels(string overlay)
    {
        var rendered = Render(overlay);
        var pod = rendered.Single("StatefulSet", "ps")["spec"]!["template"]!.AsObject();
        var account = (string)pod["spec"]!["serviceAccountName"]!;
        Assert.Equal(account, Name(rendered.Single("ServiceAccount")));
        var binding = rendered.Single("RoleBinding");
        Assert.Equal(account, (string)binding["subjects"]![0]!["name"]!);
        var role = rendered.Single("Role", (string)binding["roleRef"]!["name"]!);
        var rule = role["rules"]!.AsArray().Single()!;
        Assert.Equal(["pods"], rule["resources"]!.AsArray().Select(r => (string)r!));
        Assert.Superset(new HashSet<string> { "get", "list", "watch" }, rule["verbs"]!.AsArray().Select(v => (string)v!).ToHashSet());
        // Orleans' Kubernetes hosting finds its silos by these two labels, named by the library.
        var labels = Labels(pod["metadata"]!["labels"]);
        Assert.True(labels.ContainsKey(Orleans.Hosting.Kubernetes.KubernetesHostingOptions.ServiceIdLabel));
        Assert.True(labels.ContainsKey(Orleans.Hosting.Kubernetes.KubernetesHostingOptions.ClusterIdLabel));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_sizes_agree_servers_shards_addresses_replicas_learners_and_their_files(string overlay)
    {
        var rendered = Render(overlay);
        var cluster = rendered.ConfigMapData("cluster");
        var servers = int.Parse(cluster["servers"], System.Globalization.CultureInfo.InvariantCulture);
        var ps = rendered.Single("StatefulSet", "ps");
        Assert.Equal(servers, (int)ps["spec"]!["replicas"]!);
        Assert.True(int.Parse(cluster["shards"], System.Globalization.CultureInfo.InvariantCulture) >= servers);
        // The learners are given one address: the servers' Service.
        var grpcPort = (int)Containers(ps["spec"]!["template"]!.AsObject()).Single()["ports"]!.AsArray().Single(p => (string)p!["name"]! == "grpc")!["containerPort"]!;
        Assert.Equal($"http://{(string)ps["spec"]!["serviceName"]!}:{grpcPort}", cluster["ps"]);
        // The servers' Redis is the Redis Service.
        var redis = rendered.Single("Service", "redis");
        var server = ContainerReplica.Of(rendered, "ps", Containers(ps["spec"]!["template"]!.AsObject()).Single(), 0);
        Assert.Equal($"{Name(redis)}:{(int)redis["spec"]!["ports"]![0]!["port"]!}", server.Arg("--redis"));

        var learners = int.Parse(cluster["learners"], System.Globalization.CultureInfo.InvariantCulture);
        var job = rendered.Single("Job", "learners");
        Assert.Equal("Indexed", (string)job["spec"]!["completionMode"]!);
        Assert.Equal(learners, (int)job["spec"]!["completions"]!);
        Assert.Equal(learners, (int)job["spec"]!["parallelism"]!);
        Assert.Equal(Enumerable.Range(0, learners).Select(k => $"learner-{k}.json"), rendered.ConfigMapData("learners").Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_option_and_variable_is_one_the_program_accepts_and_the_ports_are_where_it_listens(string overlay)
    {
        var rendered = Render(overlay);
        using var mounts = new TemporaryDirectory();
        foreach (var (kind, name, pod) in rendered.OurPodTemplates())
        {
            var container = Containers(pod).Single();
            var replica = ContainerReplica.Of(rendered, name, container, index: 1).Mounted(rendered, pod, container, Path.Combine(mounts.Path, name), "token");
            var program = ProgramOptions.Resolve(ProgramOptions.Assembly(replica.Command), replica.Args, replica.Environment);

            Assert.All(replica.Args, a => Assert.True(program.Accepts(a.Split('=')[0]), $"{name}: {a} is not an option of {replica.Command}"));
            foreach (var variable in replica.Environment.Keys)
            {
                // PSTRAINING_ variables are options; the others exist to be expanded into them (or into the args), or are
                // what Orleans' Kubernetes hosting reads in a cluster member.
                var used = program.HasVariable(variable)
                           || program.Accepts("--cluster") && program["--cluster"] == "kubernetes" && OrleansHostingVariables.Contains(variable)
                           || container["env"]!.AsArray().Any(e => References((string?)e!["value"] ?? "").Contains(variable))
                           || container["args"]!.AsArray().Any(a => References((string)a!).Contains(variable));
                Assert.True(used, $"{name}: {variable} is neither an option of {replica.Command} nor used by another variable or argument");
            }

            var ports = container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);
            Assert.Equal($"{ports["metrics"]}", program["--metrics-port"]);
            Assert.Equal("any", program["--listen"]);
            Assert.Equal($"{ports["metrics"]}", (string)pod["metadata"]!["annotations"]!["prometheus.io/port"]!);
            if (kind == "StatefulSet")
            {
                Assert.Equal($"{ports["grpc"]}", program["--port"]);
                Assert.Equal("kubernetes", program["--cluster"]);
                Assert.Equal($"{ports["silo"]}", program["--silo-port"]);
                Assert.Equal(rendered.ConfigMapData("cluster")["shards"], program["--cluster-shards"]);
                foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                {
                    Assert.Equal(ports["grpc"], (int)container[probe]!["grpc"]!["port"]!);
                }

                var service = rendered.Single("Service", "ps");
                Assert.All(service["spec"]!["ports"]!.AsArray(), p => Assert.Contains((string)p!["targetPort"]!, ports.Keys));
            }
            else
            {
                Assert.Equal("learner-1", program["--name"]);
                Assert.Equal("1", program["--shard-index"]);
                Assert.Equal(rendered.ConfigMapData("cluster")["ps"], program["--ps"]);

                // Replica 1 takes its speed and device from learner-1.json, whose every key is an option.
                var config = JsonNode.Parse(rendered.ConfigMapData("learners")["learner-1.json"])!.AsObject();
                Assert.All(config, p => Assert.True(program.Accepts("--" + p.Key), $"learner-1.json: {p.Key} is not an option"));
                Assert.Equal((string)config["speed"]!, program["--speed"]);
                Assert.Equal((string)config["device"]!, program["--device"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_has_resources_and_runs_as_a_non_root_user_on_a_read_only_root(string overlay)
    {
        foreach (var (_, name, pod) in Render(overlay).PodTemplates())
        {
            var security = pod["spec"]!["securityContext"]!;
            Assert.True((bool)security["runAsNonRoot"]!, name);
            Assert.NotEqual(0, (int)security["runAsUser"]!);
            foreach (var container in AllContainers(pod))
            {
                foreach (var bound in new[] { "requests", "limits" })
                {
                    Assert.NotNull(container["resources"]?[bound]?["cpu"]);
                    Assert.NotNull(container["resources"]?[bound]?["memory"]);
                }

                Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
                Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
                Assert.Contains("ALL", container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
                // A read-only root still needs a writable /tmp for the .NET runtime.
                Assert.Contains("/tmp", container["volumeMounts"]!.AsArray().Select(m => (string)m!["mountPath"]!));
            }
        }
    }

    /// <summary>
    /// Issue 19: the server image holds no tensor library, so each server pod's init container (the learner image)
    /// writes the seeded model's initial weights to a volume the server reads them from: the same file, the model and
    /// seed the learners train with, every option one the learner accepts.
    /// </summary>
    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_server_reads_the_initial_weights_its_init_container_writes_for_the_learners_model(string overlay)
    {
        var rendered = Render(overlay);
        using var mounts = new TemporaryDirectory();
        var pod = rendered.Single("StatefulSet", "ps")["spec"]!["template"]!.AsObject();
        var init = InitContainers(pod).Single();
        var server = Containers(pod).Single();
        var writer = ContainerReplica.Of(rendered, "ps", init, 0);
        Assert.Equal("/app/PsTraining.Learner", writer.Command);
        var program = ProgramOptions.Resolve(ProgramOptions.Assembly(writer.Command), writer.Args, writer.Environment);
        Assert.All(writer.Args, a => Assert.True(program.Accepts(a.Split('=')[0]), $"initial-weights: {a} is not an option of {writer.Command}"));
        Assert.All(writer.Environment.Keys, v => Assert.True(program.HasVariable(v), $"initial-weights: {v} is not an option of {writer.Command}"));

        var file = program["--write-initial-weights"]!;
        Assert.Equal(file, ContainerReplica.Of(rendered, "ps", server, 0).Arg("--initial-weights"));
        var folder = Path.GetDirectoryName(file)!;
        var written = init["volumeMounts"]!.AsArray().Single(m => (string)m!["mountPath"]! == folder)!;
        var read = server["volumeMounts"]!.AsArray().Single(m => (string)m!["mountPath"]! == folder)!;
        Assert.Equal((string)written["name"]!, (string)read["name"]!);
        Assert.True((bool?)read["readOnly"] == true);
        Assert.NotNull(pod["spec"]!["volumes"]!.AsArray().Single(v => (string)v!["name"]! == (string)written["name"]!)!["emptyDir"]);

        var learnerPod = rendered.Single("Job", "learners")["spec"]!["template"]!.AsObject();
        var learnerContainer = Containers(learnerPod).Single();
        var learner = ContainerReplica.Of(rendered, "learners", learnerContainer, 0).Mounted(rendered, learnerPod, learnerContainer, mounts.Path, "token");
        var trains = ProgramOptions.Resolve(ProgramOptions.Assembly(learner.Command), learner.Args, learner.Environment);
        Assert.Equal((trains["--model"], trains["--seed"]), (program["--model"], program["--seed"]));
        Assert.Equal((rendered.ConfigMapData("cluster")["model"], rendered.ConfigMapData("cluster")["seed"]), (program["--model"], program["--seed"]));
        Assert.Equal((string)learnerContainer["image"]!, (string)init["image"]!);
        Assert.EndsWith("/pstraining-server:cpu", (string)server["image"]!); // the CPU server image, in every overlay
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_token_comes_from_the_secret_and_the_servers_keep_their_checkpoints_on_one_shared_volume(string overlay)
    {
        var rendered = Render(overlay);
        foreach (var (_, name, pod) in rendered.OurPodTemplates())
        {
            var container = Containers(pod).Single();
            var tokenFile = ContainerReplica.Of(rendered, name, container, 0).Arg("--auth-token-file")!;
            var mount = container["volumeMounts"]!.AsArray().Single(m => (string)m!["mountPath"]! == Path.GetDirectoryName(tokenFile))!;
            var volume = pod["spec"]!["volumes"]!.AsArray().Single(v => (string)v!["name"]! == (string)mount["name"]!)!;
            Assert.Equal("pstraining-auth", (string)volume["secret"]!["secretName"]!);
        }

        var ps = rendered.Single("StatefulSet", "ps");
        var checkpoints = ContainerReplica.Of(rendered, "ps", Containers(ps["spec"]!["template"]!.AsObject()).Single(), 0).Arg("--checkpoint-dir");
        // One claim that every server mounts (ReadWriteMany): any server can load any shard's checkpoints.
        Assert.Null(ps["spec"]!["volumeClaimTemplates"]);
        var claim = rendered.Single("PersistentVolumeClaim");
        Assert.Equal(["ReadWriteMany"], claim["spec"]!["accessModes"]!.AsArray().Select(m => (string)m!));
        var shared = ps["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["persistentVolumeClaim"]?["claimName"] == Name(claim))!;
        var mounted = Containers(ps["spec"]!["template"]!.AsObject()).Single()["volumeMounts"]!.AsArray().Single(m => (string)m!["name"]! == (string)shared["name"]!)!;
        Assert.Equal(checkpoints, (string)mounted["mountPath"]!);
        Assert.True((int)ps["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]! >= 30);
    }

    [Fact]
    public void The_gpu_overlay_gives_each_learner_a_gpu_and_cuda_the_cpu_overlay_neither()
    {
        JsonNode Limits(RenderedManifests r) => Containers(r.Single("Job", "learners")["spec"]!["template"]!.AsObject()).Single()["resources"]!["limits"]!;
        var gpu = Render("k8s/overlays/gpu");
        Assert.Equal("1", (string)Limits(gpu)["nvidia.com/gpu"]!);
        Assert.All(gpu.ConfigMapData("learners").Values, json => Assert.Equal("cuda", (string)JsonNode.Parse(json)!["device"]!));
        Assert.EndsWith(":cuda", (string)Containers(gpu.Single("Job", "learners")["spec"]!["template"]!.AsObject()).Single()["image"]!);

        var cpu = Render("k8s/overlays/cpu");
        Assert.Null(Limits(cpu)["nvidia.com/gpu"]);
        Assert.All(cpu.ConfigMapData("learners").Values, json => Assert.Equal("cpu", (string)JsonNode.Parse(json)!["device"]!));
        // The learners run at different speeds, by index.
        Assert.Equal(2, cpu.ConfigMapData("learners").Values.Select(json => (string)JsonNode.Parse(json)!["speed"]!).Distinct().Count());
    }

    [Fact]
    public void The_redis_checkpoints_component_moves_the_checkpoints_from_the_shared_volume_into_redis()
    {
        using var temporary = new TemporaryDirectory();
        CopyTree(DeployDirectory, temporary.Path);
        Directory.CreateDirectory(Path.Combine(temporary.Path, "with-redis-checkpoints"));
        File.WriteAllText(Path.Combine(temporary.Path, "with-redis-checkpoints", "kustomization.yaml"),
            "resources:\n  - ../k8s/overlays/cpu\ncomponents:\n  - ../k8s/components/redis-checkpoints\n");
        var rendered = Render(Path.Combine(temporary.Path, "with-redis-checkpoints"));

        Assert.Empty(rendered.OfKind("PersistentVolumeClaim"));
        var pod = rendered.Single("StatefulSet", "ps")["spec"]!["template"]!.AsObject();
        var container = Containers(pod).Single();
        Assert.DoesNotContain("checkpoints", pod["spec"]!["volumes"]!.AsArray().Select(v => (string)v!["name"]!));
        Assert.DoesNotContain("checkpoints", container["volumeMounts"]!.AsArray().Select(m => (string)m!["name"]!));
        // The server takes the options as they now stand (it refuses --checkpoint-redis without a Redis cluster, or beside --checkpoint-dir).
        using var mounts = new TemporaryDirectory();
        var replica = ContainerReplica.Of(rendered, "ps", container, 0).Mounted(rendered, pod, container, mounts.Path, "token");
        var program = ProgramOptions.Resolve(ProgramOptions.Assembly(replica.Command), replica.Args, replica.Environment);
        Assert.Equal("true", program["--checkpoint-redis"]);
        Assert.Equal("", program["--checkpoint-dir"]);
        Assert.Contains("--appendonly yes", string.Join(' ', Containers(rendered.Single("Deployment", "redis")["spec"]!["template"]!.AsObject()).Single()["args"]!.AsArray().Select(a => (string)a!)));
    }

    [Fact]
    public void Grafana_gets_the_dashboard_and_prometheus_operator_users_get_monitors_that_select_the_pods()
    {
        var rendered = Render("k8s/overlays/cpu");
        var dashboard = rendered.Single("ConfigMap", "pstraining-dashboard");
        Assert.Equal("1", (string)dashboard["metadata"]!["labels"]!["grafana_dashboard"]!);
        Assert.Equal(File.ReadAllText(Path.Combine(DeployDirectory, "grafana", "dashboards", "pstraining.json")).TrimEnd(),
            ((string)dashboard["data"]!["pstraining.json"]!).TrimEnd());

        // The monitors are a component (they need prometheus-operator's CRDs): render it onto the cpu overlay.
        using var temporary = new TemporaryDirectory();
        var copy = temporary.Path;
        CopyTree(DeployDirectory, copy);
        Directory.CreateDirectory(Path.Combine(copy, "with-monitors"));
        File.WriteAllText(Path.Combine(copy, "with-monitors", "kustomization.yaml"),
            "resources:\n  - ../k8s/overlays/cpu\ncomponents:\n  - ../k8s/components/prometheus-operator\n");
        var monitored = Render(Path.Combine(copy, "with-monitors"));
        Assert.All(monitored.Objects, o => Assert.Equal(ApiVersions[Kind(o)], (string)o["apiVersion"]!));
        var service = monitored.Single("Service", "ps");
        AssertSubset(Labels(monitored.Single("ServiceMonitor", "ps")["spec"]!["selector"]!["matchLabels"]), Labels(service["metadata"]!["labels"]));
        Assert.Contains((string)monitored.Single("ServiceMonitor", "ps")["spec"]!["endpoints"]![0]!["port"]!, service["spec"]!["ports"]!.AsArray().Select(p => (string)p!["name"]!));
        var learnerPod = monitored.Single("Job", "learners")["spec"]!["template"]!.AsObject();
        AssertSubset(Labels(monitored.Single("PodMonitor", "learners")["spec"]!["selector"]!["matchLabels"]), Labels(learnerPod["metadata"]!["labels"]));
        Assert.Contains((string)monitored.Single("PodMonitor", "learners")["spec"]!["podMetricsEndpoints"]![0]!["port"]!,
            Containers(learnerPod).Single()["ports"]!.AsArray().Select(p => (string)p!["name"]!));
    }

    /// <summary>The pod's variables that Orleans' Kubernetes hosting reads, as the library names them.</summary>
    private static readonly HashSet<string> OrleansHostingVariables =
    [
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodNameEnvironmentVariable,
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodIPEnvironmentVariable,
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.ServiceIdEnvironmentVariable,
        Orleans.Hosting.Kubernetes.KubernetesHostingOptions.ClusterIdEnvironmentVariable,
    ];

    /// <summary>A folder under the system's temporary one, deleted on dispose.</summary>
    internal sealed class TemporaryDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("pstraining-deploy-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    private static void AssertSubset(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels)
    {
        Assert.NotEmpty(selector);
        Assert.All(selector, s => Assert.True(labels.TryGetValue(s.Key, out var v) && v == s.Value, $"the selector {s.Key}={s.Value} is not among the labels"));
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
