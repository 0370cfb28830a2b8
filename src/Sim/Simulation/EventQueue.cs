namespace PsTraining.Sim.Simulation;

/// <summary>
/// The simulator's future completions: a binary min-heap ordered by time, then by ascending learner, so that
/// simultaneous completions come out in learner order. Written for the engine's hot path: the two keys are compared
/// directly (no comparer, no tuple comparison), and <see cref="ReplaceMin"/> turns the common "take the next event,
/// schedule that learner's next one" into a single pass.
/// </summary>
internal sealed class EventQueue(int capacity)
{
    private Event[] _heap = new Event[Math.Max(4, capacity)];

    public int Count { get; private set; }

    /// <summary>The earliest event; only when <see cref="Count"/> &gt; 0.</summary>
    public (long Ticks, int Learner) Min => (_heap[0].Ticks, _heap[0].Learner);

    public void Push(long ticks, int learner)
    {
        if (Count == _heap.Length)
        {
            Array.Resize(ref _heap, Count * 2);
        }

        SiftUp(Count++, new Event(ticks, learner));
    }

    /// <summary>Removes the earliest event.</summary>
    public void RemoveMin()
    {
        var last = _heap[--Count];
        if (Count > 0)
        {
            SiftDown(last);
        }
    }

    /// <summary>Removes the earliest event and adds (<paramref name="ticks"/>, <paramref name="learner"/>) in one pass.</summary>
    public void ReplaceMin(long ticks, int learner) => SiftDown(new Event(ticks, learner));

    /// <summary>
    /// Fills the root's hole with <paramref name="item"/> bottom-up (Wegener's heapsort trick): the hole first walks down
    /// along the earlier child to a leaf, one comparison a level, and the item then climbs back up. A new event lies far
    /// in the future, so it rarely climbs, and this halves the comparisons of the textbook sift-down.
    /// </summary>
    private void SiftDown(Event item)
    {
        var heap = _heap;
        var count = Count;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && heap[child + 1].Precedes(heap[child]))
            {
                child++;
            }

            heap[i] = heap[child];
            i = child;
        }

        SiftUp(i, item);
    }

    /// <summary>Places <paramref name="item"/> into the hole at <paramref name="i"/> or above it.</summary>
    private void SiftUp(int i, Event item)
    {
        var heap = _heap;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!item.Precedes(heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = item;
    }

    private readonly record struct Event(long Ticks, int Learner)
    {
        // Non-short-circuit operators: no branch to mispredict.
        public bool Precedes(Event other) => (Ticks < other.Ticks) | ((Ticks == other.Ticks) & (Learner < other.Learner));
    }
}
