using PsTraining.ParameterServer.Core;

namespace PsTraining.ParameterServer.Core.Tests;

/// <summary>The core's learners by id: dense ids in an array, far ones in a dictionary, every one found whichever way it came in.</summary>
public sealed class LearnerTableTests
{
    [Fact]
    public void Finds_every_learner_dense_or_far_and_keeps_the_order_they_joined()
    {
        var table = new LearnerTable();
        // A far id first (a learner resuming with the id an earlier server gave it), then enough dense ones that the
        // array grows past it and must take it over from the dictionary, then one far beyond anything.
        uint[] ids = [500, .. Enumerable.Range(1, 400).Select(i => (uint)i), 4_000_000_000];
        foreach (var id in ids)
        {
            table.Add(new LearnerState(id, $"L{id}"));
        }

        Assert.All(ids, id => Assert.Equal($"L{id}", table.Find(id)?.Name));
        Assert.Equal(ids, table.Select(l => l.Id));
        Assert.Null(table.Find(0));
        Assert.Null(table.Find(401));
        Assert.Null(table.Find(3_999_999_999));
        Assert.False(table.Contains(777));
    }

    [Fact]
    public void Refuses_an_id_twice()
    {
        var table = new LearnerTable();
        table.Add(new LearnerState(3, "a"));
        var error = Assert.Throws<InvalidOperationException>(() => table.Add(new LearnerState(3, "b")));
        Assert.Equal("learner 3 is already registered", error.Message);
        Assert.Equal("a", table.Find(3)?.Name);
    }
}
