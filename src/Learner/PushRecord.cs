using System.Text.Json.Serialization;

namespace PsTraining.Learner;

/// <summary>
/// One applied push as the learner saw it, written as one JSON line on standard output (the local launcher collects
/// them into the run's pushes.jsonl, and the simulator can replay them): learner id and name, sequence number, the
/// version read and the version produced, the staleness, when the push was sent (seconds since the run's common
/// start), the minibatch loss, and the step's time in milliseconds: pulling, computing the gradient, pushing.
/// With the model sharded over several server processes, the versions and staleness are partition 0's, and
/// <see cref="Partitions"/> gives each partition's (each server keeps its own version).
/// </summary>
public sealed record PushRecord(uint Learner, string Name, ulong Seq, ulong ReadVersion, ulong AppliedVersion, ulong Staleness, double Time, float Loss, bool Duplicate,
    double PullMs, double ComputeMs, double PushMs)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PartitionPush>? Partitions { get; init; }
}

/// <summary>One partition's side of a push: the version read from that server, the version the push made there, and its staleness there.</summary>
public sealed record PartitionPush(ulong ReadVersion, ulong AppliedVersion, ulong Staleness);
