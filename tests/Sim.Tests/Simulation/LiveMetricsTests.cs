using System.Diagnostics;
using PsTraining.Simulation;

namespace PsTraining.Sim.Tests.Simulation;

/// <summary>A simulated run replayed at a chosen pace with its server's metrics on /metrics, mode="sim".</summary>
[Collection(RunsAlone.Name)]
public sealed class LiveMetricsTests
{
    [Fact]
    public async Task A_paced_simulation_serves_the_servers_metrics_with_mode_sim_and_prints_the_same_gradients()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "PsTraining.Sim.dll"), "staleness", "--step-times", "1,2.5", "--until", "40",
                     "--serve-metrics", "0", "--pace", "10", "--linger", "1"])
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var url = (await process.StandardError.ReadLineAsync())!.Split(' ')[2];
        await Task.Delay(2500); // about 25 virtual time units

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(url));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, process.ExitCode);

        Assert.Contains("service_name=\"pstraining-simulator\"", text);
        var l1 = text.Split('\n').Single(l => l.StartsWith("pstraining_ps_staleness_count{", StringComparison.Ordinal) && l.Contains("learner=\"L1\",mode=\"sim\"", StringComparison.Ordinal));
        var applied = long.Parse(l1.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(applied, 10, 39); // part way through the 40 gradients of L1: the replay is paced
        Assert.Matches("pstraining_ps_model_version\\{[^}]*mode=\"sim\"", text);

        // Serving and pacing change nothing of the simulation itself.
        Assert.Equal(StalenessReport.Run("1,2.5", "40", "jsonl", "asp"), await output);
    }
}
