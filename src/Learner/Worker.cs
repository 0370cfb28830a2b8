using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PsTraining.Models.Data;
using PsTraining.ParameterServer.Transport;
using PsTraining.ParameterServer.Transport.Client;
using PsTraining.Protocol.V1;
using PsTraining.Torch;

namespace PsTraining.Learner;

/// <summary>
/// The learner's loop: register, then pull → compute the gradient of a minibatch of its shard → wait out the rest of
/// its step time → push (read version, sequence number, loss), until its budget of steps or time is spent or it is
/// asked to stop. Each applied push and each evaluation is one JSON line on <c>output</c>; what a person reads goes to
/// <c>log</c>. Faults: an unreachable server is retried with bounded, jittered exponential backoff; a retried push
/// keeps its sequence number, so the server applies it once; a server that restarted (from a checkpoint) is
/// registered with again and pulled from afresh.
/// </summary>
public sealed class Worker(LearnerOptions options, TextWriter output, TextWriter log, Func<string, LearnerInstruments>? instruments = null)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    // Set by a transport failure, cleared by the next applied push: refusals meanwhile may come from a restarted server.
    private bool _recovering;
    private LearnerInstruments? _instruments;

    /// <summary>Exit codes: 0 done or stopped, 3 the server stayed unreachable, 4 the server refused this learner for good.</summary>
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
        using var channel = new GrpcChannel(options.Server, new GrpcChannelOptions { Token = options.Token });
        var client = new ParameterServerClient(channel);
        var backoff = new Backoff(options.RetryTimeout, new SeededRandom(options.Seed * 7919L + options.ShardIndex));

        var (_, session) = await Call(() => Register(client, gradients, learnerId: 0), backoff, stop);
        var name = session.Name;
        _instruments = instruments?.Invoke(name);
        log.WriteLine($"{name}: registered as learner {session.Id} with {options.Server} (policy {session.Policy}, version {session.Version}); " +
                      $"shard {options.ShardIndex} of {options.ShardCount}, batch {options.BatchSize}, device {options.Device}, " +
                      $"speed {(options.Speed is null ? "as fast as it computes" : options.Speed)}");

        var weights = new float[gradients.Layout.TotalLength];
        var gradient = new float[gradients.Layout.TotalLength];

        // One gradient before the clock starts (not pushed), so that the first timed step does not pay for warming up.
        await Call(() => client.PullIntoAsync(session.Id, gradients.Layout, weights, options.CallTimeout, stop), backoff, stop);
        gradients.Compute(options.ShardIndex, 1, weights, gradient);

        var start = options.StartAt ?? DateTimeOffset.UtcNow;
        if (start > DateTimeOffset.UtcNow)
        {
            await Task.Delay(start - DateTimeOffset.UtcNow, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var clock = Stopwatch.StartNew();
        var elapsedAtStart = DateTimeOffset.UtcNow - start; // > 0 when the learner joined after the common start
        double Now() => (elapsedAtStart + clock.Elapsed).TotalSeconds;
        var random = new SeededRandom(options.Seed * 1_000_003L + options.ShardIndex);
        var sequence = session.LastSequence;
        var nextPushAt = Now();
        var step = 0L;
        try
        {
            while (!stop.IsCancellationRequested && (options.Steps == 0 || step < options.Steps)
                   && (options.Duration == TimeSpan.Zero || Now() < options.Duration.TotalSeconds))
            {
                var phase = Stopwatch.StartNew();
                var (pulledOk, read) = await Call(() => client.PullIntoAsync(session.Id, gradients.Layout, weights, options.CallTimeout, stop), backoff, stop, Resync);
                var pullMs = phase.Elapsed.TotalMilliseconds;
                if (!pulledOk)
                {
                    continue;
                }

                if (test is not null && step > 0 && step % options.EvalEvery == 0)
                {
                    // On the weights just read, before computing: the read stays right after the previous push, as the simulator has it.
                    var (testLoss, accuracy) = gradients.Evaluate(weights, test);
                    _instruments?.Evaluated(accuracy);
                    Write(new EvalRecord(session.Id, name, step, read, Math.Round(Now(), 6), testLoss, accuracy));
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

                // The push in flight is finished even when a stop is asked for meanwhile (only waiting for an absent server ends early).
                var sentAt = Now();
                phase.Restart();
                sequence++;
                var (pushedOk, pushed) = await Call(() => client.PushFlatAsync(session.Id, sequence, read, loss, gradients.Layout, gradient, options.CallTimeout, CancellationToken.None),
                    backoff, stop, Resync);
                if (!pushedOk)
                {
                    continue; // the server restarted without this push: start the step again on fresh weights
                }

                _recovering = false;
                var pushMs = phase.Elapsed.TotalMilliseconds;
                _instruments?.Step(computeMs, pullMs + pushMs, loss, options.BatchSize);
                Write(new PushRecord(session.Id, name, sequence, read, pushed.Version, pushed.Staleness, Math.Round(sentAt, 6), loss, pushed.Duplicate,
                    Math.Round(pullMs, 3), Math.Round(computeMs, 3), Math.Round(pushMs, 3)));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Asked to stop while waiting for the server: nothing is in flight.
        }

        if (test is not null && step > 0 && !stop.IsCancellationRequested)
        {
            // The model as this learner leaves it.
            var (ok, version) = await Call(() => client.PullIntoAsync(session.Id, gradients.Layout, weights, options.CallTimeout, stop), backoff, stop);
            if (ok)
            {
                var (testLoss, accuracy) = gradients.Evaluate(weights, test);
                _instruments?.Evaluated(accuracy);
                Write(new EvalRecord(session.Id, name, step, version, Math.Round(Now(), 6), testLoss, accuracy));
            }
        }

        try
        {
            await client.LeaveAsync(session.Id, TimeSpan.FromSeconds(5));
        }
        catch (GrpcStatusException)
        {
            // Leaving is a courtesy: a server that is gone lets the learner's heartbeat expire instead.
        }

        log.WriteLine($"{name}: {(stop.IsCancellationRequested ? "stopped" : "done")} after {step} steps, last sequence {sequence}");
        return 0;

        // After the server restarted: register again under the same id and continue above the sequence it has applied.
        async Task Resync()
        {
            (_, session) = await Call(() => Register(client, gradients, session.Id), backoff, stop);
            log.WriteLine($"{name}: the server restarted at version {session.Version}; registered again, continuing after sequence {session.LastSequence}");
            sequence = session.LastSequence;
        }
    }

    private async Task<Session> Register(ParameterServerClient client, ShardGradients gradients, uint learnerId)
    {
        var name = options.LearnerName;
        var response = await client.RegisterAsync(new RegisterRequest { Name = name, LearnerId = learnerId }, options.CallTimeout);
        var server = string.Join(", ", response.Layout.Select(t => $"{t.Name}[{string.Join('x', t.Shape)}]"));
        var ours = string.Join(", ", gradients.Layout.Tensors.Select(t => $"{t.Name}[{string.Join('x', t.Shape)}]"));
        if (server != ours)
        {
            throw new LearnerException($"the server's model ({server}) is not this learner's --model {options.Model} ({ours})");
        }

        return new Session(response.LearnerId, name, response.LastSequence, response.Version, response.Policy);
    }

    /// <summary>
    /// Runs a call, retrying transport failures (unreachable, deadline, reset) with backoff until the retry budget is
    /// spent or a stop is asked for (then <see cref="OperationCanceledException"/>). After such a failure, a refusal
    /// that a restarted server gives (an unknown learner, or a sequence or version it has not seen) runs
    /// <paramref name="resync"/> and returns Ok = false, so that the caller starts its step again.
    /// </summary>
    private async Task<(bool Ok, T Value)> Call<T>(Func<Task<T>> call, Backoff backoff, CancellationToken stop, Func<Task>? resync = null)
    {
        while (true)
        {
            try
            {
                var result = await call();
                backoff.Succeeded();
                return (true, result);
            }
            catch (GrpcStatusException e) when (e.Status is GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded or GrpcStatusCode.Internal
                                                    or GrpcStatusCode.Unknown or GrpcStatusCode.Cancelled or GrpcStatusCode.ResourceExhausted)
            {
                stop.ThrowIfCancellationRequested();
                _recovering = true;
                _instruments?.Retried();
                var delay = backoff.NextDelay()
                            ?? throw new LearnerException($"the parameter server at {options.Server} stayed unreachable for {backoff.Budget.TotalSeconds:0.#} s " +
                                                          $"({backoff.Failures} attempts; last: {e.Message}); giving up", 3);
                if (backoff.Failures == 1)
                {
                    log.WriteLine($"{options.LearnerName}: {e.Message}; retrying for up to {backoff.Budget.TotalSeconds:0.#} s");
                }

                await Task.Delay(delay, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                stop.ThrowIfCancellationRequested();
            }
            catch (GrpcStatusException e) when (resync is not null && _recovering
                                                && e.Status is GrpcStatusCode.NotFound or GrpcStatusCode.FailedPrecondition or GrpcStatusCode.InvalidArgument)
            {
                // Only while recovering from a failure, i.e. from a server that went away and came back: otherwise a refusal is real.
                _recovering = false;
                log.WriteLine($"{options.LearnerName}: {e.Message}");
                await resync();
                return (false, default!);
            }
        }
    }

    private void Write(object record)
    {
        var kind = record is PushRecord ? "push" : "eval";
        var json = JsonSerializer.Serialize(record, record.GetType(), Json);
        output.WriteLine($"{{\"kind\":\"{kind}\",{json[1..]}");
        output.Flush();
    }

    private sealed record Session(uint Id, string Name, ulong LastSequence, ulong Version, string Policy);
}
