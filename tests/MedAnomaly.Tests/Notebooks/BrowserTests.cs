using System.Text.Json.Nodes;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Viz;
using Microsoft.Playwright;

namespace MedAnomaly.Tests.Notebooks;

/// <summary>A fact that needs Debian's chromium (the Makefile's notebook-deps installs it); skipped, with the reason,
/// where /usr/bin/chromium is missing.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is missing (install Debian's chromium: make notebook-deps)";
    }
}

/// <summary>
/// Real-browser checks (issue 11): an <see cref="HtmlReport"/> with Plotly charts and an executed notebook converted to
/// HTML open in headless Chromium (Debian's, through Microsoft.Playwright's bundled driver; no browser is downloaded).
/// Each page must render with no console error and no page error, must not try to load anything from outside the
/// machine (every request that is not file:, data: or about: is aborted and fails the test), must draw every chart
/// (plotly's <c>.main-svg</c> elements), and its screenshot must not be blank.
/// </summary>
public sealed class BrowserTests : IDisposable
{
    readonly string folder = Directory.CreateDirectory(Path.Combine(NotebookRun.RepositoryRoot, "build", "browser-tests", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [ChromiumFact]
    public async Task HtmlReportWithChartsRendersOffline()
    {
        var summary = SeedStatistics.Summarize(ResultsFrame.Create(
            from method in new[] { "ae", "disyre" }
            from seed in new long[] { 0, 1, 2 }
            from metric in new[] { "pixel_auroc", "best_dice" }
            select new ResultRow(seed + 1, method, "phantom", seed, "test", metric, 0.5 + 0.1 * seed + (method == "ae" ? 0 : 0.2) + (metric == "best_dice" ? -0.3 : 0))));
        var rgb = new byte[48 * 32 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 7 % 251);
        var report = HtmlReport.ForResults("Browser test", summary)
            .AddChart(Charts.Lines("loss", "step", "loss", ("a", [0, 1, 2], [3, 2, 1])))
            .AddImage(Png.EncodeRgb(rgb, 48, 32), "a figure");
        string path = Path.Combine(folder, "report.html");
        report.Write(path);

        var page = await Render(path, expectedCharts: 3);
        Assert.True(page.Charts >= 3, $"expected the 3 charts drawn, found {page.Charts} .main-svg elements");
    }

    [ChromiumFact]
    public async Task ExecutedNotebookConvertedToHtmlRendersOffline()
    {
        var (name, executed) = ExecutedNotebook();
        int charts = executed["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Count(o => o!["data"]?["text/html"] is { } html && Flatten(html).Contains("Plotly.newPlot"));
        int images = executed["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Count(o => o!["data"]?["text/html"] is null && o!["data"]?["image/png"] is not null);
        Assert.True(charts >= 1, $"{name}: the notebook has no chart output to check");
        string path = Path.Combine(folder, name + ".html");
        File.WriteAllText(path, NotebookHtml.Convert(executed, name));

        var page = await Render(path, charts);
        Assert.True(page.Charts >= charts, $"{name}: {charts} chart outputs but only {page.Charts} .main-svg elements drawn");
        Assert.True(page.Images >= images, $"{name}: {images} PNG outputs but {page.Images} decoded <img> elements");
    }

    sealed record Rendered(int Charts, int Images);

    /// <summary>Opens the file, waits until <paramref name="expectedCharts"/> plots exist, and checks requests, errors and
    /// the screenshot.</summary>
    async Task<Rendered> Render(string path, int expectedCharts)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        var outside = new List<string>();
        var errors = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            string url = route.Request.Url;
            if (url.StartsWith("file:") || url.StartsWith("data:") || url.StartsWith("about:")) await route.ContinueAsync();
            else { lock (outside) outside.Add(url); await route.AbortAsync(); }
        });
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add("console: " + message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add("page error: " + error); };

        await page.GotoAsync(new Uri(path).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load, Timeout = 60_000 });
        await page.WaitForFunctionAsync($"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expectedCharts}",
            null, new() { Timeout = 30_000 });
        int charts = await page.EvaluateAsync<int>("document.querySelectorAll('.main-svg').length");
        int images = await page.EvaluateAsync<int>("[...document.images].filter(i => i.complete && i.naturalWidth > 0).length");
        byte[] screenshot = await page.ScreenshotAsync(new() { FullPage = false });

        Assert.True(outside.Count == 0, $"{path}: requests left the machine (aborted): {string.Join(", ", outside)}");
        Assert.True(errors.Count == 0, $"{path}: JavaScript errors:\n{string.Join("\n", errors)}");
        var image = Png.Read(screenshot);
        double mean = image.Pixels.Average(p => (double)p);
        double variance = image.Pixels.Average(p => (p - mean) * (p - mean));
        Assert.True(variance > 1e-3, $"{path}: the screenshot looks blank (pixel variance {variance:G3}, mean {mean:G3})");
        return new Rendered(charts, images);
    }

    /// <summary>An executed notebook with charts: one that <c>make notebooks</c> left under build/notebooks/, else a small
    /// one executed here (a chart, a figure, text).</summary>
    (string Name, JsonObject Executed) ExecutedNotebook()
    {
        foreach (var name in new[] { "07-compare", "05-ddpm", "04-autoencoders" })
        {
            string file = Path.Combine(NotebookRun.RepositoryRoot, "build", "notebooks", name + ".ipynb");
            if (File.Exists(file) && JsonNode.Parse(File.ReadAllText(file)) is JsonObject nb && HasChart(nb)) return (name, nb);
        }
        var notebook = NotebookRun.Notebook(
            NotebookRun.PackageReference,
            "MedAnomaly.Viz.Figures.Images(TorchSharp.torch.linspace(0, 1, 32 * 32).reshape(1, 1, 32, 32))",
            "MedAnomaly.Viz.Charts.Lines(\"t\", \"x\", \"y\", (\"a\", new double[] { 0, 1 }, new double[] { 1, 2 }))",
            "MedAnomaly.Viz.Charts.Lines(\"u\", \"x\", \"y\", (\"b\", new double[] { 0, 1, 2 }, new double[] { 2, 0, 1 }))",
            "Console.WriteLine(\"done\");");
        var (exit, executed, log) = NotebookRun.Execute(folder, notebook);
        Assert.True(exit == 0 && executed is not null, $"dotnet repl exited {exit}:\n{log}");
        return ("small", executed!);
    }

    static bool HasChart(JsonObject nb) => nb["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? [])
        .Any(o => o!["data"]?["text/html"] is { } html && Flatten(html).Contains("Plotly.newPlot"));

    static string Flatten(JsonNode node) => node is JsonArray a ? string.Concat(a.Select(l => (string?)l)) : (string?)node ?? "";
}
