namespace PsTraining.ParameterServer.Core;

public enum PolicyKind
{
    /// <summary>Fully asynchronous: every push is applied when it arrives.</summary>
    Asp,

    /// <summary>Stale synchronous parallel: a learner more than s clocks ahead of the slowest live learner waits.</summary>
    Ssp,

    /// <summary>Bulk synchronous: one gradient per live learner per round; the mean is applied.</summary>
    Bsp,
}
