using System.Numerics;

namespace PsTraining.Simulation;

/// <summary>
/// The simulator's future completions, ordered by time, then by ascending learner, so that simultaneous completions
/// come out in learner order. Time only moves forward: nothing may be scheduled before the last completion removed.
/// <para>
/// Learners are partitioned into groups whose completions can only be scheduled in time order: learners with the same
/// constant step time (each is rescheduled at now + T, never before one scheduled earlier). Each group is a FIFO,
/// already in order, and only the groups' heads are sorted: with 10,000 learners of 1,000 speeds, 1,000 heads.
/// </para>
/// <para>
/// The heads due within a window of <c>W</c> ticks from the last completion sit on a timing wheel, one slot per tick
/// (a slot lists its heads in learner order, and a bitmap finds the next slot in use), so that scheduling and taking
/// the next completion cost the same with 10 or 10,000 groups, and no comparison the processor has to guess. Heads
/// due later (random step times, or steps longer than the window) wait in a binary heap and move onto the wheel as
/// the window reaches them.
/// </para>
/// </summary>
internal sealed class EventQueue
{
    private const int None = -1;

    private readonly int[] _groupOf;
    private readonly Event[] _queued; // every group's completions: group g's ring is a range of its own
    private readonly Ring[] _groups;

    // The wheel: slot (ticks mod W) holds the heads due at that tick, for ticks in [_floor, _floor + W).
    private readonly long _mask;
    private readonly int[] _slotFirst; // the group whose head comes first in each slot, or None
    private readonly int[] _nextInSlot; // per group: the group after it in its slot, or None
    private readonly ulong[] _occupied; // a bit per slot in use
    private int _onWheel;

    private readonly LaterHeads _later;
    private long _floor; // the last completion removed: nothing is earlier, and the window starts here
    private int _firstSlot = None; // the slot of the earliest head on the wheel, once found; None when not known

    /// <param name="groupOf">Each learner's group (0-based, dense); learners of one group must be scheduled in time order.</param>
    /// <param name="window">The wheel's span in ticks (rounded up to a power of two): a completion due sooner than this after the last one goes on the wheel.</param>
    public EventQueue(IReadOnlyList<int> groupOf, long window = 64)
    {
        if (window is < 1 or > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "the wheel spans 1 to 2^24 ticks");
        }

        _groupOf = [.. groupOf];
        var sizes = new int[_groupOf.Length == 0 ? 0 : _groupOf.Max() + 1];
        foreach (var g in _groupOf)
        {
            sizes[g]++;
        }

        _queued = new Event[_groupOf.Length];
        _groups = new Ring[sizes.Length];
        for (int g = 0, offset = 0; g < sizes.Length; offset += sizes[g++])
        {
            _groups[g] = new Ring(offset, sizes[g]);
        }

