using PsTraining.Models.Learning;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PsTraining.Models.Data;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.V1;
using TorchSharp;
using PartitionAnswer = (bool Ok, (PsTraining.Protocol.V1.PushResponse Push, ulong? WeightsVersion) Value);
using PsTraining.Protocol;
using PsTraining.Protocol.Routing;

namespace PsTraining.Learner;

/// <summary>
/// The learner's loop: register, then pull → compute the gradient of a minibatch of its shard → wait out the rest of
/// its step time → push (read version, sequence number, loss), until its budget of steps or time is spent or it is
/// asked to stop. The push's response carries the weights right after it, which are the next step's pull (one round
/// trip a step; <c>--separate-pull</c> makes it two; <c>--overlap</c> computes the next gradient while the push is in flight,
/// on the weights read before it). Each applied push and each evaluation is one JSON line on <c>output</c>; what a person reads goes to
/// <c>log</c>. Faults: an unreachable server is retried with bounded, jittered exponential backoff; a retried push
/// keeps its sequence number, so the server applies it once; a server that restarted (from a checkpoint) is
/// registered with again and pulled from afresh. A model sharded over several server processes (<c>--ps A,B,...</c>) is
/// pulled from and pushed to every partition at once, each with its own session, sequence and retries
/// (<see cref="ServerPartition"/>); given one address of a cluster, the learner reads its route table and does the same
/// with every shard at its owner, reading the routes again when a call fails or is refused as not the owner, and
/// telling a shard's new owner which push it last saw acknowledged (<see cref="RouteBook"/>).
/// </summary>
public sealed class Worker(LearnerOptions options, TextWriter output, TextWriter log, Func<string, LearnerInstruments>? instruments = null)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private LearnerInstruments? _instruments;
    private RouteBook? _routes;
    private readonly Lock _output = new();
    private Func<double> _now = () => 0; // the run's clock, as the push records give it

    /// <summary>Exit codes: 0 done or stopped, 3 a server stayed unreachable, 4 a server refused this learner for good.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (options.Threads > 0)
        {
            torch.set_num_threads(options.Threads);
        }

        var train = FashionMnist.Load("train");
        train = (options.TrainSamples > 0 ? train.Take(options.TrainSamples) : train).Padded(2);
        var test = options.TestSamples > 0 ? FashionMnist.Load("test").Take(options.TestSamples).Padded(2) : null;
        using var gradients = new ShardGradients(options.Model, options.ShardCount, options.BatchSize, options.Seed, train, options.Device);
        var clientOptions = new ParameterServerClientOptions { Token = options.Token };
        Backoff NewBackoff(int k) => new(options.RetryTimeout, new SeededRandom(options.Seed * 7919L + options.ShardIndex * 31L + k));
        using var routes = options.Servers.Count == 1 ? new RouteBook(options.Servers[0], clientOptions, options.CallTimeout) : null;
        var table = routes is null ? null : await ReadRoutesAsync(routes, NewBackoff(-1), stop);
        _routes = table is null ? null : routes;
        var servers = table is not null
            ? RouteBook.Partitions(table, gradients.Layout, clientOptions, NewBackoff)
            : options.Servers.Select((address, k) => new ServerPartition(address, ParameterPartition.Of(gradients.Layout, k, options.Servers.Count), clientOptions, NewBackoff(k))).ToList();
        try
        {
            return await RunAsync(servers, gradients, test, stop);
        }
        finally
        {
            servers.ForEach(s => s.Dispose());
        }
    }

    private async Task<int> RunAsync(List<ServerPartition> servers, ShardGradients gradients, ImageDataset? test, CancellationToken stop)
    {
        var name = options.LearnerName;
        var sessions = await Task.WhenAll(servers.Select(s => Call(s, () => Register(s), stop)));
        _instruments = instruments?.Invoke(name);
        var first = sessions[0].Value;
        log.WriteLine($"{name}: registered as learner {first.LearnerId} with {string.Join(", ", servers)} (policy {first.Policy}, version {first.Version}); " +
                      $"shard {options.ShardIndex} of {options.ShardCount}, batch {options.BatchSize}, device {options.Device}, " +
                      $"speed {(options.Speed is null ? "as fast as it computes" : options.Speed)}");

        var weights = new float[gradients.Layout.TotalLength];
        var gradient = new float[gradients.Layout.TotalLength];
        // --overlap: a gradient's push is in flight while the next one is computed, so the push needs a gradient buffer
        // of its own and a buffer for the weights its response brings.
        var (sending, arriving) = options.Overlap ? (new float[gradient.Length], new float[weights.Length]) : (gradient, weights);

        // One gradient before the clock starts (not pushed), so that the first timed step does not pay for warming up.
        await PullAll(servers, weights, stop, resync: false);
        gradients.Compute(options.ShardIndex, 1, weights, gradient);

        var start = options.StartAt ?? DateTimeOffset.UtcNow;
        if (start > DateTimeOffset.UtcNow)
        {
            await Task.Delay(start - DateTimeOffset.UtcNow, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var clock = Stopwatch.StartNew();
        var elapsedAtStart = DateTimeOffset.UtcNow - start; // > 0 when the learner joined after the common start
        double Now() => (elapsedAtStart + clock.Elapsed).TotalSeconds;
        _now = Now;
        var random = new SeededRandom(options.Seed * 1_000_003L + options.ShardIndex);
        var nextPushAt = Now();
        var step = 0L;
        ulong[]? reads = null; // the version of each partition's weights in `weights`; null: pull them
        SentPush? inFlight = null; // with --overlap: the previous gradient's push
        try
        {
            while (!stop.IsCancellationRequested && (options.Steps == 0 || step < options.Steps)
                   && (options.Duration == TimeSpan.Zero || Now() < options.Duration.TotalSeconds))
            {
                var phase = Stopwatch.StartNew();
                reads ??= await PullAll(servers, weights, stop, resync: true);
                var pullMs = phase.Elapsed.TotalMilliseconds;
                if (reads is not { } read)
                {
                    continue;
                }

                if (test is not null && step > 0 && step % options.EvalEvery == 0)
                {
                    // On the weights just read, before computing: the read stays right after the previous push, as the simulator has it.
                    var (testLoss, accuracy) = gradients.Evaluate(weights, test);
                    _instruments?.Evaluated(accuracy);
                    Write(new EvalRecord(servers[0].LearnerId, name, step, read[0], Math.Round(Now(), 6), testLoss, accuracy));
                }

                step++;
                phase.Restart();
                var loss = gradients.Compute(options.ShardIndex, step, weights, gradient);
                var computeMs = phase.Elapsed.TotalMilliseconds;
                if (options.Speed is { } speed)
                {
                    // The simulator's timeline: this gradient completes one step time after the previous one (or now, if later).
                    // A learner slower than its step time pushes when it is done, and its next step counts from there.
                    nextPushAt += (double)speed.StepTime(step, (decimal)Math.Round(nextPushAt, 6), random);
                    var wait = nextPushAt - Now();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait), stop).ContinueWith(_ => { }, TaskScheduler.Default);
                    }
                    else
                    {
                        nextPushAt = Now();
                    }
                }

                if (inFlight is not null)
                {
                    // The previous gradient's push, sent while this one was computed: its response holds the weights the next gradient starts from.
                    var (applied, arrived) = await Complete(servers, inFlight, name);
                    inFlight = null;
                    if (!applied)
                    {
                        reads = null;
                        continue; // a server restarted without that push: this gradient was computed before it; start again on fresh weights
                    }

                    if (arrived is not null)
                    {
                        (weights, arriving) = (arriving, weights);
                    }

                    reads = arrived; // null: pull before the next gradient
                }

                // The gradient goes out, and the next one is computed into the buffer the previous push has finished with (without
                // --overlap, one and the same). The push in flight is finished even when a stop is asked for meanwhile (only
                // waiting for an absent server ends early). Its response brings the weights right after it: the next read.
                (gradient, sending) = (sending, gradient);
                var sent = new SentPush(Send(servers, read, loss, sending, arriving, stop), read, loss, Math.Round(Now(), 6), pullMs, computeMs);
                if (options.Overlap)
                {
                    inFlight = sent; // the next gradient is computed on the weights read so far: one version staler
                }
                else
                {
                    var (applied, arrived) = await Complete(servers, sent, name);
                    reads = applied ? arrived : null;
                }
            }

            if (inFlight is not null)
            {
                await Complete(servers, inFlight, name); // stopping, or done: the push in flight is finished first
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Asked to stop while waiting for a server: nothing is in flight.
        }

        if (test is not null && step > 0 && !stop.IsCancellationRequested && await PullAll(servers, weights, stop, resync: false) is { } versions)
        {
            // The model as this learner leaves it.
            var (testLoss, accuracy) = gradients.Evaluate(weights, test);
            _instruments?.Evaluated(accuracy);
            Write(new EvalRecord(servers[0].LearnerId, name, step, versions[0], Math.Round(Now(), 6), testLoss, accuracy));
        }

        await Task.WhenAll(servers.Select(async s =>
        {
            try
            {
                await s.Client.LeaveAsync(s.LearnerId, TimeSpan.FromSeconds(5));
            }
            catch (RpcException)
            {
                // Leaving is a courtesy: a server that is gone lets the learner's heartbeat expire instead.
            }
        }));

        log.WriteLine($"{name}: {(stop.IsCancellationRequested ? "stopped" : "done")} after {step} steps, last sequence {servers[0].Sequence}");
        return 0;
    }

    /// <summary>A gradient's push on its way to every partition, with what its record needs once it is answered.</summary>
    private sealed record SentPush(Task<(PartitionAnswer[] Answers, double Ms)> Pushes, ulong[] Read, float Loss, double SentAt, double PullMs, double ComputeMs);

    /// <summary>Pushes <paramref name="gradient"/> to every partition (the next sequence number of each); the responses' weights go into <paramref name="weights"/>.</summary>
    private async Task<(PartitionAnswer[] Answers, double Ms)> Send(List<ServerPartition> servers, ulong[] read, float loss, float[] gradient, float[] weights,
        CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var pushed = await Task.WhenAll(servers.Select((s, k) =>
        {
            s.Sequence++;
            return Call(s, () => Push(s, read[k], loss, gradient, weights), stop, resync: true);
        }));
        return (pushed, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// Waits for a push's answers and records it. Applied is false when a restarted server did not take it (the learner
    /// pulls afresh); Weights are the versions of the weights the responses brought, null when they brought none
    /// (--separate-pull, or a server that sends none).
    /// </summary>
    private async Task<(bool Applied, ulong[]? Weights)> Complete(List<ServerPartition> servers, SentPush sent, string name)
    {
        var (pushed, pushMs) = await sent.Pushes;
        if (pushed.Any(p => !p.Ok))
        {
            return (false, null);
        }

        _instruments?.Step(sent.ComputeMs, sent.PullMs + pushMs, sent.Loss, options.BatchSize);
        var at = pushed[0].Value.Push;
        Write(new PushRecord(servers[0].LearnerId, name, servers[0].Sequence, sent.Read[0], at.Version, at.Staleness, sent.SentAt, sent.Loss, at.Duplicate,
            Math.Round(sent.PullMs, 3), Math.Round(sent.ComputeMs, 3), Math.Round(pushMs, 3))
        {
            Partitions = servers.Count == 1 ? null : [.. pushed.Select((p, k) => new PartitionPush(sent.Read[k], p.Value.Push.Version, p.Value.Push.Staleness))],
        });
        return (true, pushed.All(p => p.Value.WeightsVersion is not null) ? [.. pushed.Select(p => p.Value.WeightsVersion!.Value)] : null);
    }

    /// <summary>
    /// Pushes this server's part of the gradient and, unless --separate-pull or the part is big enough to be streamed
    /// (--stream-push-mb), receives its part of the weights right after the push in the same response; WeightsVersion
    /// is null when it did not.
    /// </summary>
    private async Task<(PushResponse Push, ulong? WeightsVersion)> Push(ServerPartition s, ulong read, float loss, float[] gradient, float[] weights)
    {
        var pushed = s.Range.Length > options.StreamPushAboveFloats
            ? (await s.Client.PushStreamAsync(s.LearnerId, s.Sequence, read, loss, s.Slice(gradient), timeout: options.CallTimeout), null)
            : options.SeparatePull
            ? (await s.Client.PushFlatAsync(s.LearnerId, s.Sequence, read, loss, s.Range.Layout, s.Slice(gradient), options.CallTimeout, CancellationToken.None), null)
            : await s.Client.PushPullFlatAsync(s.LearnerId, s.Sequence, read, loss, s.Range.Layout, s.Slice(gradient), s.Slice(weights), options.CallTimeout,
                CancellationToken.None);
        s.Recovering = false; // an applied push: refusals from here on are real
        s.Acknowledged = s.Sequence;
        return pushed;
    }

    /// <summary>Pulls every partition into its range of <paramref name="weights"/>; the versions read, or null when a restarted server was registered with again.</summary>
    private async Task<ulong[]?> PullAll(List<ServerPartition> servers, float[] weights, CancellationToken stop, bool resync)
    {
        var pulled = await Task.WhenAll(servers.Select(s =>
            Call(s, () => s.Client.PullIntoAsync(s.LearnerId, s.Range.Layout, s.Slice(weights), options.CallTimeout, stop), stop, resync)));
        return pulled.All(p => p.Ok) ? [.. pulled.Select(p => p.Value)] : null;
    }

    /// <summary>The cluster's route table from the one address given (retrying while it is unreachable), or null for a server of one shard.</summary>
    private async Task<RouteTable?> ReadRoutesAsync(RouteBook routes, Backoff backoff, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                return await routes.ReadAsync(stop);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
            {
                await WaitToRetry(options.Servers[0], backoff, e, stop);
            }
        }
    }

    /// <summary>
    /// After a failed call to a cluster's shard: reads the routes again, and when the shard has moved (another server,
    /// or another generation of it) sends its calls to the new owner from now on. True when it moved.
    /// </summary>
    private async Task<bool> Rerouted(ServerPartition server, CancellationToken stop)
    {
        if (_routes is null || server.Route is not { } current)
        {
            return false;
        }

        RouteTable? table;
        try
        {
            table = await _routes.ReadAsync(stop);
        }
        catch (RpcException e) when (!stop.IsCancellationRequested)
        {
            log.WriteLine($"{options.LearnerName}: no route table yet ({e.Describe()})");
            return false;
        }

        _instruments?.RoutesRead();
        if (table?.Routes.FirstOrDefault(r => r.Shard == current.Shard) is not { } route
            || (RouteBook.Key(route) == current && new Uri(route.Address) == server.Address))
        {
            return false;
        }

        log.WriteLine($"{options.LearnerName}: shard {current.Shard} moved from {server.Address} (generation {current.Generation}) to {route.Address} (generation {route.Generation})");
        Write(new RouteRecord(options.LearnerName, Math.Round(_now(), 6), current.Shard, server.Address.ToString(), route.Address, route.Generation));
        server.Reroute(new Uri(route.Address), RouteBook.Key(route));
        return true;
    }

    /// <summary>Registers with one server (again, after it restarted: under the same id); checks that it holds this learner's model, or its part of it.</summary>
    private async Task<RegisterResponse> Register(ServerPartition server)
    {
        var response = await server.Client.RegisterAsync(
            new RegisterRequest { Name = options.LearnerName, LearnerId = server.LearnerId, AcknowledgedSequence = server.Acknowledged }, options.CallTimeout);
        var theirs = string.Join(", ", response.Layout.Select(t => $"{t.Name}[{string.Join('x', t.Shape)}]"));
        var ours = string.Join(", ", server.Range.Layout.Tensors.Select(t => $"{t.Name}[{string.Join('x', t.Shape)}]"));
        if (theirs != ours)
        {
            var part = server.Range.Count == 1 ? "" : $" {server.Range} of";
            throw new LearnerException($"the server at {server.Address} holds {theirs}, which is not{part} this learner's --model {options.Model} ({ours})" +
                                       (server.Range.Count == 1 ? "" : "; list the servers in partition order, each started with --partition K/N"));
        }

        if (server.Acknowledged > response.LastSequence)
        {
            log.WriteLine($"{options.LearnerName}: {server}: {server.Acknowledged - response.LastSequence} acknowledged push(es) after sequence {response.LastSequence} " +
                          "were lost with the server's last checkpoint; continuing from there");
        }

        server.LearnerId = response.LearnerId;
        server.Sequence = response.LastSequence;
        server.Acknowledged = response.LastSequence;
        return response;
    }

    /// <summary>
    /// Runs a call on one server, retrying transport failures (unreachable, deadline, reset) with that server's backoff
    /// until its retry budget is spent or a stop is asked for (then <see cref="OperationCanceledException"/>). After
    /// such a failure, a refusal that a restarted server gives (an unknown learner, or a sequence or version it has not
    /// seen) registers again when <paramref name="resync"/> is set, and returns Ok = false, so that the caller starts
    /// its step again.
    /// </summary>
    private async Task<(bool Ok, T Value)> Call<T>(ServerPartition server, Func<Task<T>> call, CancellationToken stop, bool resync = false)
    {
        while (true)
        {
            try
            {
                var result = await call();
                server.Backoff.Succeeded();
                return (true, result);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal
                                                    or StatusCode.Unknown or StatusCode.Cancelled or StatusCode.ResourceExhausted)
            {
                server.Recovering = true;
                await WaitToRetry(server.Address, server.Backoff, e, stop);
                if (await Rerouted(server, stop) && resync)
                {
                    return await RegisterAgain<T>(server, stop);
                }
            }
            catch (RpcException e) when (ShardKey.IsNotOwner(e) && _routes is not null)
            {
                // The server no longer holds this shard (or holds a newer generation of it): the routes say where it went.
                log.WriteLine($"{options.LearnerName}: {server}: {e.Describe()}");
                if (await Rerouted(server, stop))
                {
                    if (resync)
                    {
                        return await RegisterAgain<T>(server, stop);
                    }

                    continue;
                }

                var delay = server.Backoff.NextDelay()
                            ?? throw new LearnerException($"{server}: no server has taken shard {server.Route} for {server.Backoff.Budget.TotalSeconds:0.#} s; giving up", 3);
                await Task.Delay(delay, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                stop.ThrowIfCancellationRequested();
            }
            catch (RpcException e) when (resync && server.Recovering
                                                && e.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition or StatusCode.InvalidArgument)
            {
                // Only while recovering from a failure, i.e. from a server that went away and came back: otherwise a refusal is real.
                log.WriteLine($"{options.LearnerName}: {server.Address}: {e.Describe()}");
                return await RegisterAgain<T>(server, stop);
            }
        }
    }

    /// <summary>
    /// After a transport failure (<paramref name="e"/>) of a call to <paramref name="address"/>: waits out the next
    /// backoff delay, or gives up (exit code 3) once the retry budget is spent; a stop ends the wait with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task WaitToRetry(Uri address, Backoff backoff, RpcException e, CancellationToken stop)
    {
        stop.ThrowIfCancellationRequested();
        _instruments?.Retried();
        var delay = backoff.NextDelay()
                    ?? throw new LearnerException($"the parameter server at {address} stayed unreachable for {backoff.Budget.TotalSeconds:0.#} s " +
                                                  $"({backoff.Failures} attempts; last: {e.Describe()}); giving up", 3);
        if (backoff.Failures == 1)
        {
            log.WriteLine($"{options.LearnerName}: {address}: {e.Describe()}; retrying for up to {backoff.Budget.TotalSeconds:0.#} s");
        }

        await Task.Delay(delay, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        stop.ThrowIfCancellationRequested();
    }

    /// <summary>Registers again with a server that restarted, or a shard's new owner; the caller starts its step again on fresh weights.</summary>
    private async Task<(bool Ok, T Value)> RegisterAgain<T>(ServerPartition server, CancellationToken stop)
    {
        server.Recovering = false;
        var (_, session) = await Call(server, () => Register(server), stop);
        log.WriteLine($"{options.LearnerName}: {server} is at version {session.Version}; registered again, continuing after sequence {session.LastSequence}");
        return (false, default!);
    }

    private void Write(object record)
    {
        var kind = record switch
        {
            PushRecord => "push",
            RouteRecord => "route",
            _ => "eval",
        };
        var json = JsonSerializer.Serialize(record, record.GetType(), Json);
        lock (_output)
        {
            output.WriteLine($"{{\"kind\":\"{kind}\",{json[1..]}");
            output.Flush();
        }
    }
}
