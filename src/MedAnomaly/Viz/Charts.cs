using MedAnomaly.Experiments;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using Plotly.NET.TraceObjects;
using CSharpChart = Plotly.NET.CSharp.Chart;
using PlotlyChart = Plotly.NET.Chart;

namespace MedAnomaly.Viz;

/// <summary>Plotly.NET charts of across-seed results. They render in a notebook as they are, and
/// <see cref="HtmlReport"/> embeds them in an offline page.</summary>
public static class Charts
{
    /// <summary>A grouped bar chart: one group per metric, one bar per method at the mean over seeds, with an error
    /// bar of ± one sample standard deviation. A missing cell has no bar; a single seed's bar has no error bar.</summary>
    public static GenericChart MeanStdBars(SeedSummary summary, string? title = null)
    {
        var traces = summary.Methods.Select(method => MethodBars(summary, method)).ToList();
        var chart = PlotlyChart.withLayout(Layout("barmode", "group")).Invoke(CSharpChart.Combine(traces));
        return WithoutTemplate(Titled(chart, title ?? $"Mean ± std over seeds ({summary.Split})", "value"));
    }

    /// <summary>A box per method and metric with every seed's value drawn as a point beside it, to show the spread
    /// that a mean ± std hides (a method with two seeds is two points, not a distribution).</summary>
    public static GenericChart SeedBoxes(SeedSummary summary, string? title = null)
    {
        var traces = summary.Methods.Select(method => MethodBoxes(summary, method)).ToList();
        var chart = PlotlyChart.withLayout(Layout("boxmode", "group")).Invoke(CSharpChart.Combine(traces));
        return WithoutTemplate(Titled(chart, title ?? $"Per-seed values ({summary.Split})", "value"));
    }

    static GenericChart MethodBars(SeedSummary summary, string method)
    {
        var present = summary.Metrics.Select(metric => (Metric: metric, Stat: summary.Get(method, metric)))
            .Where(cell => cell.Stat is not null).ToList();
        var bars = CSharpChart.Column<double, string, string>(
            present.Select(cell => cell.Stat!.Value.Mean), Keys: present.Select(cell => cell.Metric).ToArray(), Name: method);
        // NaN (one seed) is written as "NaN", which plotly.js skips: no error bar rather than a false zero.
        return PlotlyChart.withYError(ErrorBars(present.Select(cell => cell.Stat!.Value.Std))).Invoke(bars);
    }

    static GenericChart MethodBoxes(SeedSummary summary, string method)
    {
        var points = summary.Metrics.SelectMany(metric => summary.Values(method, metric).Select(v => (Metric: metric, v.Value))).ToList();
        return CSharpChart.BoxPlot<string, double, string>(
            X: points.Select(p => p.Metric).ToArray(), Y: points.Select(p => p.Value).ToArray(), Name: method,
            BoxPoints: StyleParam.BoxPoints.All, Jitter: 0.3, PointPos: -1.8);
    }

    /// <summary>Plotly.NET's <c>Error.init</c> has no C#-optional parameters: every one is an F# option, null for None.</summary>
    static Error ErrorBars(IEnumerable<double> sizes) => Error.init<double, double>(
        Visible: true, Type: StyleParam.ErrorType.Data, Symmetric: true, Array: FSharpOption<IEnumerable<double>>.Some(sizes.ToArray()),
        Arrayminus: null, ArrayEncoded: null, ArrayminusEncoded: null, Value: null, Valueminus: null, Traceref: null,
        Tracerefminus: null, Copy_ystyle: null, Color: null, Thickness: null, Width: null);

    /// <summary>A layout with one property set. Plotly.NET objects are dynamic, so this avoids <c>Layout.init</c>'s
    /// ~80 positional F# options; <c>withLayout</c> merges it into the chart's layout.</summary>
    static Layout Layout(string property, object value)
    {
        var layout = new Layout();
        layout.SetProperty(property, value);
        return layout;
    }

    /// <summary>Plotly.NET writes its default template (~8 KB of colours and axis styles) into every chart's layout,
    /// and serialising that template takes about half a second per chart with Plotly.NET 6 on 2 cores (measured:
    /// the rest of these charts serialises in a millisecond). plotly.js's built-in defaults (white background, grey
    /// grid) serve a report as well, so the template is left out: a copy of the layout without it.</summary>
    internal static GenericChart WithoutTemplate(GenericChart chart)
    {
        var layout = new Layout();
        foreach (var property in GenericChart.getLayout(chart).GetProperties(true))
            if (property.Key != "template") layout.SetProperty(property.Key, property.Value);
        return GenericChart.setLayout(layout, chart);
    }

    /// <summary>Line series on shared axes (e.g. ᾱ_t of several schedules, a loss curve, a metric against t_start).
    /// Each series is (name, x, y) with x and y of equal length.</summary>
    public static GenericChart Lines(string title, string xTitle, string yTitle, params (string Name, double[] X, double[] Y)[] series)
    {
        if (series.Length == 0) throw new ArgumentException("a line chart needs at least one series", nameof(series));
        foreach (var (name, x, y) in series)
            if (x.Length != y.Length) throw new ArgumentException($"series '{name}' has {x.Length} x values but {y.Length} y values");
        var chart = CSharpChart.Combine(series.Select(s => CSharpChart.Line<double, double, string>(s.X, s.Y, Name: s.Name)));
        chart = chart.WithXAxisStyle<double, double, string>(TitleText: xTitle);
        return WithoutTemplate(Titled(chart, title, yTitle));
    }

    /// <summary>The type arguments of <c>WithYAxisStyle</c> (range min/max and category types) cannot be inferred
    /// when those arguments are left out, hence the explicit ones.</summary>
    static GenericChart Titled(GenericChart chart, string title, string yTitle) =>
        PlotlyChart.withTitle(title, null).Invoke(chart).WithYAxisStyle<double, double, string>(TitleText: yTitle);
}
