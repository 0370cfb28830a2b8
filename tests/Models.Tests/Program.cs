using PsTraining.Models.Tests.Torch;

namespace PsTraining.Models.Tests;

/// <summary>
/// The test assembly's entry point, used only when a test starts the assembly as a child process
/// (<c>dotnet PsTraining.Models.Tests.dll determinism ...</c>); the test host never calls it.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == DeterminismTests.ChildCommand)
        {
            return DeterminismTests.RunChild(args[1..]);
        }

        Console.Error.WriteLine($"this is a test assembly; run it with dotnet test (as a child process: {DeterminismTests.ChildCommand} SEED THREADS OUTPUT)");
        return 2;
    }
}
