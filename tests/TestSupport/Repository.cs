namespace PsTraining.TestSupport;

/// <summary>The checkout the calling assembly was built from.</summary>
public static class Repository
{
    /// <summary>The folder above this assembly that holds PsTraining.sln.</summary>
    public static string Root { get; } = Find();

    /// <summary>The configuration (Debug, Release) the calling tests were built in: bin/CONFIGURATION/net10.0/ holds them.</summary>
    public static string BuildConfiguration => new DirectoryInfo(System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    /// <summary>A path inside the checkout.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "PsTraining.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("the repository root (the folder of PsTraining.sln) was not found above " + AppContext.BaseDirectory);
    }
}
