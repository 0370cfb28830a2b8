namespace PsTraining.ParameterServer.Core;

/// <summary>The gradients of one BSP round: their running sum and who contributed with which read version.</summary>
internal sealed class BspRound(float[] sum)
{
    public float[] Sum { get; } = sum;

    public List<(LearnerState Learner, ulong Sequence, ulong ReadVersion, float Loss, TaskCompletionSource<PushResult> Done)> Contributions { get; } = [];

    public bool Contains(LearnerState learner) => Contributions.Exists(c => c.Learner == learner);
}
