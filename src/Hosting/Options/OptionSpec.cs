namespace PsTraining.Hosting;

/// <summary>One option of a program: its <c>--name</c>, its environment variable, a description and the default.</summary>
public sealed record OptionSpec(string Name, string Description, string? Default = null, bool IsFlag = false)
{
    /// <summary>PSTRAINING_ and the name in upper snake case: <c>--learning-rate</c> is PSTRAINING_LEARNING_RATE.</summary>
    public string EnvironmentVariable => "PSTRAINING_" + Name.ToUpperInvariant().Replace('-', '_');
}
