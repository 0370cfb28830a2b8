namespace PsTraining.Learner;

/// <summary>A reason to stop the learner, for a person to read, with the process exit code it maps to.</summary>
public sealed class LearnerException(string message, int exitCode = 4) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
