namespace PsTraining.ParameterServer.Core;

/// <summary>What a checkpoint keeps of a learner: identity, sequence numbers (so retries stay idempotent across a restart) and clock.</summary>
public sealed record LearnerRecord(uint Id, string Name, ulong LastSequence, PushResult? LastResult, long Clock, bool Left);
