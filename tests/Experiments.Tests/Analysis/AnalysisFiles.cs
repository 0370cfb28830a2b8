using System.Globalization;
using System.Text.Json;

namespace PsTraining.Experiments.Tests.Analysis;

/// <summary>The optimisation experiments' data.csv, and the PyTorch optimiser reference run on it.</summary>
internal static class AnalysisFiles
{
    /// <summary>X (one row per sample) and t from a data.csv with columns x0..x(d−1), t.</summary>
    public static (double[][] X, double[] T) ReadData(string path)
    {
        var rows = File.ReadAllLines(path).Skip(1).Select(l => l.Split(',').Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray()).ToList();
        return ([.. rows.Select(r => r[..^1])], [.. rows.Select(r => r[^1])]);
    }

    /// <summary>
    /// tests/reference/optimisers.py on <paramref name="data"/>: numpy's least-squares solution, and the end point of each
    /// PyTorch optimiser <paramref name="specs"/> after <paramref name="steps"/> full-batch steps from w0 = 0.
    /// </summary>
    public static (double[] LeastSquares, Dictionary<string, double[]> Runs) PyTorchOptimisers(string data, int steps, params string[] specs)
    {
        var args = new List<string> { data, "--steps", steps.ToString(CultureInfo.InvariantCulture) };
        args.AddRange(specs.SelectMany(s => new[] { "--opt", s }));
        using var json = JsonDocument.Parse(PythonReference.Run("optimisers.py", [.. args]));
        double[] Vector(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetDouble())];
        return (Vector(json.RootElement.GetProperty("lstsq")),
            json.RootElement.GetProperty("runs").EnumerateObject().ToDictionary(p => p.Name, p => Vector(p.Value)));
    }

    public static double Distance(IReadOnlyList<double> a, IReadOnlyList<double> b) => Math.Sqrt(a.Select((v, i) => (v - b[i]) * (v - b[i])).Sum());
}
