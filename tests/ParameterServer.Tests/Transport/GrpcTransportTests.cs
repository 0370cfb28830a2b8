using PsTraining.TestSupport;
using System.Net;
using System.Net.Http.Headers;
using PsTraining.ParameterServer.Core;
using Grpc.Core;
using PsTraining.Protocol.Client;
using PsTraining.Protocol.Health.V1;
using PsTraining.Protocol.V1;

namespace PsTraining.ParameterServer.Tests.Transport;

/// <summary>Our gRPC server on real Kestrel, called by our client over h2c on loopback.</summary>
public sealed class GrpcTransportTests
{
    [Fact]
    public async Task Health_register_pull_push_round_trip()
    {
        await using var f = await ServerFixture.StartAsync();
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await f.Client.CheckHealthAsync()).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await f.Client.CheckHealthAsync("pstraining.v1.ParameterServer")).Status);

        var registered = await f.Client.RegisterAsync(new RegisterRequest { Name = "wire" });
        Assert.Equal(["w", "b"], registered.Layout.Select(t => t.Name));
        Assert.Equal([3L, 2], registered.Layout[0].Shape);
        Assert.Equal("asp", registered.Policy);

        var pulled = await f.Client.PullAsync(registered.LearnerId);
        Assert.Equal(0UL, pulled.Version);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (float)i), pulled.Weights[0].Values);

        var pushed = await f.Client.PushAsync(ServerFixture.Push(registered.LearnerId, 1, 0, 2));
        Assert.Equal(1UL, pushed.Version);
        Assert.Equal(0UL, pushed.Staleness);
        Assert.False(pushed.Duplicate);
        var again = await f.Client.PushAsync(ServerFixture.Push(registered.LearnerId, 1, 0, 2));
        Assert.True(again.Duplicate);

        var after = await f.Client.PullAsync(registered.LearnerId);
        Assert.Equal(1UL, after.Version);
        Assert.Equal(Enumerable.Range(6, 4).Select(i => i - 2f), after.Weights[1].Values);
        var stats = await f.Client.GetStatsAsync();
        Assert.Equal(1UL, stats.Applied);
        Assert.Equal(1UL, stats.Duplicates);
        Assert.Equal(0.5f, stats.Learners.Single().LastLoss);
    }

    [Fact]
    public async Task A_push_that_asks_for_the_weights_gets_what_a_pull_right_after_it_would()
    {
        // Under DC-ASGD, so that the weights returned must also count as this learner's read.
        await using var f = await ServerFixture.StartAsync(new CoreOptions { Shards = 2, LearningRate = 0.5f, DelayCompensation = 0.1f });
        var layout = f.Core.Layout;
        var id = (await f.Client.RegisterAsync(new RegisterRequest { Name = "fold" })).LearnerId;
        var weights = new float[layout.TotalLength];
        var read = await f.Client.PullIntoAsync(id, layout, weights);

        var gradient = Enumerable.Range(0, layout.TotalLength).Select(i => 0.1f * i).ToArray();
        var (pushed, weightsVersion) = await f.Client.PushPullFlatAsync(id, 1, read, 0.5f, layout, gradient, weights);
        Assert.Equal(1UL, pushed.Version);
        Assert.Equal(1UL, weightsVersion);
        Assert.Equal(f.Weights(), weights);

        // The next push computed from those weights is accepted as read at version 1 (DC-ASGD checks the read it remembered).
        (pushed, weightsVersion) = await f.Client.PushPullFlatAsync(id, 2, weightsVersion!.Value, 0.5f, layout, gradient, weights);
        Assert.Equal((2UL, 0UL, 2UL), (pushed.Version, pushed.Staleness, weightsVersion!.Value));
        Assert.Equal(f.Weights(), weights);

        // A retried push is acknowledged as a duplicate, with the current weights.
        (pushed, weightsVersion) = await f.Client.PushPullFlatAsync(id, 2, 1, 0.5f, layout, gradient, weights);
        Assert.True(pushed.Duplicate);
        Assert.Equal(2UL, weightsVersion);
    }

    public static TheoryData<string> BadPushes => new("wrong name", "wrong shape", "too few values", "nan", "unknown learner", "future read version", "replay");

    [Theory]
    [MemberData(nameof(BadPushes))]
    public async Task Bad_pushes_get_their_status_and_leave_the_weights_bit_identical(string bad)
    {
        await using var f = await ServerFixture.StartAsync();
        var id = (await f.Client.RegisterAsync(new RegisterRequest())).LearnerId;
        await f.Client.PushAsync(ServerFixture.Push(id, 1, 0));
        var before = f.Weights();

        var request = ServerFixture.Push(id, 2, 1);
        var expected = StatusCode.InvalidArgument;
        switch (bad)
        {
            case "wrong name": request.Gradients[1].Name = "bias"; break;
            case "wrong shape": request.Gradients[0].Shape[0] = 2; request.Gradients[0].Shape[1] = 3; break;
            case "too few values": request.Gradients[1].Values.RemoveAt(0); break;
            case "nan": request.Gradients[0].Values[3] = float.NaN; break;
            case "unknown learner": request.LearnerId = 42; expected = StatusCode.NotFound; break;
            case "future read version": request.ReadVersion = 9; break;
            case "replay": request.Sequence = 1; request.ReadVersion = 0; request.Gradients[0].Values[0] = 5; expected = StatusCode.FailedPrecondition; break;
        }

        if (bad == "replay")
        {
            await f.Client.PushAsync(ServerFixture.Push(id, 2, 1));
            before = f.Weights();
        }

        var e = await Assert.ThrowsAsync<RpcException>(() => f.Client.PushAsync(request));
        Assert.Equal(expected, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.Status.Detail));
        Assert.Equal(before, f.Weights());
    }

    [Fact]
    public async Task Malformed_protobuf_is_invalid_argument()
    {
        await using var f = await ServerFixture.StartAsync();
        var (status, message) = await RawCall(f.Host.Port, "/pstraining.v1.ParameterServer/Push", [0x0a, 0xff, 0xff, 0xff, 0x0f]);
        Assert.Equal(StatusCode.InvalidArgument, status);
        Assert.Contains("malformed PushRequest", message);
        Assert.Equal(0UL, f.Core.Version);
    }

    [Fact]
    public async Task Oversized_message_is_resource_exhausted_before_it_is_buffered()
    {
        await using var f = await ServerFixture.StartAsync(maxMessage: 1000);
        var id = (await f.Client.RegisterAsync(new RegisterRequest())).LearnerId;
        var request = ServerFixture.Push(id, 1, 0);
        request.Gradients[0].Values.AddRange(new float[2000]);
        var e = await Assert.ThrowsAsync<RpcException>(() => f.Client.PushAsync(request));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal("Received message exceeds the maximum configured message size.", e.Status.Detail); // grpc-dotnet's own check

        // A header that announces 2 GB with no body behind it is refused from the header alone.
        var (status, _) = await RawCall(f.Host.Port, "/pstraining.v1.ParameterServer/Push", [], announcedLength: 0x7fffffff);
        Assert.Equal(StatusCode.ResourceExhausted, status);
        Assert.Equal(0UL, f.Core.Version);
    }

    [Fact]
    public async Task Calls_without_the_right_token_are_unauthenticated_but_health_answers()
    {
        await using var f = await ServerFixture.StartAsync(token: "s3cret");
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await f.Client.CheckHealthAsync()).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await f.Client.CheckHealthAsync("pstraining.v1.ParameterServer")).Status);
        await f.Client.RegisterAsync(new RegisterRequest());

        using var client = new ParameterServerClient(f.Address);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await client.CheckHealthAsync()).Status);
        var missing = await Assert.ThrowsAsync<RpcException>(() => client.PushAsync(ServerFixture.Push(1, 1, 0)));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal("missing or invalid credentials", missing.Status.Detail);

        using var wrongClient = new ParameterServerClient(f.Address, new() { Token = "s3cre" });
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => wrongClient.PullAsync(1))).StatusCode);
        // Every method of the service, whatever its kind, refuses a call without the token.
        foreach (var call in new Func<Task>[]
                 {
                     () => client.RegisterAsync(new RegisterRequest()), () => client.PullAsync(1), () => client.HeartbeatAsync(1),
                     () => client.LeaveAsync(1), () => client.GetStatsAsync(), async () => { await foreach (var _ in client.WatchStatsAsync(100)) { } },
                     () => client.PushAsync(ServerFixture.Push(1, 1, 0)), () => client.PushStreamAsync(1, 1, 0, 0, CoreFactory.Gradient(1), chunkFloats: 4),
                     // A long stream: the server refuses it while the client still writes, and the refusal is what the caller sees.
                     () => client.PushStreamAsync(1, 1, 0, 0, new float[1 << 20], chunkFloats: 1024),
                 })
        {
            Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
        }

        Assert.Equal(0UL, f.Core.Version);
    }

    [Fact]
    public async Task A_wait_past_the_deadline_is_deadline_exceeded()
    {
        await using var f = await ServerFixture.StartAsync(new CoreOptions { Shards = 1, LearningRate = 1, Policy = ConsistencyPolicy.Ssp(0) });
        var fast = (await f.Client.RegisterAsync(new RegisterRequest { Name = "fast" })).LearnerId;
        await f.Client.RegisterAsync(new RegisterRequest { Name = "slow" });
        await f.Client.PushAsync(ServerFixture.Push(fast, 1, 0));
        var e = await Assert.ThrowsAsync<RpcException>(() => f.Client.PushAsync(ServerFixture.Push(fast, 2, 1), TimeSpan.FromMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.Equal(1UL, f.Core.Version);
    }

    [Fact]
    public async Task A_cancelled_call_is_cancelled_and_its_push_is_never_applied()
    {
        await using var f = await ServerFixture.StartAsync(new CoreOptions { Shards = 1, LearningRate = 1, Policy = ConsistencyPolicy.Ssp(0) });
        var fast = (await f.Client.RegisterAsync(new RegisterRequest { Name = "fast" })).LearnerId;
        var slow = (await f.Client.RegisterAsync(new RegisterRequest { Name = "slow" })).LearnerId;
        await f.Client.PushAsync(ServerFixture.Push(fast, 1, 0));
        using var cancel = new CancellationTokenSource();
        var held = f.Client.PushAsync(ServerFixture.Push(fast, 2, 1), cancellation: cancel.Token);
        await Task.Delay(200);
        cancel.Cancel();
        var e = await Assert.ThrowsAsync<RpcException>(() => held);
        Assert.Equal(StatusCode.Cancelled, e.StatusCode);

        // The slow learner's push would have released the held one; the server dropped it with the call.
        await f.Client.PushAsync(ServerFixture.Push(slow, 1, 0));
        await Task.Delay(200);
        Assert.Equal(2UL, f.Core.Version);
        Assert.Equal(1UL, f.Core.Stats().Learners.Single(l => l.LearnerId == fast).LastSequence);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented_and_unknown_service_not_found()
    {
        await using var f = await ServerFixture.StartAsync();
        var (status, _) = await RawCall(f.Host.Port, "/pstraining.v1.ParameterServer/Nope", []);
        Assert.Equal(StatusCode.Unimplemented, status);
        var e = await Assert.ThrowsAsync<RpcException>(() => f.Client.CheckHealthAsync("other.Service"));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task WatchStats_streams_until_cancelled()
    {
        await using var f = await ServerFixture.StartAsync();
        var id = (await f.Client.RegisterAsync(new RegisterRequest())).LearnerId;
        using var stop = new CancellationTokenSource();
        var versions = new List<ulong>();
        try
        {
            await foreach (var stats in f.Client.WatchStatsAsync(50, cancellation: stop.Token))
            {
                versions.Add(stats.Version);
                if (versions.Count == 1)
                {
                    await f.Client.PushAsync(ServerFixture.Push(id, 1, 0));
                }

                if (stats.Version == 1)
                {
                    stop.Cancel();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(0UL, versions[0]);
        Assert.Equal(1UL, versions[^1]);
    }

    [Fact]
    public async Task Unreachable_server_is_unavailable()
    {
        using var client = new ParameterServerClient(new Uri("http://127.0.0.1:1"));
        var e = await Assert.ThrowsAsync<RpcException>(() => client.CheckHealthAsync());
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
    }

    [Fact]
    public async Task Thirty_two_clients_push_concurrently_over_the_wire()
    {
        await using var f = await ServerFixture.StartAsync(new CoreOptions { Shards = 4, LearningRate = 1 });
        var before = f.Weights();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async k =>
        {
            var id = (await f.Client.RegisterAsync(new RegisterRequest { Name = $"c{k}" })).LearnerId;
            for (ulong s = 1; s <= 5; s++)
            {
                var read = (await f.Client.PullAsync(id)).Version;
                await f.Client.PushAsync(ServerFixture.Push(id, s, read, 1));
            }
        }));

        Assert.Equal(160UL, f.Core.Version);
        var after = f.Weights();
        for (var i = 0; i < after.Length; i++)
        {
            Assert.Equal(before[i] - 160, after[i]);
        }
    }

    /// <summary>A hand-framed call, for input our client would never send.</summary>
    private static async Task<(StatusCode Status, string Message)> RawCall(int port, string path, byte[] payload, uint? announcedLength = null)
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        const int header = 5; // a compressed flag and a big-endian length
        var frame = new byte[header + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), announcedLength ?? (uint)payload.Length);
        payload.CopyTo(frame, header);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}{path}")
        {
            Content = new ByteArrayContent(frame),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var headers = response.Headers.Contains("grpc-status") ? (System.Net.Http.Headers.HttpHeaders)response.Headers : response.TrailingHeaders;
        var status = (StatusCode)int.Parse(headers.GetValues("grpc-status").First(), System.Globalization.CultureInfo.InvariantCulture);
        var message = headers.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.First()) /* grpc-message is percent-encoded */ : "";
        return (status, message);
    }
}