        var slots = (int)BitOperations.RoundUpToPowerOf2((ulong)window);
        _mask = slots - 1;
        _slotFirst = Enumerable.Repeat(None, slots).ToArray();
        _nextInSlot = new int[sizes.Length];
        _occupied = new ulong[(slots + 63) / 64];
        _later = new LaterHeads(sizes.Length);
    }

    /// <summary>A queue in which every learner is its own group.</summary>
    public EventQueue(int learners, long window = 64)
        : this(Enumerable.Range(0, learners).ToArray(), window)
    {
    }

    public int Count { get; private set; }

    /// <summary>The earliest completion; only when <see cref="Count"/> &gt; 0.</summary>
    public (long Ticks, int Learner) Min
    {
        get
        {
            var head = _onWheel > 0 ? Head(_slotFirst[FirstSlot()]) : _later.Min;
            return (head.Ticks, head.Learner);
        }
    }

    public void Push(long ticks, int learner)
    {
        if (ticks < _floor)
        {
            throw new InvalidOperationException($"learner {learner + 1} was scheduled at tick {ticks}, before the last completion at {_floor}");
        }

        var g = _groupOf[learner];
        ref var ring = ref _groups[g];
        var before = ring.Count > 0 ? Head(g) : default;
        ring.Add(_queued, new Event(ticks, learner, g));
        Count++;
        if (ring.Count == 1)
        {
            Schedule(Head(g));
        }
        else if (Head(g).Learner == learner)
        {
            // It went in front of its group's earlier head (a tie broken by learner number): the group moves up.
            Unschedule(before);
            Schedule(Head(g));
        }
    }

    /// <summary>Removes the earliest completion.</summary>
    public void RemoveMin()
    {
        Event head;
        if (_onWheel > 0)
        {
            var slot = FirstSlot();
            var g = _slotFirst[slot];
            head = Head(g);
            TakeFront(slot, g);
        }
        else
        {
            head = _later.Min;
            _later.RemoveMin();
        }

        _groups[head.Group].RemoveHead();
        Count--;
        if (head.Ticks > _floor)
        {
            _floor = head.Ticks;
            // The window moved on: heads it now reaches go on the wheel.
            while (_later.Count > 0 && _later.Min.Ticks - _floor <= _mask)
            {
                var next = _later.Min;
                _later.RemoveMin();
                PlaceOnWheel(next);
            }
        }

        if (_groups[head.Group].Count > 0)
        {
            Schedule(Head(head.Group));
        }
    }

    /// <summary>Removes the earliest completion and adds (<paramref name="ticks"/>, <paramref name="learner"/>).</summary>
    public void ReplaceMin(long ticks, int learner)
    {
        RemoveMin();
        Push(ticks, learner);
    }

    private void Schedule(Event head)
    {
        if (head.Ticks - _floor <= _mask)
        {
            PlaceOnWheel(head);
        }
        else
        {
            _later.Push(head);
        }
    }

    private void Unschedule(Event head)
    {
        if (head.Ticks - _floor > _mask)
        {
            _later.Remove(head.Group);
            return;
        }

        var slot = (int)(head.Ticks & _mask);
        var previous = None;
        var g = _slotFirst[slot];
        while (g != head.Group)
        {
            (previous, g) = (g, _nextInSlot[g]);
        }

        if (previous == None)
        {
            TakeFront(slot, g);
        }
        else
        {
            _nextInSlot[previous] = _nextInSlot[g];
            _onWheel--;
        }
    }

    /// <summary>Links the head's group into its slot, behind the heads of smaller learners.</summary>
    private void PlaceOnWheel(Event head)
    {
        var slot = (int)(head.Ticks & _mask);
        var previous = None;
        var next = _slotFirst[slot];
        while (next != None && Head(next).Learner < head.Learner)
        {
            (previous, next) = (next, _nextInSlot[next]);
        }

        _nextInSlot[head.Group] = next;
        if (previous == None)
        {
            _slotFirst[slot] = head.Group;
            _occupied[slot >> 6] |= 1UL << slot;
        }
        else
        {
            _nextInSlot[previous] = head.Group;
        }

        _onWheel++;
        if (_firstSlot != None && ((head.Ticks - _floor) & _mask) < ((_firstSlot - _floor) & _mask))
        {
            _firstSlot = slot;
        }
    }

    private void TakeFront(int slot, int group)
    {
        var next = _nextInSlot[group];
        _slotFirst[slot] = next;
        _onWheel--;
        if (next == None)
        {
            _occupied[slot >> 6] &= ~(1UL << slot);
            if (_firstSlot == slot)
            {
                _firstSlot = None;
            }
        }
    }

    private Event Head(int group) => _groups[group].Head(_queued);

    /// <summary>The slot of the earliest head on the wheel (there is one): the first slot in use from the window's start.</summary>
    private int FirstSlot()
    {
        if (_firstSlot != None)
        {
            return _firstSlot;
        }

        var slot = (int)(_floor & _mask);
        var word = slot >> 6;
        var bits = _occupied[word] & (ulong.MaxValue << slot); // slots before the start come last, in the window's wrap-around
        while (bits == 0)
        {
            word = word + 1 == _occupied.Length ? 0 : word + 1;
            bits = _occupied[word];
        }

        return _firstSlot = (word << 6) + BitOperations.TrailingZeroCount(bits);
    }

    private readonly record struct Event(long Ticks, int Learner, int Group)
    {
        // Non-short-circuit operators: no branch to mispredict.
        public bool Precedes(Event other) => (Ticks < other.Ticks) | ((Ticks == other.Ticks) & (Learner < other.Learner));
    }

    /// <summary>
    /// One group's completions in order: a ring buffer over its range of the shared array, as large as the group (a
    /// learner is queued at most once). A struct over one array rather than an object and an array per group, so that
    /// reaching a head is one load, not a chain of two cache misses.
    /// </summary>
    private struct Ring(int offset, int capacity)
    {
        private int _start;

        public int Count { get; private set; }

        public readonly Event Head(Event[] queued) => queued[offset + _start];

        /// <summary>Appends, keeping ties in learner order; a completion earlier than the last one queued is a misuse.</summary>
        public void Add(Event[] queued, Event item)
        {
            var i = Count++;
            while (i > 0)
            {
                var before = queued[At(i - 1)];
                if (before.Ticks > item.Ticks)
                {
                    throw new InvalidOperationException($"learner {item.Learner + 1} was scheduled at tick {item.Ticks}, before its group's learner {before.Learner + 1} at {before.Ticks}");
                }

                if (!item.Precedes(before))
                {
                    break;
                }

                queued[At(i)] = before;
                i--;
            }

            queued[At(i)] = item;
        }

        public void RemoveHead()
        {
            _start = _start + 1 == capacity ? 0 : _start + 1;
            Count--;
        }

        // Where the item i places after the head lies, without a division on the hot path.
        private readonly int At(int i)
        {
            var slot = _start + i;
            return offset + (slot >= capacity ? slot - capacity : slot);
        }
    }

    /// <summary>Group heads due beyond the wheel's window: a binary min-heap by (time, learner).</summary>
    private sealed class LaterHeads(int groups)
    {
        private readonly Event[] _heap = new Event[Math.Max(1, groups)];

        public int Count { get; private set; }

        public Event Min => _heap[0];

        public void Push(Event head) => SiftUp(Count++, head);

        public void RemoveMin()
        {
            if (--Count > 0)
            {
                SiftDown(0, _heap[Count]);
            }
        }

        /// <summary>Takes out the head of <paramref name="group"/> (rare: a tie broken by learner number put another in front of it).</summary>
        public void Remove(int group)
        {
            var i = Array.FindIndex(_heap, 0, Count, e => e.Group == group);
            var last = _heap[--Count];
            if (i < Count)
            {
                SiftDown(i, last);
                SiftUp(i, _heap[i]);
            }
        }

        private void SiftDown(int i, Event item)
        {
            while (true)
            {
                var child = (2 * i) + 1;
                if (child >= Count)
                {
                    break;
                }

                if (child + 1 < Count && _heap[child + 1].Precedes(_heap[child]))
                {
                    child++;
                }

                if (!_heap[child].Precedes(item))
                {
                    break;
                }

                _heap[i] = _heap[child];
                i = child;
            }

            _heap[i] = item;
        }

        private void SiftUp(int i, Event item)
        {
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (!item.Precedes(_heap[parent]))
                {
                    break;
                }

                _heap[i] = _heap[parent];
                i = parent;
            }

            _heap[i] = item;
        }
    }
}
