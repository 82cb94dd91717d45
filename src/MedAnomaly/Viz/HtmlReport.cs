using System.Globalization;
using System.Net;
using System.Text;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using Plotly.NET;

namespace MedAnomaly.Viz;

/// <summary>One self-contained HTML page: a title, then sections in the order they were added (results tables,
/// Plotly charts, PNG figures). It opens offline and from an e-mail attachment: plotly.js is inlined once (no
/// script URL), each chart is drawn from its JSON with <c>Plotly.newPlot</c>, and images are base64 data URIs.</summary>
public sealed class HtmlReport
{
    static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    readonly List<Func<int, string>> sections = []; // each renders itself given its index (for unique element ids)
    int charts;

    public HtmlReport(string title)
    {
        if (string.IsNullOrWhiteSpace(title)) throw new ArgumentException("report title is empty", nameof(title));
        Title = title;
    }

    public string Title { get; }

    /// <summary>The usual report of a comparison: the results table, the mean ± std bars, the per-seed boxes, the
    /// residual-map figure when one is given (a PNG file, with <paramref name="figureCaption"/>), and the provenance of each
    /// run when given (<see cref="AddProvenance"/>).</summary>
    public static HtmlReport ForResults(string title, SeedSummary summary, string? residualMapPng = null, TableOptions? options = null,
                                        string? figureCaption = null, IReadOnlyList<RunProvenance>? provenance = null)
    {
        var report = new HtmlReport(title)
            .AddTable(summary, options)
            .AddChart(Charts.MeanStdBars(summary))
            .AddChart(Charts.SeedBoxes(summary));
        if (residualMapPng is not null) report.AddImage(residualMapPng, figureCaption ?? "Residual maps");
        return provenance is null ? report : report.AddProvenance(provenance);
    }

    /// <summary>A heading and the method × metric table (<see cref="HtmlTable"/>).</summary>
    public HtmlReport AddTable(SeedSummary summary, TableOptions? options = null, string? heading = null)
    {
        string caption = heading ?? $"Results on {string.Join(", ", summary.Datasets)} ({summary.Split}), mean ± sample std over seeds";
        string table = HtmlTable.Write(summary, options);
        sections.Add(_ => $"<section>\n<h2>{Encode(caption)}</h2>\n{table}</section>\n");
        return this;
    }

