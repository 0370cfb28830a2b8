using PsTraining.ParameterServer.Core;
using PsTraining.ParameterServer.Durability;
using static PsTraining.TestSupport.CoreFactory;

namespace PsTraining.ParameterServer.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pst-ckpt").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_restored_server_continues_exactly_where_the_checkpoint_was_taken()
    {
        var options = new CoreOptions { Shards = 3, LearningRate = 0.1f, Optimizer = new() { Kind = "adam" } };
        using var original = Create(options);
        var a = original.Register("a").LearnerId;
        var b = original.Register("b").LearnerId;
        for (ulong s = 1; s <= 3; s++)
        {
            Push(original, a, s, s - 1, Gradient(s));
        }

        Push(original, b, 1, 1, Gradient(-1));
        var store = new CheckpointStore(_dir);
        var path = store.Save(original.Export(), "made-up", original.Layout);

        var (state, model, layout) = CheckpointFile.Read(path);
        Assert.Equal("made-up", model);
        Assert.Equal(["w", "b"], layout.Select(t => t.Name));
        using var restored = ParameterServerCore.Restore(original.Layout, state, options);
        Assert.Equal(4UL, restored.Version);
        Assert.Equal(Weights(original), Weights(restored));

        // Retries stay idempotent across the restart, and the next pushes follow the same trajectory (Adam state included).
        Assert.True(Push(restored, b, 1, 1, Gradient(-1)).Duplicate);
        Assert.Equal(Push(original, a, 4, 4, Gradient(2)), Push(restored, a, 4, 4, Gradient(2)));
        Assert.Equal(Weights(original), Weights(restored));
        Assert.Equal(b, restored.Register("", b).LearnerId);
        Assert.NotEqual(b, restored.Register("new").LearnerId);
    }

    [Fact]
    public void Torn_checkpoints_are_refused_and_the_newest_valid_one_is_used()
    {
        using var core = Create();
        var id = core.Register("a").LearnerId;
        var store = new CheckpointStore(_dir, keep: 5);
        Push(core, id, 1, 0, Gradient(1));
        store.Save(core.Export(), "m", core.Layout);
        Push(core, id, 2, 1, Gradient(1));
        var newest = store.Save(core.Export(), "m", core.Layout);

        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length - 7)]);
        Assert.Contains("torn or corrupt", Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(newest)).Message);

        var skipped = new List<string>();
        var loaded = store.LoadNewest(skipped);
        Assert.Equal(1UL, loaded!.State.Version);
        Assert.Single(skipped);
        Assert.Equal(2UL, store.ReadHighWater());

        bytes[100] ^= 0x40;
        File.WriteAllBytes(newest, bytes);
        Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(newest));
    }

    [Fact]
    public void Only_the_newest_checkpoints_are_kept()
    {
        using var core = Create();
        var id = core.Register("a").LearnerId;
        var store = new CheckpointStore(_dir, keep: 2);
        for (ulong s = 1; s <= 4; s++)
        {
            Push(core, id, s, s - 1, Gradient(1));
            store.Save(core.Export(), "m", core.Layout);
        }

        Assert.Equal([4UL, 3UL], store.List().Select(c => c.Version));
    }

    [Fact]
    public void A_checkpoint_of_another_optimiser_is_refused_by_name()
    {
        using var core = Create(new CoreOptions { Shards = 1, LearningRate = 1, Optimizer = new() { Kind = "adam" } });
        var e = Assert.Throws<ArgumentException>(() => ParameterServerCore.Restore(core.Layout, core.Export(), new CoreOptions { Shards = 1, LearningRate = 1 }));
        Assert.Contains("optimiser", e.Message);
    }
}
