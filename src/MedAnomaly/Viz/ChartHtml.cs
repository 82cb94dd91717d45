using Plotly.NET;

namespace MedAnomaly.Viz;

/// <summary>A Plotly.NET chart as an HTML fragment that draws without a network: a div and a script calling
/// <c>Plotly.newPlot</c> with the chart's JSON. plotly.js itself (the copy embedded in Plotly.NET, see
/// <see cref="PlotlyScript"/>) is inlined by <see cref="PlotlyLoader"/> — once per page or notebook session, not per
/// chart (it is 3.6 MB).</summary>
public static class ChartHtml
{
    /// <summary>The chart's div and drawing script. <paramref name="id"/> must be unique in the page (default: a new GUID).</summary>
    public static string Fragment(GenericChart chart, string? id = null)
    {
        id ??= "medanomaly-chart-" + Guid.NewGuid().ToString("N");
        // Plotly.NET's default template is ~8 KB per chart and ~0.5 s to serialise; plotly.js's defaults look the same.
        string json = ScriptSafe(GenericChart.toJson(Charts.WithoutTemplate(chart)));
        return $$"""
            <div id="{{id}}" class="medanomaly-chart"></div>
            <script>(function () { var figure = {{json}}; Plotly.newPlot("{{id}}", figure.data, figure.layout, figure.config); })();</script>
            """;
    }

    /// <summary>plotly.js inside a script element. plotly.js is a UMD bundle: where the page already has an AMD loader
    /// (<c>define.amd</c>, e.g. RequireJS in Jupyter's HTML export or a notebook front end) it would register itself as an
    /// anonymous module and never set <c>window.Plotly</c>; hiding <c>define</c> while it runs keeps the global.</summary>
    public static string PlotlyLoader() =>
        "<script>window.__medanomalyDefine = window.define; window.define = undefined;</script>\n"
        + $"<script>/* plotly.js {PlotlyScript.Version}, inlined from the Plotly.NET package */\n{ScriptSafe(PlotlyScript.Source)}\n</script>\n"
        + "<script>window.define = window.__medanomalyDefine; delete window.__medanomalyDefine;</script>\n";

    /// <summary>Text inside a script element ends at the first <c>&lt;/script</c>; <c>&lt;\/</c> means the same in JS
    /// strings and JSON.</summary>
    internal static string ScriptSafe(string script) => script.Replace("</", "<\\/");
}
