namespace PsTraining.Protocol;

/// <summary>Why the server refused a call; the transport maps each to its gRPC status code.</summary>
public enum PsErrorCode
{
    /// <summary>Malformed input: wrong tensor names or shapes, NaN or Inf, a read version from the future.</summary>
    InvalidArgument,

    /// <summary>The learner id was never registered (or the server restarted without it).</summary>
    NotFound,

    /// <summary>The call is valid but not in this state: a replayed old sequence number, a learner that left.</summary>
    FailedPrecondition,

    /// <summary>A wait (SSP, BSP) outlived the caller's deadline.</summary>
    DeadlineExceeded,
}
