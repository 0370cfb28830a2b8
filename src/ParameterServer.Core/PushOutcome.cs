namespace PsTraining.ParameterServer.Core;

/// <summary>
/// The answer of <see cref="ParameterServerCore.TryPush"/>, which never blocks: the push was applied (or
/// acknowledged again), it joined a BSP round that completes later, or the policy holds it back for now.
/// </summary>
public readonly struct PushOutcome
{
    private PushOutcome(PushResult? result, Task<PushResult>? pending, string? blockedReason, TimeSpan? retryAfter)
    {
        Result = result;
        Pending = pending;
        BlockedReason = blockedReason;
        RetryAfter = retryAfter;
    }

    /// <summary>Applied, or a retry acknowledged again.</summary>
    public PushResult? Result { get; }

    /// <summary>In a BSP round: completes when the round is applied.</summary>
    public Task<PushResult>? Pending { get; }

    /// <summary>Held back (SSP bound, BSP learner already in this round, or the same push still in flight): retry after a change.</summary>
    public string? BlockedReason { get; }

    /// <summary>When held back by learners that may time out: the longest to wait before retrying even without a change.</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsBlocked => BlockedReason is not null;

    internal static PushOutcome Done(PushResult result) => new(result, null, null, null);

    internal static PushOutcome InRound(Task<PushResult> pending) => new(null, pending, null, null);

    internal static PushOutcome Blocked(string reason, TimeSpan? retryAfter = null) => new(null, null, reason, retryAfter);
}
