using PsTraining.TestSupport;
using System.Text.RegularExpressions;
using PsTraining.ParameterServer.Durability;
using PsTraining.ParameterServer.Tests.Transport;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.V1;
using Proto = PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Tests.Interop;

/// <summary>The server process killed mid-run with SIGKILL, and stopped with SIGTERM, then restarted on the same checkpoint folder.</summary>
public sealed partial class CrashRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-crash").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sigkill_mid_run_resumes_at_the_last_checkpoint_with_no_corrupt_file()
    {
        string[] args = ["--initial-weights", TestWeights.File("linear-regression"), "--checkpoint-dir", _dir, "--checkpoint-interval", "0.3"];
        ulong pushed;
        using (var server = await ServerProcess.StartAsync(args))
        {
            using var pushing = new CancellationTokenSource();
            var pusher = PushUntilCancelled(server.Port, pushing.Token);
            await WaitUntil(() => new CheckpointStore(_dir).List().Any(c => c.Version >= 20), TimeSpan.FromSeconds(30));
            server.Process.Kill(); // SIGKILL: no chance to write anything more
            await server.Process.WaitForExitAsync();
            pushing.Cancel();
            pushed = await pusher;
        }

        var store = new CheckpointStore(_dir);
        var files = store.List().ToList();
        Assert.NotEmpty(files);
        foreach (var (path, _) in files)
        {
            CheckpointFile.Read(path); // every file on disk verifies: none was left torn
        }

        using var restarted = await ServerProcess.StartAsync(args);
        var resumed = ResumedPattern().Match(string.Join('\n', restarted.Output));
        Assert.True(resumed.Success, string.Join('\n', restarted.Output));
        Assert.Equal(files[0].Version, ulong.Parse(resumed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

        using var client = new ParameterServerClient(new Uri($"http://127.0.0.1:{restarted.Port}"));
        var stats = await client.GetStatsAsync();
        Assert.Equal(files[0].Version, stats.Version);
        Assert.True(pushed >= files[0].Version);
        Assert.Equal(0, await restarted.TerminateAsync());
    }

    [Fact]
    public async Task Sigterm_writes_a_final_checkpoint_so_a_restart_loses_nothing()
    {
        string[] args = ["--initial-weights", TestWeights.File("linear-regression"), "--checkpoint-dir", _dir, "--checkpoint-interval", "3600"];
        ulong final;
        using (var server = await ServerProcess.StartAsync(args))
        {
            // Pushing until 20 updates were acknowledged, not for a fixed time: on a busy machine a second may pass before the first.
            using var pushing = new CancellationTokenSource();
            var seen = 0UL;
            var pusher = PushUntilCancelled(server.Port, pushing.Token, version => Volatile.Write(ref seen, version));
            await WaitUntil(() => Volatile.Read(ref seen) >= 20, TimeSpan.FromSeconds(30));
            pushing.Cancel();
            var acknowledged = await pusher;
            Assert.Equal(0, await server.TerminateAsync());
            var released = ReleasedPattern().Match(server.Output.Single(l => l.Contains("final checkpoint", StringComparison.Ordinal)));
            Assert.True(released.Success, string.Join('\n', server.Output));
            final = ulong.Parse(released.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(final >= acknowledged, $"final checkpoint at {final}, but {acknowledged} was acknowledged");
        }

        using var restarted = await ServerProcess.StartAsync(args);
        var output = string.Join('\n', restarted.Output);
        Assert.Contains($"at version {final}; 0 update(s) lost", output);
        Assert.Equal(0, await restarted.TerminateAsync());
    }

    /// <summary>One learner pushing as fast as it can; returns the last acknowledged version, and tells <paramref name="acknowledged"/> of each.</summary>
    private static async Task<ulong> PushUntilCancelled(int port, CancellationToken stop, Action<ulong>? acknowledged = null)
    {
        using var client = new ParameterServerClient(new Uri($"http://127.0.0.1:{port}"));
        var registered = await client.RegisterAsync(new RegisterRequest { Name = "pusher" });
        var last = 0UL;
        try
        {
            for (var s = registered.LastSequence + 1; !stop.IsCancellationRequested; s++)
            {
                var read = (await client.PullAsync(registered.LearnerId, cancellation: stop)).Version;
                var push = new PushRequest { LearnerId = registered.LearnerId, Sequence = s, ReadVersion = read };
                foreach (var t in registered.Layout)
                {
                    push.Gradients.Add(new Proto.Tensor { Name = t.Name, Shape = { t.Shape }, Values = { Enumerable.Repeat(0.01f, (int)t.Shape.Aggregate(1L, (a, d) => a * d)) } });
                }

                last = (await client.PushAsync(push, cancellation: stop)).Version;
                acknowledged?.Invoke(last);
            }
        }
        catch (RpcException)
        {
            // the server went away (SIGKILL) or the pusher was stopped
        }

        return last;
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"released shard 0 \(generation \d+\) at version (\d+): .*; final checkpoint \S+")]
    private static partial Regex ReleasedPattern();

    [GeneratedRegex(@"resumed from \S+ at version (\d+)")]
    private static partial Regex ResumedPattern();
}
