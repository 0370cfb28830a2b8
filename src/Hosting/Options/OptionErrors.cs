namespace PsTraining.Hosting;

/// <summary>Turns the refusal of a parser (an <see cref="ArgumentException"/>) into an options error that names its option.</summary>
public static class OptionErrors
{
    /// <summary>"--<paramref name="option"/>: " and the message of what <paramref name="parse"/> throws; null when it throws nothing.</summary>
    public static string? Of(string option, Action parse)
    {
        try
        {
            parse();
            return null;
        }
        catch (ArgumentException e)
        {
            return $"--{option}: {e.Message}";
        }
    }
}
