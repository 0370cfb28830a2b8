using System.Diagnostics;

namespace PsTraining.Experiments;

/// <summary>
/// Renders Vega-Lite specs to SVG with the real vega and vega-lite packages, run by Node.js (tools/plots/render.mjs,
/// installed by scripts/setup.sh). One Node process renders all the figures of a run.
/// </summary>
public static class FigureRenderer
{
    /// <summary>Writes FIGURE.svg beside each FIGURE.vl.json; throws with the renderer's message if any fails.</summary>
    public static void Render(IReadOnlyList<string> specs)
    {
        if (specs.Count == 0)
        {
            return;
        }

        var script = Path.Combine(ToolsDirectory(), "render.mjs");
        var info = new ProcessStartInfo("node") { RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var spec in specs)
        {
            info.ArgumentList.Add(Path.GetFullPath(spec));
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start node to render the figures ({e.Message}): run ./scripts/setup.sh (apt-get install nodejs npm)", e);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"rendering the figures failed: {errors.Trim()}");
            }
        }
    }

    /// <summary>tools/plots of the checkout this program was built from (or PSTRAINING_PLOTS_DIR), with its npm packages installed.</summary>
    private static string ToolsDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("PSTRAINING_PLOTS_DIR");
        var dir = configured;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); dir is null && d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "tools", "plots");
            if (File.Exists(Path.Combine(candidate, "render.mjs")))
            {
                dir = candidate;
            }
        }

        if (dir is null || !File.Exists(Path.Combine(dir, "render.mjs")))
        {
            throw new InvalidOperationException("the figure renderer (tools/plots/render.mjs) was not found: run from the checkout, or set PSTRAINING_PLOTS_DIR");
        }

        return Directory.Exists(Path.Combine(dir, "node_modules", "vega-lite"))
            ? dir
            : throw new InvalidOperationException($"the figure renderer's npm packages are missing in {dir}: run ./scripts/setup.sh (npm ci --prefix tools/plots)");
    }
}
