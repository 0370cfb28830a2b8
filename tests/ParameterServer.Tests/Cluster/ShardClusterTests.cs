using PsTraining.TestSupport;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using PsTraining.Hosting;
using PsTraining.ParameterServer.Durability;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Routing;
using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Tests.Cluster;

/// <summary>
/// A cluster of real parameter-server processes (Orleans silos with Redis clustering on a real redis-server) and real
/// learner processes on loopback: routes from one address, a server killed mid-run, a server stopped, Redis missing.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed partial class ShardClusterTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _dir = Directory.CreateTempSubdirectory("pstraining-shards-").FullName;
    private readonly List<IDisposable> _processes = [];

    public void Dispose()
    {
        _processes.AsEnumerable().Reverse().ToList().ForEach(p => p.Dispose());
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_learner_finds_every_shard_from_one_address(int servers)
    {
        var redis = await StartRedis();
        var addresses = await Task.WhenAll(Enumerable.Range(0, servers).Select(k => StartServer(k, redis, "--cluster-shards", $"{2 * servers}")));

        using var seed = new ParameterServerClient(addresses[0]);
        var table = await seed.GetRoutesAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("lenet5", table.Model);
        Assert.Equal(2 * servers, table.Routes.Count);
        Assert.Equal(Enumerable.Range(0, 2 * servers).Select(s => (uint)s), table.Routes.Select(r => r.Shard));
        Assert.Equal(0UL, table.Routes[0].Start);
        Assert.All(table.Routes.Zip(table.Routes.Skip(1)), p => Assert.Equal(p.First.Start + p.First.Length, p.Second.Start));
        Assert.Equal(table.TotalLength, table.Routes[^1].Start + table.Routes[^1].Length);
        // Every server holds two shards: placement spreads them evenly over the servers up when they are first placed.
        Assert.All(addresses, a => Assert.Equal(2, table.Routes.Count(r => new Uri(r.Address) == a)));
        // Any server gives the same table.
        using (var other = new ParameterServerClient(addresses[^1]))
        {
            Assert.Equal(table, await other.GetRoutesAsync(TimeSpan.FromSeconds(30)));
        }

        foreach (var route in table.Routes)
        {
            // The owner serves the shard's range; any other server refuses it as not the owner, and so does the owner for another generation.
            using var owner = new ParameterServerClient(new Uri(route.Address), new ParameterServerClientOptions { Route = RouteBook(route) });
            var registered = await owner.RegisterAsync(new RegisterRequest { Name = "probe" }, TimeSpan.FromSeconds(10));
            Assert.Equal(route.Length, (ulong)registered.Layout.Sum(t => t.Shape.Aggregate(1L, (a, d) => a * d)));
            var elsewhere = addresses.First(a => a != new Uri(route.Address));
            using var wrong = new ParameterServerClient(elsewhere, new ParameterServerClientOptions { Route = RouteBook(route) });
            Assert.True(ShardKey.IsNotOwner(await Assert.ThrowsAsync<RpcException>(() => wrong.GetStatsAsync(TimeSpan.FromSeconds(10)))));
            using var stale = new ParameterServerClient(new Uri(route.Address), new ParameterServerClientOptions { Route = RouteBook(route) with { Generation = route.Generation + 1 } });
            var refused = await Assert.ThrowsAsync<RpcException>(() => stale.GetStatsAsync(TimeSpan.FromSeconds(10)));
            Assert.True(ShardKey.IsNotOwner(refused));
            Assert.Contains($"holds generation {route.Generation}", refused.Status.Detail);
        }

        // A call that names no shard is refused too: a cluster member must be told which shard.
        Assert.True(ShardKey.IsNotOwner(await Assert.ThrowsAsync<RpcException>(() => seed.GetStatsAsync(TimeSpan.FromSeconds(10)))));

        // A learner given only the first address pushes to every shard at its owner.
        var records = new List<Push>();
        using var learner = StartLearner(addresses[0], records, "--steps", "30");
        Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));
        Assert.Equal(30, Count(records));
        Assert.All(records, r => Assert.Equal(2 * servers, r.Versions!.Length));
        Assert.Equal(Enumerable.Range(1, 30).Select(v => (ulong)v), records.Select(r => r.Versions!.Max()));
    }

    [Fact]
    public async Task One_process_is_a_cluster_of_its_own_with_localhost_clustering_and_nothing_to_install()
    {
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll", [.. TestWeights.Args("lenet5"), "--cluster", "localhost", "--cluster-shards", "3", "--port", "0", "--metrics-port", "-1"],
            Path.Combine(_dir, "ps.log"), line =>
            {
                if (ListeningPattern().Match(line) is { Success: true } m)
                {
                    listening.TrySetResult(new Uri(m.Groups[1].Value));
                }
            });
        _processes.Add(server);
        Assert.True(await Task.WhenAny(listening.Task, server.Exited) == listening.Task, server.Tail());
        var address = await listening.Task;

        var records = new List<Push>();
        using var learner = StartLearner(address, records, "--steps", "20");
        Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));
        Assert.Equal(20, Count(records));
        Assert.Equal([20UL, 20UL, 20UL], records[^1].Versions!); // each of the 3 shards took every push once
        using var client = new ParameterServerClient(address);
        var table = await client.GetRoutesAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, table.Routes.Count);
        Assert.All(table.Routes, r => Assert.Equal("", r.Address)); // one process: every shard is at the address the learner called
        Assert.All(table.Routes, r => Assert.Equal(1UL, r.Generation));
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("redis")]
    public async Task A_server_killed_mid_run_hands_its_shards_to_the_survivor_from_their_checkpoints(string store)
    {
        var redis = await StartRedis();
        var checkpoints = Path.Combine(_dir, "checkpoints");
        string[] durable = ["--cluster-shards", "4", "--checkpoint-interval", "0.5", .. store == "redis" ? ["--checkpoint-redis"] : new[] { "--checkpoint-dir", checkpoints }];
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Address);
        ICheckpointStore Checkpoints(int shard) => store == "redis"
            ? new RedisCheckpointStore(connection.GetDatabase(), $"pstraining:pstraining:shard-{shard}")
            : new CheckpointStore(Path.Combine(checkpoints, $"shard-{shard}"));
        var addresses = await Task.WhenAll(Enumerable.Range(0, 2).Select(k => StartServer(k, redis, durable)));
        using var seed = new ParameterServerClient(addresses[0]);
        var before = await seed.GetRoutesAsync(TimeSpan.FromSeconds(30));
        var moved = before.Routes.Where(r => new Uri(r.Address) == addresses[1]).Select(r => (int)r.Shard).ToList();
        Assert.Equal(2, moved.Count);

        var records = new List<Push>();
        using var learner = StartLearner(addresses[0], records, "--steps", "200", "--step-time", "0.04", "--retry-timeout", "90");
        await WaitUntil(() => Count(records) >= 60, learner);
        var victim = _servers[1];
        victim.Process.Kill(); // SIGKILL: nothing more is written
        await victim.Exited;
        // What the dead server left: the newest checkpoint of each of its shards. Nobody writes them until a survivor loads them.
        var lastCheckpoint = moved.ToDictionary(s => s, s => Checkpoints(s).LoadNewest([])!.State.Version);
        var atKill = Count(records);

        Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));
        Assert.True(Count(records) - atKill >= 50, $"only {Count(records) - atKill} steps after the kill");
        var log = File.ReadAllText(Path.Combine(_dir, "ps-0.log"));
        var after = await seed.GetRoutesAsync(TimeSpan.FromSeconds(30));
        Assert.All(after.Routes, r => Assert.Equal(addresses[0], new Uri(r.Address)));
        var totalLost = 0UL;
        foreach (var route in after.Routes)
        {
            var s = (int)route.Shard;
            using var owner = new ParameterServerClient(addresses[0], new ParameterServerClientOptions { Route = RouteBook(route) });
            var stats = await owner.GetStatsAsync(TimeSpan.FromSeconds(10));
            // No push applied twice (nor skipped): one learner's pushes, each applied once, make the version its last sequence number.
            Assert.Equal(stats.Learners.Single(l => l.Name == "learner-1").LastSequence, stats.Version);

            // The pushes acknowledged by the shard's old owner: those the learner recorded before it found the shard moved.
            var moves = records.Select((r, i) => (r, i)).Where(e => e.r.MovedShard == s).ToList();
            if (moves.Count == 0)
            {
                Assert.DoesNotContain(s, moved);
                Assert.Equal(0UL, stats.LostUpdates);
                continue;
            }

            // The shard came back under its new generation at its last checkpoint (for a moved shard: the newest its dead owner wrote), not further back.
            var resumed = Regex.Match(log, $@"shard {s} \(generation {route.Generation}\) resumed from \S+ at version (\d+)");
            Assert.True(resumed.Success, log);
            var resumedAt = ulong.Parse(resumed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (moved.Contains(s))
            {
                Assert.Equal(lastCheckpoint[s], resumedAt);
            }

            // The updates lost: exactly the pushes acknowledged after that checkpoint.
            var acknowledged = records.Take(moves[0].i).Where(r => r.Versions is not null).Max(r => r.Versions![s]);
            Assert.Equal(acknowledged > resumedAt ? acknowledged - resumedAt : 0, stats.LostUpdates);
            totalLost += stats.LostUpdates;
        }

        Assert.Contains("shard", File.ReadAllText(Path.Combine(_dir, "learner-1.log")));
        Assert.Contains(" moved from ", File.ReadAllText(Path.Combine(_dir, "learner-1.log")));
        if (totalLost > 0)
        {
            Assert.Contains("update(s) lost", log);
        }
    }

    [Fact]
    public async Task A_server_stopped_hands_its_shards_over_with_nothing_lost()
    {
        var redis = await StartRedis();
        string[] durable = ["--cluster-shards", "4", "--checkpoint-dir", Path.Combine(_dir, "checkpoints"), "--checkpoint-interval", "60"];
        var addresses = await Task.WhenAll(Enumerable.Range(0, 2).Select(k => StartServer(k, redis, durable)));
        var records = new List<Push>();
        using var learner = StartLearner(addresses[0], records, "--steps", "120", "--step-time", "0.04");
        await WaitUntil(() => Count(records) >= 40, learner);
        await _servers[1].StopAsync(TimeSpan.FromSeconds(30)); // SIGTERM: its shards are checkpointed as they are released
        Assert.Equal(0, await _servers[1].Exited);

        Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));
        Assert.True(Count(records) >= 110, $"{Count(records)} of 120 steps recorded"); // a step whose pushes failed on the stopped server is not

        using var seed = new ParameterServerClient(addresses[0]);
        foreach (var route in (await seed.GetRoutesAsync(TimeSpan.FromSeconds(30))).Routes)
        {
            using var owner = new ParameterServerClient(addresses[0], new ParameterServerClientOptions { Route = RouteBook(route) });
            var stats = await owner.GetStatsAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0UL, stats.LostUpdates);
            Assert.Equal(stats.Learners.Single(l => l.Name == "learner-1").LastSequence, stats.Version); // each push applied once
            Assert.True(stats.Version >= 110, $"shard {route.Shard} at version {stats.Version}");
        }

        Assert.Contains(" moved from ", File.ReadAllText(Path.Combine(_dir, "learner-1.log")));
    }

    [Fact]
    public async Task A_server_restarted_serves_its_shards_under_a_new_generation_and_the_learner_follows()
    {
        var redis = await StartRedis();
        var port = LoopbackPort.Free();
        string[] args = ["--port", $"{port}", "--cluster-shards", "2", "--checkpoint-dir", Path.Combine(_dir, "checkpoints"), "--checkpoint-interval", "60"];
        var address = await StartServer(0, redis, args);
        var records = new List<Push>();
        using var learner = StartLearner(address, records, "--steps", "100", "--step-time", "0.04");
        await WaitUntil(() => Count(records) >= 30, learner);
        await _servers[0].StopAsync(TimeSpan.FromSeconds(30)); // its shards are checkpointed as they are released
        Assert.Equal(0, await _servers[0].Exited);
        _servers.Clear();
        Assert.Equal(address, await StartServer(0, redis, args)); // the same address; Redis remembers the shards' generations

        Assert.Equal(0, await learner.Exited.WaitAsync(Timeout));
        using var client = new ParameterServerClient(address);
        foreach (var route in (await client.GetRoutesAsync(TimeSpan.FromSeconds(30))).Routes)
        {
            Assert.Equal(2UL, route.Generation);
            using var owner = new ParameterServerClient(address, new ParameterServerClientOptions { Route = RouteBook(route) });
            var stats = await owner.GetStatsAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0UL, stats.LostUpdates);
            Assert.Equal(stats.Learners.Single(l => l.Name == "learner-1").LastSequence, stats.Version);
        }

        // The learner's calls named generation 1 until it read the routes again: then the same server, generation 2.
        var log = File.ReadAllText(Path.Combine(_dir, "learner-1.log"));
        foreach (var shard in new[] { 0, 1 })
        {
            Assert.Contains($"shard {shard} moved from {address} (generation 1) to {address.ToString().TrimEnd('/')} (generation 2)", log);
        }
    }

    [Fact]
    public async Task Redis_unavailable_at_start_is_a_clear_error_that_names_it()
    {
        var port = LoopbackPort.Free(); // nothing listens there
        var server = ChildProcess.Start("ps", "PsTraining.ParameterServer.dll",
            [.. TestWeights.Args("lenet5"), "--cluster", "redis", "--redis", $"127.0.0.1:{port}", "--port", "0", "--metrics-port", "-1"], Path.Combine(_dir, "ps.log"));
        _processes.Add(server);
        Assert.Equal(2, await server.Exited.WaitAsync(Timeout));
        Assert.Contains($"cannot reach Redis at 127.0.0.1:{port} (--redis)", File.ReadAllText(Path.Combine(_dir, "ps.log")));
    }

    private readonly List<ChildProcess> _servers = [];

    private async Task<RedisServer> StartRedis()
    {
        var redis = await RedisServer.StartAsync(Path.Combine(_dir, "redis.log"));
        _processes.Add(redis);
        return redis;
    }

    /// <summary>Starts server <paramref name="k"/> as a member of the Redis cluster; its gRPC address once it listens.</summary>
    private async Task<Uri> StartServer(int k, RedisServer redis, params string[] extra)
    {
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = ChildProcess.Start($"ps-{k}", "PsTraining.ParameterServer.dll",
            [.. TestWeights.Args("lenet5"), "--cluster", "redis", "--redis", redis.Address, .. extra.Contains("--port") ? extra : ["--port", "0", .. extra], "--metrics-port", "-1", "--status-interval", "1"],
            Path.Combine(_dir, $"ps-{k}.log"),
            line =>
            {
                if (ListeningPattern().Match(line) is { Success: true } m)
                {
                    listening.TrySetResult(new Uri(m.Groups[1].Value));
                }
            });
        lock (_servers)
        {
            _servers.Add(server);
            _servers.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        _processes.Add(server);
        var first = await Task.WhenAny(listening.Task, server.Exited);
        Assert.True(first == listening.Task, server.Tail());
        return await listening.Task;
    }

    private ChildProcess StartLearner(Uri seed, List<Push> records, params string[] extra)
    {
        var learner = ChildProcess.Start("learner-1", "PsTraining.Learner.dll",
            ["--ps", seed.ToString(), "--name", "learner-1", "--train-samples", "3000", "--test-samples", "0", "--threads", "1", "--metrics-port", "-1", .. extra],
            Path.Combine(_dir, "learner-1.log"), line =>
            {
                var e = JsonDocument.Parse(line).RootElement;
                var record = e.GetProperty("kind").GetString() switch
                {
                    "push" => new Push(e.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("appliedVersion").GetUInt64()).ToArray(), null),
                    "route" => new Push(null, e.GetProperty("shard").GetInt32()),
                    _ => null,
                };
                if (record is not null)
                {
                    lock (records)
                    {
                        records.Add(record);
                    }
                }
            }, logOutput: false);
        _processes.Add(learner);
        return learner;
    }

    private static ShardKey RouteBook(ShardRoute route) => new((int)route.Shard, route.Generation);

    private static int Count(List<Push> records)
    {
        lock (records)
        {
            return records.Count(r => r.Versions is not null);
        }
    }

    private static async Task WaitUntil(Func<bool> condition, ChildProcess watched)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Timeout, "timed out");
            Assert.False(watched.Exited.IsCompleted, watched.Tail());
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// One line of the learner's output, in order: a push (the version each shard's push was acknowledged at, in shard
    /// order), or the learner finding a shard at a new owner.
    /// </summary>
    private sealed record Push(ulong[]? Versions, int? MovedShard);

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+) ")]
    private static partial Regex ListeningPattern();
}
