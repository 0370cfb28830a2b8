using System.Reflection;

namespace PsTraining.Sim.Cluster;

/// <summary>
/// Where the programs the launcher starts are, without referencing them as libraries: beside this program when a
/// folder holds them together (a test's output, a publish into one folder), else in their own build folders, whose
/// paths the build records in this assembly (<c>RecordLaunchedPrograms</c> in PsTraining.Sim.csproj).
/// </summary>
public static class ProgramLocator
{
    public static string Find(string assembly)
    {
        var beside = Path.Combine(AppContext.BaseDirectory, assembly);
        if (File.Exists(beside))
        {
            return beside;
        }

        var recorded = typeof(ProgramLocator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == $"program:{assembly}")?.Value;
        return recorded is not null && File.Exists(recorded)
            ? recorded
            : throw new FileNotFoundException($"{assembly} is neither beside {AppContext.BaseDirectory} nor at {recorded ?? "a path recorded when this program was built"}: build the solution (dotnet build PsTraining.sln)");
    }
}
