using System.Buffers;
using System.Diagnostics;
using Grpc.Core;
using Proto = PsTraining.Protocol.V1;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Routing;
using PsTraining.Protocol;
using PsTraining.Protocol.V1;
using PsTraining.Protocol.Wire;

namespace PsTraining.ParameterServer.Service;

/// <summary>
/// The ParameterServer service: translates wire messages into calls on the core and back, and times the pulls and
/// pushes for the metrics (their tensor payload counts as the bytes sent and received). Its methods are those of the
/// generated <c>ParameterServerBase</c>, bound from the generated BindService (the attribute also lets server reflection
/// find the service's descriptor), with the block-copy marshallers on Pull and Push (<see cref="ParameterServerMethods"/>).
/// The core's refusals become statuses in <see cref="CoreErrorInterceptor"/>. Each call goes to the core of the shard
/// it names (<see cref="ServedShards"/>): one of the shards this server's silo placed here (or the one core of a server hosted without a silo).
/// </summary>
[BindServiceMethod(typeof(Proto.ParameterServer), nameof(Proto.ParameterServer.BindService))]
public sealed class ParameterServerService(ServedShards shards, IRouteSource routes, PsInstruments? instruments = null)
{
    /// <summary>pstraining.v1.ParameterServer, as the generated descriptor names it.</summary>
    public static string Name => Proto.ParameterServer.Descriptor.FullName;

    /// <summary>The shortest interval between two WatchStats updates, whatever the caller asks.</summary>
    private static readonly TimeSpan MinWatchInterval = TimeSpan.FromMilliseconds(50);

    public Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        using var lease = shards.Acquire(context);
        var (core, shard) = (lease.Core, lease.Key);
        var (id, lastSequence, lost) = core.Register(request.Name, request.LearnerId, request.AcknowledgedSequence);
        if (lost > 0)
        {
            Console.WriteLine($"{shard}: learner {id} ({request.Name}) saw {lost} push(es) acknowledged after the checkpoint this core was restored from " +
                              $"(up to sequence {request.AcknowledgedSequence}; the checkpoint holds {lastSequence}): {lost} update(s) lost");
        }

        var response = new RegisterResponse
        {
            LearnerId = id,
            LastSequence = lastSequence,
            Version = core.Version,
            Policy = core.Options.Policy.ToString(),
        };
        foreach (var spec in core.Layout.Tensors)
        {
            response.Layout.Add(new Proto.Tensor { Name = spec.Name, Shape = { spec.Shape } });
        }

