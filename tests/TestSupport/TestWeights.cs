using System.Collections.Concurrent;
using PsTraining.Models.Zoo;

namespace PsTraining.TestSupport;

/// <summary>
/// Initial-weights files of registry models, seed 1, that a parameter server under test seeds itself from
/// (<c>--initial-weights</c>): each written once per test process, in a folder removed when the process exits.
/// </summary>
public static class TestWeights
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("pstraining-weights-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    });

    private static readonly ConcurrentDictionary<string, Lazy<string>> Files = new();

    /// <summary>The file of <paramref name="model"/>'s initial weights (seed 1).</summary>
    public static string File(string model) =>
        Files.GetOrAdd(model, m => new Lazy<string>(() =>
        {
            var path = System.IO.Path.Combine(Folder.Value, $"{m}.safetensors");
            InitialWeights.Write(m, 1, path);
            return path;
        })).Value;

    /// <summary>The server's options that seed it with <paramref name="model"/>'s initial weights.</summary>
    public static string[] Args(string model) => ["--initial-weights", File(model)];
}
