
namespace PsTraining.Simulation.Tests;

public sealed class EventQueueTests
{
    /// <summary>
    /// Random pushes, removals and replacements against a sorted list of (time, learner) pairs, every learner its own
    /// group; times never earlier than the last removed, as in the engine. Windows of 1, 8 and 64 ticks: completions
    /// due beyond the wheel wait in its overflow heap and come back onto it, and ties that go in front of a group's
    /// head are taken out of either.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    public void Yields_events_by_time_then_learner_like_a_sorted_list(int window)
    {
        var random = new Random(7);
        var queue = new EventQueue(1000, window);
        var expected = new SortedSet<(long Ticks, int Learner)>();
        var now = 0L;
        for (var step = 0; step < 20_000; step++)
        {
            var (ticks, learner) = (now + random.Next(0, 50), random.Next(0, 1000));
            if (expected.Any(e => e.Learner == learner))
            {
                continue; // a learner has at most one completion queued
            }

            switch (expected.Count == 0 ? 0 : random.Next(3))
            {
                case 0:
                    queue.Push(ticks, learner);
                    expected.Add((ticks, learner));
                    break;
                case 1:
                    now = expected.Min.Ticks;
                    queue.RemoveMin();
                    expected.Remove(expected.Min);
                    break;
                default:
                    now = expected.Min.Ticks;
                    ticks = Math.Max(ticks, now);
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

    [Fact]
    public void Refuses_a_completion_before_the_last_one_removed()
    {
        var queue = new EventQueue(2);
        queue.Push(5, 0);
        queue.RemoveMin();
        var error = Assert.Throws<InvalidOperationException>(() => queue.Push(4, 1));
        Assert.Contains("before the last completion at 5", error.Message);
    }

    /// <summary>
    /// Groups of learners with one constant step each (rescheduled at now + step, as the engine does, sometimes later
    /// as a held push would be), against a sorted set: the same order, ties in learner order.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(64)]
    public void Groups_of_equal_speed_learners_keep_the_order_of_a_sorted_list(int window)
    {
        var random = new Random(11);
        var steps = new long[] { 3, 3, 3, 5, 5, 2, 7, 3, 5, 2 };
        var groups = new[] { 0, 0, 0, 1, 1, 2, 3, 0, 1, 2 };
        var queue = new EventQueue(groups, window);
        var expected = new SortedSet<(long Ticks, int Learner)>();
        for (var i = 0; i < steps.Length; i++)
        {
            queue.Push(steps[i], i);
            expected.Add((steps[i], i));
        }

        var held = new List<int>();
        for (var step = 0; step < 5_000; step++)
        {
            Assert.Equal(expected.Count, queue.Count);
            Assert.Equal(expected.Min, queue.Min);
            var (now, learner) = expected.Min;
            expected.Remove(expected.Min);
            if (random.Next(4) == 0)
            {
                queue.RemoveMin(); // held back: rescheduled later, when another learner is applied
                held.Add(learner);
                continue;
            }

            queue.ReplaceMin(now + steps[learner], learner);
            expected.Add((now + steps[learner], learner));
            foreach (var other in held.Where(_ => random.Next(2) == 0).ToList())
            {
                held.Remove(other);
                queue.Push(now + steps[other], other);
                expected.Add((now + steps[other], other));
            }
        }
    }
}
