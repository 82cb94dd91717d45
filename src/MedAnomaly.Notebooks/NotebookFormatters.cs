using MedAnomaly.Experiments;
using MedAnomaly.Methods;
using MedAnomaly.Viz;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Notebooks;

/// <summary>How MedAnomaly's types render in a notebook. The drawing is in the library (<c>MedAnomaly.Viz</c>); this
/// only tells the kernel which MIME type to use:
/// <list type="bullet">
/// <item><see cref="PngFigure"/> → <c>image/png</c>.</item>
/// <item>An image-like <see cref="Tensor"/> ([H,W], [1,H,W], [N,1,H,W]) → <c>text/html</c> with the images as a PNG
/// (grey, [0,1]) and the shape; any other tensor → its values (numpy style).</item>
/// <item><see cref="AnomalyOutput"/> → its maps (inferno) and scores.</item>
/// <item>Plotly.NET <see cref="GenericChart"/> → <c>text/html</c> that draws offline: plotly.js (embedded in Plotly.NET)
/// is emitted with the first chart of the session, each chart is a div plus <c>Plotly.newPlot</c>.</item>
/// <item><see cref="SeedSummary"/> → the results table; <see cref="TrainingProgressView"/> → progress bar and loss.</item>
/// </list>
/// A DataFrame needs nothing: Microsoft.Data.Analysis's own kernel extension renders it as a table.</summary>
public static class NotebookFormatters
{
    const string Html = "text/html", PngMime = "image/png";
    static int registered;
    static int plotlyEmitted;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        Formatter.Register<PngFigure>((figure, context) => { context.Writer.Write(figure.ToBase64()); return true; }, PngMime);
        Formatter.SetPreferredMimeTypesFor(typeof(PngFigure), PngMime);

        Formatter.Register<Tensor>((tensor, context) => { context.Writer.Write(TensorHtml(tensor)); return true; }, Html);
        Formatter.SetPreferredMimeTypesFor(typeof(Tensor), Html);

        Formatter.Register<AnomalyOutput>((output, context) => { context.Writer.Write(AnomalyOutputHtml(output)); return true; }, Html);
        Formatter.SetPreferredMimeTypesFor(typeof(AnomalyOutput), Html);

        Formatter.Register<GenericChart>((chart, context) => { context.Writer.Write(ChartFragment(chart)); return true; }, Html);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), Html);

        Formatter.Register<SeedSummary>((summary, context) => { context.Writer.Write(HtmlTable.Write(summary, Comparison.TableOptions)); return true; }, Html);
        Formatter.SetPreferredMimeTypesFor(typeof(SeedSummary), Html);

        Formatter.Register<TrainingProgressView>((view, context) => { context.Writer.Write(view.ToHtml()); return true; }, Html);
        Formatter.SetPreferredMimeTypesFor(typeof(TrainingProgressView), Html);
    }

    /// <summary>Makes the next chart emit plotly.js again (e.g. after clearing the outputs that carried it, in a front end
    /// that keeps the kernel running).</summary>
    public static void ResetPlotly() => Interlocked.Exchange(ref plotlyEmitted, 0);

    /// <summary>A chart's HTML; the first one of the session carries plotly.js.</summary>
    public static string ChartFragment(GenericChart chart)
    {
        bool first = Interlocked.Exchange(ref plotlyEmitted, 1) == 0;
        return (first ? ChartHtml.PlotlyLoader() : "") + ChartHtml.Fragment(chart);
    }

    static string TensorHtml(Tensor tensor)
    {
        string shape = $"[{string.Join(", ", tensor.shape)}] {tensor.dtype} on {tensor.device}";
        if (Figures.IsImageLike(tensor))
        {
            var (min, max) = Range(tensor);
            bool unit = min >= 0 && max <= 1;
            var figure = unit ? Figures.Images(tensor) : Figures.Images(tensor, min, max > min ? max : min + 1);
            string note = unit ? "" : $", shown over [{min:G3}, {max:G3}]";
            string more = tensor.shape.Length == 4 && tensor.shape[0] > Figures.MaxImages ? $", first {Figures.MaxImages} shown" : "";
            return $"<div>{figure.ToHtml()}<div><code>{Encode(shape)}{Encode(note)}{Encode(more)}</code></div></div>";
        }
        return $"<div><code>{Encode(shape)}</code><pre>{Encode(tensor.npstr())}</pre></div>";
    }

    static string AnomalyOutputHtml(AnomalyOutput output)
    {
        using var scope = torch.NewDisposeScope();
        var scores = output.Score.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
        string shown = string.Join(", ", scores.Take(Figures.MaxImages).Select(s => s.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)));
        var maps = Figures.Maps(output.Map, caption: "anomaly maps");
        string reconstruction = output.Reconstruction is null ? "" : Figures.Images(output.Reconstruction).ToHtml() + "<div>reconstruction</div>";
        return $"<div>{reconstruction}{maps.ToHtml()}<div>anomaly maps [{string.Join(", ", output.Map.shape)}]; scores: {shown}{(scores.Length > Figures.MaxImages ? ", …" : "")}</div></div>";
    }

    static (double Min, double Max) Range(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        var f = t.detach().to(ScalarType.Float32);
        return (f.min().item<float>(), f.max().item<float>());
    }

    static string Encode(string s) => System.Net.WebUtility.HtmlEncode(s);
}
