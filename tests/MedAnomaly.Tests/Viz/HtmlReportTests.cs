using System.Text.Json;
using System.Text.RegularExpressions;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Viz;

namespace MedAnomaly.Tests.Viz;

public sealed class HtmlReportTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    string ResidualPng()
    {
        string path = temp.File("residuals.png");
        Montage.Write(path, [[new Panel(Enumerable.Range(0, 16).Select(i => i / 15f).ToArray(), 4, 4, Heat: true)]], minPanelSize: 8);
        return path;
    }

    [Fact]
    public void WritesOneSelfContainedPage()
    {
        string png = ResidualPng();
        string path = Path.Combine(temp.Path, "report", "index.html");
        HtmlReport.ForResults("Phantom: AE vs VAE vs DDPM", SampleResults.Summary(), png).Write(path);
        string html = File.ReadAllText(path);

        Assert.DoesNotMatch(new Regex(@"<script[^>]*\bsrc\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"\bsrc\s*=\s*[""']?\s*https?://", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"<link\b", RegexOptions.IgnoreCase), html);
        Assert.Single(Regex.Matches(html, @"\* plotly\.js v2\.28\.0"));             // inlined once, for both charts
        Assert.Contains("<title>Phantom: AE vs VAE vs DDPM</title>", html);
        Assert.Contains("<td><strong>0.420 &plusmn; 0.026</strong></td>", html);    // the results table
        Assert.Equal(2, Regex.Matches(html, @"Plotly\.newPlot\(""chart-\d+""").Count);
        Assert.True(html.IndexOf("window.define = undefined") < html.IndexOf("* plotly.js v2.28.0"));
        Assert.True(html.IndexOf("* plotly.js v2.28.0") < html.IndexOf("window.define = window.__medanomalyDefine"));

        var image = Regex.Match(html, @"<img alt=""Residual maps"" src=""data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)"">");
        Assert.True(image.Success);
        Assert.Equal(File.ReadAllBytes(png), Convert.FromBase64String(image.Groups["data"].Value));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!)); // written atomically: no temp file left
    }

    [Fact]
    public void EveryDivHasItsChartAndNamesCannotEndTheScript()
    {
        var rows = SampleResults.Rows().Select(r => r.Method == "vae" ? r with { Method = "</script><script>alert(1)</script>" } : r);
        var summary = SeedStatistics.Summarize(ResultsFrame.Create(rows));
        string html = new HtmlReport("<Report & more>").AddChart(Charts.MeanStdBars(summary)).ToHtml();
        Assert.Contains("<h1>&lt;Report &amp; more&gt;</h1>", html);
        Assert.Contains("<div id=\"chart-0\"", html);
        Assert.Contains("Plotly.newPlot(\"chart-0\"", html);
        // Four script elements (define saved, plotly.js, define restored, the chart): the name did not close one early…
        Assert.Equal(4, Regex.Matches(html, "</script", RegexOptions.IgnoreCase).Count);
        // …and the chart's JSON still reads back with the name as it was.
        var json = Regex.Match(html, @"var figure = (?<json>.*?); Plotly\.newPlot").Groups["json"].Value;
        var names = JsonDocument.Parse(json).RootElement.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString());
        Assert.Contains("</script><script>alert(1)</script>", names);
    }

    [Fact]
    public void APageWithoutChartsCarriesNoScript()
    {
        string html = new HtmlReport("Table only").AddTable(SampleResults.Summary()).AddImage(File.ReadAllBytes(ResidualPng()), "map").ToHtml();
        Assert.DoesNotContain("<script", html);
        Assert.Contains("<table class=\"medanomaly-results\">", html);
    }

    [Fact]
    public void RejectsImagesThatAreNotPng()
    {
        var report = new HtmlReport("r");
        string jpeg = temp.File("map.jpg");
        File.WriteAllBytes(jpeg, [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F']);
        var error = Assert.Throws<InvalidDataException>(() => report.AddImage(jpeg, "map"));
        Assert.Contains("map.jpg", error.Message);
        Assert.Contains("is not a PNG", error.Message);
        Assert.Throws<InvalidDataException>(() => report.AddImage([1, 2, 3], "map"));
        Assert.Contains("missing.png", Assert.Throws<FileNotFoundException>(() => report.AddImage(temp.File("missing.png"), "map")).Message);
    }
}
