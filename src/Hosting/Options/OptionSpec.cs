namespace PsTraining.Hosting;

/// <summary>One option of a program: its <c>--name</c>, its environment variable, a description and the default.</summary>
public sealed record OptionSpec(string Name, string Description, string? Default = null, bool IsFlag = false)
{
    /// <summary>What every option's environment variable starts with.</summary>
    public const string EnvironmentPrefix = "PSTRAINING_";

    /// <summary>The option's key in the layered configuration: the name with '_' for '-', as an environment variable can carry it.</summary>
    public string Key => Name.Replace('-', '_');

    /// <summary>PSTRAINING_ and the name in upper snake case: <c>--learning-rate</c> is PSTRAINING_LEARNING_RATE.</summary>
    public string EnvironmentVariable => EnvironmentPrefix + Key.ToUpperInvariant();
}
