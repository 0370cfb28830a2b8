using Grpc.Core;
using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Routing;
using PsTraining.Protocol;
using PsTraining.Protocol.Routing;

namespace PsTraining.ParameterServer.Tests;

/// <summary>
/// Which core a call is for: nothing before the server is ready (UNAVAILABLE, which clients retry), the model's one
/// shard for a call that names none, and a refusal as not the owner for another generation or a shard served elsewhere.
/// </summary>
public sealed class ServedShardsTests
{
    [Fact]
    public void A_call_before_the_shards_are_loaded_is_unavailable_then_reaches_the_one_shard()
    {
        using var core = new ParameterServerCore(new ParameterLayout([("w", [4])]), new float[4], new CoreOptions());
        var served = ServedShards.ForSilo(modelShards: 1);
        served.Add(new ServedShard(core, new ShardKey(0, 1)));
        var early = Assert.Throws<RpcException>(() => served.Resolve(new CallContext()));
        Assert.Equal(StatusCode.Unavailable, early.StatusCode);

        served.MarkReady();
        Assert.Same(core, served.Resolve(new CallContext()).Core);
        Assert.Same(core, served.Resolve(new CallContext(new ShardKey(0, 1))).Core);
        var stale = Assert.Throws<RpcException>(() => served.Resolve(new CallContext(new ShardKey(0, 2))));
        Assert.True(ShardKey.IsNotOwner(stale));
    }

    [Fact]
    public void A_model_of_several_shards_wants_every_call_to_name_its_shard()
    {
        using var core = new ParameterServerCore(new ParameterLayout([("w", [4])]), new float[4], new CoreOptions());
        var served = ServedShards.ForSilo(modelShards: 2);
        served.Add(new ServedShard(core, new ShardKey(1, 3)));
        served.MarkReady();
        var unnamed = Assert.Throws<RpcException>(() => served.Resolve(new CallContext()));
        Assert.True(ShardKey.IsNotOwner(unnamed));
        Assert.Contains("cut into 2 shards", unnamed.Status.Detail);
        Assert.Same(core, served.Resolve(new CallContext(new ShardKey(1, 3))).Core);
        Assert.True(ShardKey.IsNotOwner(Assert.Throws<RpcException>(() => served.Resolve(new CallContext(new ShardKey(0, 1))))));
    }

    /// <summary>The part of a call's context that routing reads: its request headers.</summary>
    private sealed class CallContext(ShardKey? key = null) : ServerCallContext
    {
        private readonly Metadata _headers = Headers(key);

        private static Metadata Headers(ShardKey? key)
        {
            var headers = new Metadata();
            key?.AddTo(headers);
            return headers;
        }

        protected override string MethodCore => "/pstraining.v1.ParameterServer/Pull";

        protected override string HostCore => "localhost";

        protected override string PeerCore => "ipv4:127.0.0.1:1";

        protected override DateTime DeadlineCore => DateTime.MaxValue;

        protected override Metadata RequestHeadersCore => _headers;

        protected override CancellationToken CancellationTokenCore => CancellationToken.None;

        protected override Metadata ResponseTrailersCore { get; } = [];

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore => new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
