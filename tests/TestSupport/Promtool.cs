using System.Diagnostics;

namespace PsTraining.TestSupport;

/// <summary>Prometheus's own check of a scrape: <c>promtool check metrics</c> (Debian's prometheus package).</summary>
public static class Promtool
{
    /// <summary>Runs <c>promtool check metrics</c> on <paramref name="text"/>: its exit code, and the problems it printed.</summary>
    public static async Task<(int ExitCode, string Problems)> CheckMetricsAsync(string text)
    {
        var info = new ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var promtool = Process.Start(info) ?? throw new InvalidOperationException("promtool is missing (apt-get install prometheus)");
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var problems = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        return (promtool.ExitCode, problems);
    }
}
