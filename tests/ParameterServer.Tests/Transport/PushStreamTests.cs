using PsTraining.TestSupport;
using Grpc.Core;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.V1;
using PsTraining.Protocol.Wire;

namespace PsTraining.ParameterServer.Tests.Transport;

/// <summary>PushStream, the chunked push for big models, against the unary push on real Kestrel.</summary>
public sealed class PushStreamTests
{
    /// <summary>The stream method as any client may call it, chunk by chunk.</summary>
    private static readonly Method<IWireWriter, PushResponse> Stream = ParameterServerClient.PushStreamMethod;

    [Fact]
    public async Task A_streamed_push_gives_exactly_the_weights_version_and_staleness_of_the_unary_push()
    {
        // DC-ASGD and staleness-scaled rates, so that the order, the reads and the staleness all show in the weights.
        var options = new CoreOptions { Shards = 3, LearningRate = 0.5f, DelayCompensation = 0.1f, StalenessAwareLearningRate = true };
        await using var unary = await ServerFixture.StartAsync(options);
        await using var streamed = await ServerFixture.StartAsync(options);
        var layout = unary.Core.Layout;
        var random = new Random(7);
        float[] Gradient() => Enumerable.Range(0, layout.TotalLength).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        // Two learners, each pushing from the version it last pulled (DC-ASGD holds them to it): stale pushes, and a retry.
        foreach (var f in new[] { unary, streamed })
        {
            await f.Client.RegisterAsync(new RegisterRequest { Name = "a" });
            await f.Client.RegisterAsync(new RegisterRequest { Name = "b" });
        }

        (bool PullFirst, uint Learner, ulong Sequence)[] steps = [(true, 1, 1), (true, 2, 1), (false, 1, 1), (true, 1, 2), (false, 1, 2), (false, 2, 2), (true, 2, 3), (false, 1, 3)];
        var read = new Dictionary<uint, ulong>();
        var weights = new float[layout.TotalLength];
        foreach (var (pullFirst, learner, sequence) in steps)
        {
            if (pullFirst)
            {
                read[learner] = await unary.Client.PullIntoAsync(learner, layout, weights);
                Assert.Equal(read[learner], await streamed.Client.PullIntoAsync(learner, layout, weights));
            }

            var gradient = Gradient();
            var expected = await unary.Client.PushFlatAsync(learner, sequence, read[learner], 0.25f, layout, gradient);
            // Chunks of 3 floats: four chunks, cutting across tensors and shards.
            var actual = await streamed.Client.PushStreamAsync(learner, sequence, read[learner], 0.25f, gradient, chunkFloats: 3);
            Assert.Equal(expected, actual);
        }

        Assert.Equal(unary.Weights().Select(BitConverter.SingleToInt32Bits), streamed.Weights().Select(BitConverter.SingleToInt32Bits));
        var (a, b) = (await unary.Client.GetStatsAsync(), await streamed.Client.GetStatsAsync());
        Assert.Equal(a, b);
        Assert.Equal(2UL, b.Duplicates);
        Assert.Contains(b.Learners, l => l.MaxStaleness >= 2);
    }

