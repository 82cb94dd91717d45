using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.TestSupport;
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

    /// <summary>Issue #18 item 6: a report written by <c>medanomaly compare</c> shows, in the browser, the provenance table
    /// (one row per run with the run store's id, method, seed, preset, command, git revision, versions and times) and the
    /// residual figure with its labels: the caption names the columns and each row's method, volume and slice, and the
    /// image itself carries the column titles (black text on white above the panels, read back through a canvas).</summary>
    [ChromiumFact]
    public async Task CompareReportShowsTheProvenanceTableAndTheLabelledFigure()
    {
        string data = Path.Combine(folder, "phantom"), store = Path.Combine(folder, "runs", "medanomaly.db"), output = Path.Combine(folder, "compare");
        PhantomSet.Write(data, volumes: 4, size: 32, seed: 0, testFraction: 0.5);
        var compare = CliProcess.Run("compare", "--methods", "ae", "--seeds", "1", "--data", data, "--preset", "tiny", "--set", "steps=4",
                                     "--store", store, "--out", output);
        Assert.True(compare.Code == 0, compare.Output);
        var run = RunStore.OpenReadOnly(store).GetRun(1);
        string report = Path.Combine(output, "report.html");

        var (page, browser, playwright) = await Open(report, expectedCharts: 2);
        await using var _ = browser;
        using var __ = playwright;
        var provenance = await page.EvaluateAsync<JsonElement>("""
            () => ({
              header: [...document.querySelectorAll('table.medanomaly-provenance thead th')].map(th => th.innerText),
              runs: [...document.querySelectorAll('table.medanomaly-provenance tr.run')].map(tr => [...tr.cells].map(td => td.innerText)),
              commands: [...document.querySelectorAll('table.medanomaly-provenance tr.command')].map(tr => tr.innerText),
            })
            """);
        string[] header = [.. provenance.GetProperty("header").EnumerateArray().Select(h => h.GetString()!)];
        Assert.Equal(["run", "method", "dataset", "seed", "preset", "changed from the preset", "evaluation", "code", "machine", "started (UTC)", "ended (UTC)"], header);
        var cells = provenance.GetProperty("runs").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToArray()).Single();
        string Cell(string column) => cells[Array.IndexOf(header, column)];
        Assert.Equal(("1", "ae", "phantom", "0", "tiny", "Steps=4"), (Cell("run"), Cell("method"), Cell("dataset"), Cell("seed"), Cell("preset"), Cell("changed from the preset")));
        Assert.Equal("image score mean; post-processing none, fg-weight", Cell("evaluation"));
        Assert.Contains("git " + (run.Info.GitRevision ?? "unknown"), Cell("code"));
        Assert.Contains($"TorchSharp {run.Info.TorchSharpVersion}", Cell("code"));
        Assert.Contains($"libtorch {run.Info.LibtorchVersion}", Cell("code"));
        Assert.Equal(run.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Cell("started (UTC)"));
        Assert.Equal(run.EndedUtc!.Value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Cell("ended (UTC)"));
        Assert.Equal("command: " + run.Info.Command, provenance.GetProperty("commands").EnumerateArray().Single().GetString());
        Assert.StartsWith("medanomaly train --method ae --seed 0 --data ", run.Info.Command);

        var figure = await page.EvaluateAsync<JsonElement>("""
            () => {
              const img = [...document.querySelectorAll('figure img')].find(i => i.alt.startsWith('Residual maps'));
              const canvas = document.createElement('canvas');
              canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
              const context = canvas.getContext('2d');
              context.drawImage(img, 0, 0);
              const band = context.getImageData(0, 0, img.naturalWidth, 20).data;
              let black = 0, other = 0;
              for (let i = 0; i < band.length; i += 4) {
                if (band[i] === 0 && band[i + 1] === 0 && band[i + 2] === 0) black++;
                else if (!(band[i] === 255 && band[i + 1] === 255 && band[i + 2] === 255)) other++;
              }
              return { width: img.naturalWidth, height: img.naturalHeight, shown: img.getBoundingClientRect().width > 0,
                       caption: img.closest('figure').querySelector('figcaption').innerText, black, other };
            }
            """);
        var png = Png.Read(Path.Combine(output, "residuals.png"));
        Assert.Equal((png.Width, png.Height, true), (figure.GetProperty("width").GetInt32(), figure.GetProperty("height").GetInt32(), figure.GetProperty("shown").GetBoolean()));
        string caption = figure.GetProperty("caption").GetString()!;
        Assert.Contains("Columns: input | reconstruction | anomaly map | lesion outline", caption);
        Assert.Equal(3, Regex.Matches(caption, @"ae · phantom_\d{4} · slice \d+").Count);   // the three figure slices, one method
        Assert.True(figure.GetProperty("black").GetInt32() > 0, "no title text in the figure's top band");
        Assert.Equal(0, figure.GetProperty("other").GetInt32());                            // titles only: black on white
        await AssertRenderedCleanly(page, report);
    }

    sealed record Rendered(int Charts, int Images);

    /// <summary>Opens the file, waits until <paramref name="expectedCharts"/> plots exist, and checks requests, errors and
    /// the screenshot.</summary>
    async Task<Rendered> Render(string path, int expectedCharts)
    {
        var (page, browser, playwright) = await Open(path, expectedCharts);
        await using var _ = browser;
        using var __ = playwright;
        int charts = await page.EvaluateAsync<int>("document.querySelectorAll('.main-svg').length");
        int images = await page.EvaluateAsync<int>("[...document.images].filter(i => i.complete && i.naturalWidth > 0).length");
        await AssertRenderedCleanly(page, path);
        return new Rendered(charts, images);
    }

    readonly List<string> outside = [];
    readonly List<string> errors = [];

    /// <summary>The page in headless Chromium once <paramref name="expectedCharts"/> plots are drawn; every request that
    /// leaves the machine is aborted and recorded, as are console and page errors.</summary>
    async Task<(IPage Page, IBrowser Browser, IPlaywright Playwright)> Open(string path, int expectedCharts)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
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
        return (page, browser, playwright);
    }

    /// <summary>No request left the machine, no JavaScript error, and the screenshot is not blank.</summary>
    async Task AssertRenderedCleanly(IPage page, string path)
    {
        byte[] screenshot = await page.ScreenshotAsync(new() { FullPage = false });
        Assert.True(outside.Count == 0, $"{path}: requests left the machine (aborted): {string.Join(", ", outside)}");
        Assert.True(errors.Count == 0, $"{path}: JavaScript errors:\n{string.Join("\n", errors)}");
        var image = Png.Read(screenshot);
        double mean = image.Pixels.Average(p => (double)p);
        double variance = image.Pixels.Average(p => (p - mean) * (p - mean));
        Assert.True(variance > 1e-3, $"{path}: the screenshot looks blank (pixel variance {variance:G3}, mean {mean:G3})");
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
