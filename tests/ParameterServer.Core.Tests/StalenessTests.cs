using PsTraining.ParameterServer.Core;
using static PsTraining.TestSupport.CoreFactory;

namespace PsTraining.ParameterServer.Core.Tests;

public sealed class StalenessTests
{
    /// <summary>
    /// The textbook case, driven by hand: learner 1 finishes gradients at t = 1, 2, 3, 4, 5, learner 2 at 2.5 and 5;
    /// each pushes then pulls at once; at t = 5 learner 1 goes first (ascending learner order).
    /// </summary>
    [Fact]
    public void Two_learners_at_2_5x_speed_give_the_textbook_staleness()
    {
        using var core = Create();
        var l1 = core.Register("l1").LearnerId;
        var l2 = core.Register("l2").LearnerId;
        var read = new Dictionary<uint, ulong> { [l1] = core.Pull(l1, new float[10]), [l2] = core.Pull(l2, new float[10]) };
        var sequence = new Dictionary<uint, ulong> { [l1] = 0, [l2] = 0 };
        var staleness = new Dictionary<uint, List<ulong>> { [l1] = [], [l2] = [] };

        foreach (var learner in new[] { l1, l1, l2, l1, l1, l1, l2 })
        {
            var result = Push(core, learner, ++sequence[learner], read[learner], Gradient(1));
            staleness[learner].Add(result.Staleness);
            read[learner] = core.Pull(learner, new float[10]);
        }

        Assert.Equal([0UL, 0, 1, 0], staleness[l1].Take(4));
        Assert.Equal([2UL, 3], staleness[l2]);
        Assert.Equal(7UL, core.Version);
    }

    [Fact]
    public void Staleness_is_version_before_applying_minus_read_version()
    {
        using var core = Create();
        var a = core.Register("a").LearnerId;
        var b = core.Register("b").LearnerId;
        Push(core, a, 1, 0, Gradient(0));
        Push(core, a, 2, 1, Gradient(0));
        Push(core, a, 3, 2, Gradient(0));
        var late = Push(core, b, 1, 0, Gradient(0));
        Assert.Equal(3UL, late.Staleness);
        Assert.Equal(4UL, late.Version);
        var stats = core.Stats();
        Assert.Equal(3UL, stats.Learners.Single(l => l.LearnerId == b).MaxStaleness);
        Assert.Equal(0, stats.Learners.Single(l => l.LearnerId == a).MeanStaleness);
    }

    [Fact]
    public void Staleness_aware_learning_rate_divides_by_the_staleness()
    {
        using var core = Create(new CoreOptions { Shards = 2, LearningRate = 0.8f, StalenessAwareLearningRate = true });
        var a = core.Register("a").LearnerId;
        var b = core.Register("b").LearnerId;
        for (ulong s = 1; s <= 4; s++)
        {
            Push(core, a, s, s - 1, Gradient(0));
        }

        var before = Weights(core);
        var result = Push(core, b, 1, 0, Gradient(1)); // staleness 4
        Assert.Equal(4UL, result.Staleness);
        Assert.Equal(0.2f, result.AppliedLearningRate);
        var after = Weights(core);
        for (var i = 0; i < after.Length; i++)
        {
            Assert.Equal(before[i] - 0.2f, after[i]);
        }

        Assert.Equal(0.8f, Push(core, b, 2, 5, Gradient(0)).AppliedLearningRate); // staleness 0 counts as 1
    }
}