        return Task.FromResult(response);
    }

    /// <summary>The weights as a PullResponse written straight from the flat snapshot.</summary>
    public Task<IWireWriter> Pull(PullRequest request, ServerCallContext context)
    {
        using var lease = shards.Acquire(context);
        var core = lease.Core;
        return Task.FromResult(Snapshot(core, request.LearnerId, (version, weights, pooled) => FlatTensorsWriter.PullResponse(version, core.Layout, weights, pooled)));
    }

    /// <summary>Applies a push; with return_weights the response carries the weights right after it, as a pull would.</summary>
    public async Task<IWireWriter> Push(PushWire request, ServerCallContext context)
    {
        using var received = request; // its pooled payload goes back once the gradient is copied out
        using var lease = shards.Acquire(context);
        var core = lease.Core;
        var outcome = Outcome(await ApplyAsync(core, gradient =>
        {
            core.Layout.Flatten(request.Gradients, t => t.Name, t => t.Shape, t => t.Count, (t, d) => t.CopyTo(d), gradient.Span);
            return Task.FromResult(new PushInput(request.LearnerId, request.Sequence, request.ReadVersion, gradient, request.Loss));
        }, context.CancellationToken));
        return request.ReturnWeights
            ? Snapshot(core, request.LearnerId, (version, weights, buffer) => FlatTensorsWriter.PushResponse(outcome, version, core.Layout, weights, buffer))
            : new ProtobufWriter(outcome);
    }

    /// <summary>
    /// A push in chunks: each is copied into the gradient as it arrives, and the push goes to the core once the stream
    /// has completed whole, so it is applied exactly as <see cref="Push"/> would apply it. A stream that breaks, ends
    /// early or sends a chunk out of place applies nothing: the weights are not touched before the last chunk is in.
    /// </summary>
    public async Task<PushResponse> PushStream(IAsyncStreamReader<PushChunkWire> chunks, ServerCallContext context)
    {
        using var lease = shards.Acquire(context);
        return Outcome(await ApplyAsync(lease.Core, gradient => ReceiveAsync(chunks, gradient, context.CancellationToken), context.CancellationToken));
    }

    /// <summary>
    /// The one way a push reaches the core: <paramref name="receive"/> fills a pooled gradient of the model's length and
    /// says who pushed it; the core applies it, and the call is timed and counted. The core keeps no reference to the
    /// gradient once the push returns, so it goes back to the pool then.
    /// </summary>
    private async Task<PushResult> ApplyAsync(ParameterServerCore core, Func<Memory<float>, Task<PushInput>> receive, CancellationToken cancellation)
    {
        var start = Stopwatch.GetTimestamp();
        var n = core.Layout.TotalLength;
        var pooled = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var result = await core.PushAsync(await receive(pooled.AsMemory(0, n)), cancellation);
            instruments?.Push(Stopwatch.GetElapsedTime(start), 4L * n);
            return result;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pooled);
        }
    }

    /// <summary>Copies a push stream's chunks into <paramref name="gradient"/> as they arrive; the push's identity once it is whole.</summary>
    private static async Task<PushInput> ReceiveAsync(IAsyncStreamReader<PushChunkWire> chunks, Memory<float> gradient, CancellationToken cancellation)
    {
        var n = gradient.Length;
        PushHeader? header = null;
        var received = 0;
        while (await chunks.MoveNext(cancellation))
        {
            using var chunk = chunks.Current;
            header = Next(header, chunk, received, n);
            chunk.CopyTo(gradient.Span.Slice(received, chunk.Count));
            received += chunk.Count;
        }

        if (header is null || received != n)
        {
            throw new PsException(PsErrorCode.InvalidArgument, $"the push stream ended after {received} of the model's {n} floats; nothing was applied");
        }

        return new PushInput(header.LearnerId, header.Sequence, header.ReadVersion, gradient, header.Loss);
    }

    /// <summary>Checks that <paramref name="chunk"/> continues the stream where it stands; returns the stream's header.</summary>
    private static PushHeader Next(PushHeader? header, PushChunkWire chunk, int received, int n)
    {
        if (header is null)
        {
            header = chunk.Header ?? throw new PsException(PsErrorCode.InvalidArgument, "the first chunk of a push stream must carry the header; nothing was applied");
            if (header.Length != (ulong)n)
            {
                throw new PsException(PsErrorCode.InvalidArgument, $"the streamed gradient holds {header.Length} floats but the model {n}; nothing was applied");
            }
        }
        else if (chunk.Header is not null)
        {
            throw new PsException(PsErrorCode.InvalidArgument, "only the first chunk of a push stream carries a header; nothing was applied");
        }

        if (chunk.Offset != (ulong)received || chunk.Count > n - received)
        {
            throw new PsException(PsErrorCode.InvalidArgument,
                $"a chunk of {chunk.Count} floats at offset {chunk.Offset}, after {received} of {n} floats: chunks come in order, without gaps or overlap, " +
                "and within the model; nothing was applied");
        }

        return header;
    }

    private static PushResponse Outcome(PushResult result) => new()
    {
        Version = result.Version,
        Staleness = result.Staleness,
        Duplicate = result.Duplicate,
        AppliedLearningRate = result.AppliedLearningRate,
    };

    /// <summary>Reads the weights (as learner <paramref name="learnerId"/>, 0 = anonymous) into a pooled buffer that the response returns when written.</summary>
    private IWireWriter Snapshot(ParameterServerCore core, uint learnerId, Func<ulong, ReadOnlyMemory<float>, float[], IWireWriter> respond)
    {
        var start = Stopwatch.GetTimestamp();
        var n = core.Layout.TotalLength;
        var pooled = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var version = core.Pull(learnerId, pooled.AsSpan(0, n));
            instruments?.Pull(Stopwatch.GetElapsedTime(start), 4L * n);
            return respond(version, pooled.AsMemory(0, n), pooled);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(pooled);
            throw;
        }
    }

    public Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        using var lease = shards.Acquire(context);
        var core = lease.Core;
        core.Heartbeat(request.LearnerId);
        return Task.FromResult(new HeartbeatResponse { Version = core.Version });
    }

    public Task<LeaveResponse> Leave(LeaveRequest request, ServerCallContext context)
    {
        using var lease = shards.Acquire(context);
        lease.Core.Leave(request.LearnerId);
        return Task.FromResult(new LeaveResponse());
    }

    public Task<Stats> GetStats(GetStatsRequest request, ServerCallContext context) => Task.FromResult(ToMessage(shards.Resolve(context).Core.Stats()));

    public Task<RouteTable> GetRoutes(GetRoutesRequest request, ServerCallContext context) => routes.GetRoutesAsync(context.CancellationToken);

    /// <summary>Sends the statistics now and then at the requested interval until the caller cancels or the deadline passes.</summary>
    public async Task WatchStats(WatchStatsRequest request, IServerStreamWriter<Stats> responses, ServerCallContext context)
    {
        var core = shards.Resolve(context).Core; // no lease: a watch runs until the caller stops it, and only reads
        var interval = request.IntervalMs == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(request.IntervalMs);
        interval = interval < MinWatchInterval ? MinWatchInterval : interval;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            await responses.WriteAsync(ToMessage(core.Stats()), context.CancellationToken);
            await Task.Delay(interval, context.CancellationToken);
        }
    }

    private static Stats ToMessage(StatsSnapshot s)
    {
        var message = new Stats
        {
            Version = s.Version,
            Applied = s.Applied,
            Duplicates = s.Duplicates,
            Rejected = s.Rejected,
            Policy = s.Policy.ToString(),
            DelayCompensationFloats = (ulong)s.DelayCompensationFloats,
            LostUpdates = s.Lost,
        };
        foreach (var l in s.Learners)
        {
            message.Learners.Add(new LearnerStats
            {
                LearnerId = l.LearnerId,
                Name = l.Name,
                Pushes = l.Pushes,
                LastSequence = l.LastSequence,
                MeanStaleness = l.MeanStaleness,
                MaxStaleness = l.MaxStaleness,
                LastLoss = l.LastLoss,
                Live = l.Live,
            });
        }

        return message;
    }
}
