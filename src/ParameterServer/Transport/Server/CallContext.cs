namespace PsTraining.ParameterServer.Transport.Server;

/// <summary>What a service method may know of its call: the deadline-or-cancel token and the caller's address.</summary>
public sealed record CallContext(CancellationToken Cancellation, DateTimeOffset? Deadline, string Peer);