    /// <summary>A heading and one table row per run (<see cref="RunProvenance"/>): id, method, dataset, seed, preset, the
    /// settings that differ from the preset, evaluation, code and machine, start and end (UTC), then the exact command on a
    /// row of its own.</summary>
    public HtmlReport AddProvenance(IReadOnlyList<RunProvenance> runs, string heading = "Provenance: the runs behind these numbers")
    {
        var html = new StringBuilder();
        html.Append("<table class=\"medanomaly-provenance\">\n<thead><tr>");
        foreach (var column in ProvenanceColumns) html.Append($"<th scope=\"col\">{Encode(column)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var run in runs)
        {
            html.Append($"<tr class=\"run\" data-run=\"{run.Id}\">");
            foreach (var cell in ProvenanceCells(run)) html.Append($"<td>{cell}</td>");
            html.Append($"</tr>\n<tr class=\"command\" data-run=\"{run.Id}\"><td colspan=\"{ProvenanceColumns.Length}\">command: <code>{Encode(run.Command)}</code></td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        string table = html.ToString();
        sections.Add(_ => $"<section>\n<h2>{Encode(heading)}</h2>\n{table}</section>\n");
        return this;
    }

    static readonly string[] ProvenanceColumns =
        ["run", "method", "dataset", "seed", "preset", "changed from the preset", "evaluation", "code", "machine", "started (UTC)", "ended (UTC)"];

    /// <summary>The cells of <see cref="ProvenanceColumns"/>, HTML-encoded.</summary>
    static IEnumerable<string> ProvenanceCells(RunProvenance run) =>
    [
        run.Id.ToString(CultureInfo.InvariantCulture) + (run.Status == RunStatus.Completed ? "" : $" ({run.Status.ToString().ToLowerInvariant()})"),
        Encode(run.Method),
        Encode(run.Dataset),
        run.Seed.ToString(CultureInfo.InvariantCulture),
        Encode(run.Preset ?? "–"),
        run.Changes.Count == 0 ? "none" : string.Join("<br>", run.Changes.Select(c => $"<code>{Encode(c)}</code>")),
        Encode(run.Evaluation),
        $"git <code>{Encode(run.GitRevision ?? "unknown")}</code><br>TorchSharp {Encode(run.TorchSharpVersion ?? "–")}<br>libtorch {Encode(run.LibtorchVersion ?? "–")}",
        Encode(run.Machine ?? "–"),
        run.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        run.EndedUtc?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "–",
    ];

    /// <summary>A Plotly.NET chart, drawn in the page from its JSON (data, layout and config).</summary>
    public HtmlReport AddChart(GenericChart chart)
    {
        string json = ScriptSafe(GenericChart.toJson(chart));
        charts++;
        sections.Add(index => $$"""
            <section>
            <div id="chart-{{index}}" class="medanomaly-chart"></div>
            <script>(function () { var figure = {{json}}; Plotly.newPlot("chart-{{index}}", figure.data, figure.layout, figure.config); })();</script>
            </section>

            """);
        return this;
    }

    /// <summary>A PNG figure read from a file (e.g. <c>residuals.png</c> from <see cref="Montage"/>).</summary>
    public HtmlReport AddImage(string pngPath, string caption)
    {
        if (!File.Exists(pngPath)) throw new FileNotFoundException($"report image '{pngPath}' does not exist (looked in {Path.GetFullPath(pngPath)})", pngPath);
        return AddImage(File.ReadAllBytes(pngPath), caption, pngPath);
    }

    /// <summary>A PNG figure given as its bytes.</summary>
    public HtmlReport AddImage(byte[] png, string caption) => AddImage(png, caption, "the image bytes");

    HtmlReport AddImage(byte[] png, string caption, string what)
    {
        if (png.Length < PngSignature.Length || !png.AsSpan(0, PngSignature.Length).SequenceEqual(PngSignature))
            throw new InvalidDataException($"report image {what} is not a PNG (expected the 8-byte PNG signature 89 50 4E 47 0D 0A 1A 0A)");
        string data = Convert.ToBase64String(png);
        sections.Add(_ => $"<figure>\n<img alt=\"{Encode(caption)}\" src=\"data:image/png;base64,{data}\">\n<figcaption>{Encode(caption)}</figcaption>\n</figure>\n");
        return this;
    }

    /// <summary>The page as text.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{Encode(Title)}</title>
            <style>{Style}</style>

            """);
        if (charts > 0) AppendPlotly(html);
        html.Append($"</head>\n<body>\n<h1>{Encode(Title)}</h1>\n");
        for (int i = 0; i < sections.Count; i++) html.Append(sections[i](i));
        html.Append($"<footer>Written by MedAnomaly on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes the page atomically (temp file in the same folder, then renamed), creating the folder.</summary>
    public void Write(string path)
    {
        string html = ToHtml();
        RawElements.WriteAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            writer.Write(html);
        });
    }

    /// <summary>plotly.js once, behind the AMD guard of <see cref="ChartHtml.PlotlyLoader"/>.</summary>
    static void AppendPlotly(StringBuilder html) => html.Append(ChartHtml.PlotlyLoader());

    /// <summary>Text inside a script element ends at the first <c>&lt;/script</c>; <c>&lt;\/</c> means the same in JS
    /// strings and JSON, so a method named "&lt;/script&gt;" cannot break out of the chart's script.</summary>
    static string ScriptSafe(string script) => ChartHtml.ScriptSafe(script);

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
        table.medanomaly-results { border-collapse: collapse; margin: 1rem 0; }
        table.medanomaly-results th, table.medanomaly-results td { padding: 0.3rem 0.8rem; border-bottom: 1px solid #ccc; text-align: right; }
        table.medanomaly-results th[scope=row], table.medanomaly-results thead th:first-child { text-align: left; }
        figure img { max-width: 100%; image-rendering: pixelated; }
        table.medanomaly-provenance { border-collapse: collapse; margin: 1rem 0; font-size: 0.8rem; }
        table.medanomaly-provenance th, table.medanomaly-provenance td { padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
        table.medanomaly-provenance tr.run td { border-bottom: none; }
        table.medanomaly-provenance code { overflow-wrap: anywhere; }
        footer { margin-top: 2rem; color: #777; font-size: 0.85rem; }
        """;
}
