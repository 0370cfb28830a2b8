using PsTraining.Sim.Simulation;

namespace PsTraining.Sim.Tests.Simulation;

public sealed class EventQueueTests
{
    /// <summary>Random pushes, removals and replacements against a sorted list of (time, learner) pairs.</summary>
    [Fact]
    public void Yields_events_by_time_then_learner_like_a_sorted_list()
    {
        var random = new Random(7);
        var queue = new EventQueue(2);
        var expected = new SortedSet<(long Ticks, int Learner)>();
        for (var step = 0; step < 20_000; step++)
        {
            var (ticks, learner) = (random.Next(0, 50), random.Next(0, 1000));
            if (expected.Contains((ticks, learner)))
            {
                continue;
            }

            switch (expected.Count == 0 ? 0 : random.Next(3))
            {
                case 0:
                    queue.Push(ticks, learner);
                    expected.Add((ticks, learner));
                    break;
                case 1:
                    queue.RemoveMin();
                    expected.Remove(expected.Min);
                    break;
                default:
                    queue.ReplaceMin(ticks, learner);
                    expected.Remove(expected.Min);
                    expected.Add((ticks, learner));
                    break;
            }

            Assert.Equal(expected.Count, queue.Count);
            if (expected.Count > 0)
            {
                Assert.Equal(expected.Min, queue.Min);
            }
        }
    }
}
