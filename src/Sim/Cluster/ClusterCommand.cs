using System.CommandLine;
using System.Globalization;
using PsTraining.Hosting;

namespace PsTraining.Sim.Cluster;

/// <summary><c>cluster</c>: one parameter server (or a cluster of them) and N learner processes of different speeds on this machine, with a live view and fault injection.</summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var d = new ClusterOptions();
        var learners = new Option<int>("--learners") { Description = "learner processes", DefaultValueFactory = _ => d.Learners };
        var servers = new Option<int>("--servers") { Description = "parameter-server processes: 1 is a lone server; N > 1 form a cluster (Orleans silos, Redis clustering on a redis-server started here) that shares the model's shards (ports --port+K and --metrics-port+K when given)", DefaultValueFactory = _ => d.Servers };
        var shards = new Option<int>("--shards") { Description = "shards of the model in a cluster (default: four per server)" };
        var checkpointInterval = new Option<double>("--checkpoint-interval") { Description = "seconds between the servers' checkpoints", DefaultValueFactory = _ => d.CheckpointInterval };
        var killServer = new Option<string[]>("--kill-server") { Description = "fault injection, repeatable: K@T kills server K (0-based) with SIGKILL T seconds into the run", AllowMultipleArgumentsPerToken = false };
        var restartAfter = new Option<double>("--restart-after") { Description = "start a killed server again this many seconds after its kill (0 = never)" };
        var speeds = new Option<string?>("--speeds") { Description = "relative speed factor of each learner, e.g. 2.5,1 (default 2.5,1 for 2 learners, else all 1)" };
        var baseStep = new Option<string>("--base-step-time") { Description = "seconds per gradient at speed 1; a learner's compute is padded with waiting up to it (0 = as fast as it computes)", DefaultValueFactory = _ => d.BaseStepTime.ToString(CultureInfo.InvariantCulture) };
        var model = new Option<string>("--model") { Description = "model by registry name", DefaultValueFactory = _ => d.Model };
        var policy = new Option<string>("--policy") { Description = "asp, ssp:S or bsp", DefaultValueFactory = _ => d.Policy };
        var lr = new Option<double>("--learning-rate") { Description = "the server's SGD learning rate", DefaultValueFactory = _ => d.LearningRate };
        var batch = new Option<int>("--batch-size") { Description = "minibatch per gradient", DefaultValueFactory = _ => d.BatchSize };
        var duration = new Option<double>("--duration") { Description = "seconds each learner trains (0 = until --steps)", DefaultValueFactory = _ => d.Duration };
        var steps = new Option<long>("--steps") { Description = "gradients each learner pushes (0 = until --duration)" };
        var trainSamples = new Option<int>("--train-samples") { Description = "training images shared out among the learners (0 = all 60,000)" };
        var testSamples = new Option<int>("--test-samples") { Description = "held-out images per evaluation (0 = none)", DefaultValueFactory = _ => d.TestSamples };
        var evalEvery = new Option<int>("--eval-every") { Description = "each learner evaluates every this many steps", DefaultValueFactory = _ => d.EvalEvery };
        var seed = new Option<int>("--seed") { Description = "seed of the initial weights and the data order", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { Description = "libtorch threads per learner (0 = the cores shared out)" };
        var startDelay = new Option<double>("--start-delay") { Description = "seconds for the learners to load data before their common step clock starts", DefaultValueFactory = _ => d.StartDelay };
        var port = new Option<int>("--port") { Description = "the parameter server's gRPC port (0 = a free one)" };
        var metricsPort = new Option<int>("--metrics-port") { Description = "the parameter server's /metrics port (0 = a free one, -1 = none)", DefaultValueFactory = _ => d.MetricsPort };
        var prometheus = new Option<bool>("--prometheus") { Description = "start Debian's prometheus beside the run, scraping the server and every learner each second" };
        var prometheusPort = new Option<int>("--prometheus-port") { Description = "the port of that Prometheus (its web UI and API)", DefaultValueFactory = _ => d.PrometheusPort };
        var linger = new Option<double>("--linger") { Description = "seconds the server (and Prometheus) keep serving after the learners finish, for the dashboards" };
        var output = new Option<string?>("--out") { Description = "run directory (default runs/cluster-TIMESTAMP)" };
        var learnerArgs = new Option<string[]>("--learner-arg") { Description = "an extra learner option for every learner, repeatable: --learner-arg=--jitter --learner-arg=0.1", AllowMultipleArgumentsPerToken = false };
        var command = new Command("cluster", "Run one parameter server (or a cluster of several) and learner processes of different speeds on this machine, with a live view, fault injection and a run directory.")
        {
            learners, servers, shards, checkpointInterval, killServer, restartAfter, speeds, baseStep, model, policy, lr, batch, duration, steps, trainSamples, testSamples, evalEvery, seed, threads, startDelay, port, metricsPort, prometheus, prometheusPort, linger, output, learnerArgs,
        };
        command.SetAction(async (parse, _) =>
        {
            ClusterOptions options;
            try
            {
                var n = parse.GetValue(learners);
                options = new ClusterOptions
                {
                    Learners = n,
                    Servers = parse.GetValue(servers),
                    Shards = parse.GetValue(shards),
                    CheckpointInterval = parse.GetValue(checkpointInterval),
                    KillServers = parse.GetValue(killServer) ?? [],
                    RestartAfter = parse.GetValue(restartAfter),
                    Speeds = parse.GetValue(speeds) is { } s ? ClusterOptions.ParseList(s, "--speeds") : n == 2 ? d.Speeds : Enumerable.Repeat(1m, Math.Max(0, n)).ToList(),
                    BaseStepTime = ClusterOptions.ParseList(parse.GetValue(baseStep)!, "--base-step-time").Single(),
                    Model = parse.GetValue(model)!,
                    Policy = parse.GetValue(policy)!,
                    LearningRate = parse.GetValue(lr),
                    BatchSize = parse.GetValue(batch),
                    Duration = parse.GetValue(duration),
                    Steps = parse.GetValue(steps),
                    TrainSamples = parse.GetValue(trainSamples),
                    TestSamples = parse.GetValue(testSamples),
                    EvalEvery = parse.GetValue(evalEvery),
                    Seed = parse.GetValue(seed),
                    Threads = parse.GetValue(threads),
                    StartDelay = parse.GetValue(startDelay),
                    Port = parse.GetValue(port),
                    MetricsPort = parse.GetValue(metricsPort),
                    Prometheus = parse.GetValue(prometheus),
                    PrometheusPort = parse.GetValue(prometheusPort),
                    Linger = parse.GetValue(linger),
                    Out = parse.GetValue(output),
                    LearnerArgs = parse.GetValue(learnerArgs) ?? [],
                };
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            var errors = options.Validate();
            if (errors.Count > 0)
            {
                foreach (var e in errors)
                {
                    Console.Error.WriteLine(e);
                }

                return 2;
            }

            // Ctrl-C and SIGTERM end the run cleanly: the launcher stops every process it started before it exits.
            using var interrupt = new StopSignals();
            try
            {
                return await new ClusterRun(options, Console.Out).RunAsync(interrupt.Token);
            }
            catch (InvalidOperationException e)
            {
                // A process that cannot be started, or a port that is taken: everything started so far has been stopped.
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
