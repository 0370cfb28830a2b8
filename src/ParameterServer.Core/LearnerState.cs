namespace PsTraining.ParameterServer.Core;

/// <summary>What the server knows of one learner. Guarded by the core's admission lock.</summary>
internal sealed class LearnerState(uint id, string name)
{
    public uint Id { get; } = id;

    public string Name { get; set; } = name;

    /// <summary>The highest sequence number applied.</summary>
    public ulong LastSequence { get; set; }

    /// <summary>The result of that push, acknowledged again on a retry.</summary>
    public PushResult? LastResult { get; set; }

    /// <summary>SSP's clock: pushes applied.</summary>
    public long Clock { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public bool Left { get; set; }

    /// <summary>The sequence number admitted and not yet finished, if any.</summary>
    public ulong? InFlight { get; set; }

    /// <summary>Completes when the BSP round holding this learner's in-flight push is applied.</summary>
    public TaskCompletionSource<PushResult>? PendingRound { get; set; }

    public ulong Pushes { get; set; }

    public ulong StalenessSum { get; set; }

    public ulong MaxStaleness { get; set; }

    public float LastLoss { get; set; } = float.NaN;

    /// <summary>DC-ASGD: the weights this learner last pulled, and their version.</summary>
    public float[]? Backup { get; set; }

    public ulong BackupVersion { get; set; }
}