    [Fact]
    public async Task A_stream_cut_in_the_middle_applies_nothing_and_its_sequence_number_stays_free()
    {
        await using var f = await ServerFixture.StartAsync();
        var id = (await f.Client.RegisterAsync(new RegisterRequest { Name = "cut" })).LearnerId;
        var before = f.Weights();
        var gradient = CoreFactory.Gradient(1);

        using (var cancel = new CancellationTokenSource())
        {
            var call = f.Client.Channel.CreateCallInvoker().AsyncClientStreamingCall(Stream, null, new CallOptions(cancellationToken: cancel.Token));
            await call.RequestStream.WriteAsync(new PushChunkWriter(Header(id, 1, gradient.Length), 0, gradient.AsMemory(0, 4)));
            await call.RequestStream.WriteAsync(new PushChunkWriter(null, 4, gradient.AsMemory(4, 4)));
            await cancel.CancelAsync(); // the learner dies with two floats still to send
            var cut = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
            Assert.Equal(StatusCode.Cancelled, cut.StatusCode);
            call.Dispose();
        }

        // Give the server time to see the reset; nothing of the stream may land meanwhile or after.
        await Task.Delay(300);
        Assert.Equal(0UL, f.Core.Version);
        Assert.Equal(before, f.Weights());

        // The same sequence number, streamed whole, is a first push, not a duplicate.
        var whole = await f.Client.PushStreamAsync(id, 1, 0, 0.5f, gradient, chunkFloats: 4);
        Assert.False(whole.Duplicate);
        Assert.Equal(1UL, whole.Version);
        Assert.Equal(before.Select(w => w - 1), f.Weights());
    }

    public static TheoryData<string> BadStreams => ["ends early", "no header", "second header", "gap", "overlap", "too long", "wrong length", "empty", "nan", "unknown learner"];

    [Theory]
    [MemberData(nameof(BadStreams))]
    public async Task A_bad_stream_is_invalid_or_not_found_with_its_reason_and_applies_nothing(string bad)
    {
        await using var f = await ServerFixture.StartAsync();
        var id = (await f.Client.RegisterAsync(new RegisterRequest { Name = "bad" })).LearnerId;
        var before = f.Weights();
        var g = CoreFactory.Gradient(1);
        var n = g.Length;
        var nan = g.ToArray();
        nan[7] = float.NaN;
        PushChunkWriter[] chunks = bad switch
        {
            "ends early" => [new(Header(id, 1, n), 0, g.AsMemory(0, 6))],
            "no header" => [new(null, 0, g)],
            "second header" => [new(Header(id, 1, n), 0, g.AsMemory(0, 5)), new(Header(id, 1, n), 5, g.AsMemory(5))],
            "gap" => [new(Header(id, 1, n), 0, g.AsMemory(0, 4)), new(null, 5, g.AsMemory(5))],
            "overlap" => [new(Header(id, 1, n), 0, g.AsMemory(0, 6)), new(null, 4, g.AsMemory(4))],
            "too long" => [new(Header(id, 1, n), 0, g), new(null, (ulong)n, g.AsMemory(0, 1))],
            "wrong length" => [new(Header(id, 1, n + 1), 0, g)],
            "empty" => [],
            "nan" => [new(Header(id, 1, n), 0, nan.AsMemory(0, 5)), new(null, 5, nan.AsMemory(5))],
            "unknown learner" => [new(Header(99, 1, n), 0, g)],
            _ => throw new ArgumentException(bad),
        };

        using var call = f.Client.Channel.CreateCallInvoker().AsyncClientStreamingCall(Stream, null, new CallOptions());
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            foreach (var chunk in chunks)
            {
                await call.RequestStream.WriteAsync(chunk);
            }

            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });
        Assert.Equal(bad == "unknown learner" ? StatusCode.NotFound : StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(bad switch
        {
            "ends early" => "ended after 6 of the model's 10 floats",
            "empty" => "ended after 0 of the model's 10 floats",
            "no header" => "must carry the header",
            "second header" => "only the first chunk",
            "gap" => "at offset 5, after 4 of 10 floats",
            "overlap" => "at offset 4, after 6 of 10 floats",
            "too long" => "at offset 10, after 10 of 10 floats",
            "wrong length" => "holds 11 floats but the model 10",
            "nan" => "NaN",
            _ => "99",
        }, refused.Status.Detail);
        Assert.Equal(0UL, f.Core.Version);
        Assert.Equal(before, f.Weights());
    }

    private static PushHeader Header(uint learner, ulong sequence, int length) =>
        new() { LearnerId = learner, Sequence = sequence, ReadVersion = 0, Loss = 0.5f, Length = (ulong)length };
}
