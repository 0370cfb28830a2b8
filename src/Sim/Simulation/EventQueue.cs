namespace PsTraining.Sim.Simulation;

/// <summary>
/// The simulator's future completions, ordered by time, then by ascending learner, so that simultaneous completions
/// come out in learner order. Learners are partitioned into groups whose completions can only be scheduled in time
/// order: learners with the same constant step time (each is rescheduled at now + T, never before one scheduled
/// earlier). Each group is a FIFO, already in order, and a binary min-heap holds only the groups' heads: with 10,000
/// learners of 1,000 speeds, a heap of 1,000 entries instead of 10,000. A learner of its own group (any random speed)
/// makes it a plain heap. Written for the engine's hot path: keys are compared directly, and
/// <see cref="ReplaceMin"/> turns "take the next completion, schedule that learner's next one" into one pass.
/// </summary>
internal sealed class EventQueue
{
    private readonly int[] _groupOf;
    private readonly Fifo[] _groups;
    private readonly Event[] _heap;
    private int _heads;

    /// <param name="groupOf">Each learner's group (0-based, dense); learners of one group must be scheduled in time order.</param>
    public EventQueue(IReadOnlyList<int> groupOf)
    {
        _groupOf = [.. groupOf];
        var sizes = new int[_groupOf.Length == 0 ? 0 : _groupOf.Max() + 1];
        foreach (var g in _groupOf)
        {
            sizes[g]++;
        }

        _groups = sizes.Select(n => new Fifo(n)).ToArray();
        _heap = new Event[Math.Max(1, sizes.Length)];
    }

    /// <summary>A queue in which every learner is its own group: a plain heap.</summary>
    public EventQueue(int learners)
        : this(Enumerable.Range(0, learners).ToArray())
    {
    }

    public int Count { get; private set; }

    /// <summary>The earliest completion; only when <see cref="Count"/> &gt; 0.</summary>
    public (long Ticks, int Learner) Min => (_heap[0].Ticks, _heap[0].Learner);

    public void Push(long ticks, int learner)
    {
        var g = _groupOf[learner];
        var fifo = _groups[g];
        var wasEmpty = fifo.Count == 0;
        fifo.Add(new Event(ticks, learner, g));
        Count++;
        if (wasEmpty)
        {
            SiftUp(_heads++, fifo.Head);
        }
        else if (fifo.Head.Learner == learner)
        {
            // It went in front of its group's earlier head (a tie broken by learner number): the head's key got smaller.
            SiftUp(IndexOfHead(g), fifo.Head);
        }
    }

    /// <summary>Removes the earliest completion.</summary>
    public void RemoveMin()
    {
        var fifo = _groups[_heap[0].Group];
        fifo.RemoveHead();
        Count--;
        if (fifo.Count > 0)
        {
            SiftDown(fifo.Head);
        }
        else if (--_heads > 0)
        {
            SiftDown(_heap[_heads]);
        }
    }

    /// <summary>Removes the earliest completion and adds (<paramref name="ticks"/>, <paramref name="learner"/>): in one pass when they are of one group (the engine's case).</summary>
    public void ReplaceMin(long ticks, int learner)
    {
        if (_groupOf[learner] != _heap[0].Group)
        {
            RemoveMin();
            Push(ticks, learner);
            return;
        }

        var fifo = _groups[_heap[0].Group];
        fifo.RemoveHead();
        fifo.Add(new Event(ticks, learner, _heap[0].Group));
        SiftDown(fifo.Head);
    }

    private int IndexOfHead(int group)
    {
        for (var i = 0; i < _heads; i++)
        {
            if (_heap[i].Group == group)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"group {group} has no head in the heap");
    }

    /// <summary>
    /// Fills the root's hole with <paramref name="item"/> bottom-up (Wegener's heapsort trick): the hole first walks down
    /// along the earlier child to a leaf, one comparison a level, and the item then climbs back up. A new completion lies
    /// far in the future, so it rarely climbs, and this halves the comparisons of the textbook sift-down.
    /// </summary>
    private void SiftDown(Event item)
    {
        var heap = _heap;
        var count = _heads;
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

    private readonly record struct Event(long Ticks, int Learner, int Group)
    {
        // Non-short-circuit operators: no branch to mispredict.
        public bool Precedes(Event other) => (Ticks < other.Ticks) | ((Ticks == other.Ticks) & (Learner < other.Learner));
    }

    /// <summary>One group's completions in order: a ring buffer as large as the group (a learner is queued at most once).</summary>
    private sealed class Fifo(int capacity)
    {
        private readonly Event[] _items = new Event[Math.Max(1, capacity)];
        private int _start;

        public int Count { get; private set; }

        public Event Head => _items[_start];

        /// <summary>Appends, keeping ties in learner order; a completion earlier than the last one queued is a misuse.</summary>
        public void Add(Event item)
        {
            var i = Count++;
            while (i > 0)
            {
                var before = _items[Wrap(i - 1)];
                if (before.Ticks > item.Ticks)
                {
                    throw new InvalidOperationException($"learner {item.Learner + 1} was scheduled at tick {item.Ticks}, before its group's learner {before.Learner + 1} at {before.Ticks}");
                }

                if (!item.Precedes(before))
                {
                    break;
                }

                _items[Wrap(i)] = before;
                i--;
            }

            _items[Wrap(i)] = item;
        }

        public void RemoveHead()
        {
            _start = Wrap(1);
            Count--;
        }

        // The slot i places after the head, without a division on the hot path.
        private int Wrap(int i)
        {
            var slot = _start + i;
            return slot >= _items.Length ? slot - _items.Length : slot;
        }
    }
}
