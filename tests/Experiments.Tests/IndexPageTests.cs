using System.Text.Json;
using PsTraining.Experiments.Analysis;
using PsTraining.Experiments;

namespace PsTraining.Experiments.Tests;

/// <summary>OUT/index.html as a browser sees it: headless Chromium loads it, and every figure, link and summary must be there, with no console error.</summary>
public sealed class IndexPageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // What the page shows, read after its load event (which waits for every image).
    private const string Inspect = """
        JSON.stringify({
          images: [...document.images].map(i => ({ src: i.getAttribute('src'), url: i.src, complete: i.complete, width: i.naturalWidth })),
          links: [...document.links].map(a => a.href),
          text: document.body.innerText,
        })
        """;

    private readonly string _out = Directory.CreateTempSubdirectory("pstraining-index-").FullName;

    [Fact]
    public async Task Index_of_two_experiments_shows_every_figure_summary_and_file_without_console_errors()
    {
        ExperimentRunner.Run(new LogicUnits(), _out, seed: 1);
        ExperimentRunner.Run(new BiasVariance(), _out, seed: 1);

        await using var browser = await HeadlessChromium.StartAsync(Timeout);
        var page = await InspectAsync(browser, Path.Combine(_out, "index.html"));

        Assert.Empty(browser.Errors);
        var figures = Directory.GetFiles(_out, "*.svg", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_out, f).Replace('\\', '/')).Order();
        Assert.Equal(figures, page.Images.Select(i => i.Src).Order());
        Assert.All(page.Images, i => Assert.True(i.Complete && i.Width > 0, $"figure {i.Src} did not load"));
        Assert.All(page.Links, link => Assert.True(File.Exists(new Uri(link).LocalPath), $"link {link} points at no file"));
        Assert.Contains(page.Links, l => l.EndsWith("bias-variance/summary.md", StringComparison.Ordinal));
        Assert.Contains(page.Links, l => l.EndsWith("logic-units/weights.csv", StringComparison.Ordinal));
        // Each summary is on the page itself, not only behind a link.
        Assert.Contains("Best degree (least test MSE)", page.Text);
        Assert.Contains("**madaline, XOR**: learnt", page.Text);
    }

    [Fact]
    public async Task A_missing_figure_and_a_console_error_are_reported()
    {
        var bad = Path.Combine(_out, "bad.html");
        File.WriteAllText(bad, "<!DOCTYPE html><html><body><img src=\"missing.svg\"><script>console.error('deliberate failure')</script></body></html>");

        await using var browser = await HeadlessChromium.StartAsync(Timeout);
        var page = await InspectAsync(browser, bad);

        Assert.Equal(0, Assert.Single(page.Images).Width);
        Assert.Contains(browser.Errors, e => e.Contains("deliberate failure", StringComparison.Ordinal));
        Assert.Contains(browser.Errors, e => e.Contains("missing.svg", StringComparison.Ordinal));
    }

    private static async Task<Page> InspectAsync(HeadlessChromium browser, string file)
    {
        var json = await browser.LoadAndEvaluateAsync(new Uri(file).AbsoluteUri, Inspect, Timeout);
        return JsonSerializer.Deserialize<Page>(json!.GetValue<string>(), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    private sealed record Image(string Src, string Url, bool Complete, int Width);

    private sealed record Page(List<Image> Images, List<string> Links, string Text);

    public void Dispose() => Directory.Delete(_out, recursive: true);
}
