using System.Collections;

namespace PsTraining.ParameterServer.Core;

/// <summary>
/// The core's learners, by id and in the order they joined. Ids are handed out densely from 1, so they index an array:
/// a push finds its learner with one load rather than a hash lookup's chain of bucket, entry and object, which with
/// the simulator's 10,000 learners costs a cache miss at each link. An id far beyond the table (one a learner brings
/// back from an earlier server) goes into a dictionary instead, so memory stays proportional to the learners.
/// Enumerates in the order the learners joined (without allocating, for SSP's scan on every push).
/// </summary>
internal sealed class LearnerTable : IEnumerable<LearnerState>
{
    private readonly List<LearnerState> _all = [];
    private readonly Dictionary<uint, LearnerState> _sparse = [];
    private LearnerState?[] _dense = new LearnerState?[64];

    public LearnerState? Find(uint id) => id < (uint)_dense.Length ? _dense[id] : _sparse.GetValueOrDefault(id);

    public bool Contains(uint id) => Find(id) is not null;

    public void Add(LearnerState learner)
    {
        var id = learner.Id;
        if (Contains(id))
        {
            throw new InvalidOperationException($"learner {id} is already registered");
        }

        var reach = 2L * (_all.Count + 64); // how far the array may grow: twice the learners, so that memory stays proportional
        if (id >= _dense.Length && id < reach)
        {
            Array.Resize(ref _dense, (int)Math.Min(reach, Math.Max(2L * _dense.Length, id + 1L)));
            foreach (var reached in _sparse.Keys.Where(k => k < _dense.Length).ToList())
            {
                _dense[reached] = _sparse[reached];
                _sparse.Remove(reached);
            }
        }

        if (id < _dense.Length)
        {
            _dense[id] = learner;
        }
        else
        {
            _sparse.Add(id, learner);
        }

        _all.Add(learner);
    }

    public List<LearnerState>.Enumerator GetEnumerator() => _all.GetEnumerator();

    IEnumerator<LearnerState> IEnumerable<LearnerState>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
