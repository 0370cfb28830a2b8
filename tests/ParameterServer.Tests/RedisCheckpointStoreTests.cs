using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Durability;
using PsTraining.Protocol;
using PsTraining.Hosting;
using StackExchange.Redis;

namespace PsTraining.ParameterServer.Tests;

/// <summary>
/// Checkpoints in a real redis-server hold to what the folder of checkpoint files holds to (CheckpointTests): a
/// checkpoint comes back as it was saved, a torn newest one is skipped for the one before, only the newest few are
/// kept, and the high-water mark says how far the core had got.
/// </summary>
public sealed class RedisCheckpointStoreTests : IAsyncLifetime
{
    private static readonly ParameterLayout Layout = new([("w", [3L, 2L]), ("b", [2L])]);
    private readonly string _dir = Directory.CreateTempSubdirectory("pstraining-redis-").FullName;
    private RedisServer? _redis;
    private ConnectionMultiplexer? _connection;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(Path.Combine(_dir, "redis.log"));
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
    }

    public async Task DisposeAsync()
    {
        await _connection!.DisposeAsync();
        _redis!.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_checkpoint_comes_back_as_it_was_saved_with_its_learners()
    {
        var store = new RedisCheckpointStore(_connection!.GetDatabase(), "test:shard-0");
        using var core = Core();
        var id = core.Register("a").LearnerId;
        for (ulong s = 1; s <= 3; s++)
        {
            await Push(core, id, s, s - 1);
        }

        var saved = core.Export();
        Assert.Equal("test:shard-0:checkpoint:000000000003", store.Save(saved, "m", Layout));
        var loaded = store.LoadNewest([])!;
        Assert.Equal(("m", 3UL), (loaded.Model, loaded.State.Version));
        Assert.Equal(saved.Weights, loaded.State.Weights);
        Assert.Equal(saved.Learners, loaded.State.Learners);
        Assert.Equal(Layout.Tensors.Select(t => (t.Name, string.Join(',', t.Shape))), loaded.Layout.Select(t => (t.Name, string.Join(',', t.Shape))));
        Assert.Null(new RedisCheckpointStore(_connection.GetDatabase(), "test:shard-1").LoadNewest([])); // another prefix, another shard
    }

    [Fact]
    public async Task A_torn_newest_checkpoint_is_skipped_for_the_one_before()
    {
        var redis = _connection!.GetDatabase();
        var store = new RedisCheckpointStore(redis, "test:torn", keep: 5);
        using var core = Core();
        var id = core.Register("a").LearnerId;
        await Push(core, id, 1, 0);
        store.Save(core.Export(), "m", Layout);
        await Push(core, id, 2, 1);
        var newest = store.Save(core.Export(), "m", Layout);
        var bytes = (byte[])redis.StringGet(newest)!;
        redis.StringSet(newest, bytes[..^7]);

        var skipped = new List<string>();
        Assert.Equal(1UL, store.LoadNewest(skipped)!.State.Version);
        Assert.Contains("torn or corrupt", Assert.Single(skipped));
        Assert.Equal(2UL, store.ReadHighWater());
    }

    [Fact]
    public async Task Only_the_newest_checkpoints_are_kept()
    {
        var redis = _connection!.GetDatabase();
        var store = new RedisCheckpointStore(redis, "test:keep", keep: 2);
        using var core = Core();
        var id = core.Register("a").LearnerId;
        var names = new List<string>();
        for (ulong s = 1; s <= 4; s++)
        {
            await Push(core, id, s, s - 1);
            names.Add(store.Save(core.Export(), "m", Layout));
        }

        Assert.Equal([false, false, true, true], names.Select(n => redis.KeyExists(n)));
        Assert.Equal(["4", "3"], redis.SortedSetRangeByRank("test:keep:checkpoints", order: Order.Descending).Select(v => (string)v!));
    }

    private static ParameterServerCore Core() => new(Layout, new float[Layout.TotalLength], new CoreOptions { Shards = 1, LearningRate = 0.5f });

    private static Task<PushResult> Push(ParameterServerCore core, uint learner, ulong sequence, ulong read) =>
        core.PushAsync(new PushInput(learner, sequence, read, Enumerable.Repeat((float)sequence, Layout.TotalLength).ToArray()), CancellationToken.None);
}
