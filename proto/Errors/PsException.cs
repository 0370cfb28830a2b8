namespace PsTraining.Protocol;

/// <summary>A refusal by the parameter-server core, with a message a person can act on. State is unchanged.</summary>
public sealed class PsException(PsErrorCode code, string message) : Exception(message)
{
    public PsErrorCode Code { get; } = code;
}
