namespace PsTraining.Learner;

/// <summary>
/// A shard of a cluster found at a new owner, written as one JSON line on standard output between the pushes acknowledged
/// by the old owner and those of the new one: when (the learner's clock), which shard, from where to where, and the
/// new generation.
/// </summary>
public sealed record RouteRecord(string Name, double Time, int Shard, string From, string To, ulong Generation);
