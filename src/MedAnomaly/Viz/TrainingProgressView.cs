using System.Globalization;
using System.Net;
using System.Text;
using MedAnomaly.Training;

namespace MedAnomaly.Viz;

/// <summary>What a notebook shows while a detector trains: a progress bar, step, loss, learning rate, speed, and
/// a loss sparkline (inline SVG, no script). The notebook package (<c>NotebookProgress</c>) re-renders it into one
/// display handle (<c>DisplayedValue.Update</c>) in a front end, or displays its final state once in a headless run,
/// so a run shows one output instead of a wall of lines.</summary>
public sealed class TrainingProgressView(string title)
{
    readonly List<(int Step, double Loss)> losses = [];

    public string Title { get; } = title;
    public TrainingProgress? Latest { get; private set; }
    public IReadOnlyList<(int Step, double Loss)> Losses => losses;

    /// <summary>Records one report from the trainer.</summary>
    public void Report(TrainingProgress progress)
    {
        Latest = progress;
        if (double.IsFinite(progress.Loss)) losses.Add((progress.Step, progress.Loss));
    }

    /// <summary>One line of text (the <c>text/plain</c> form).</summary>
    public override string ToString() => Latest is not { } p
        ? $"{Title}: waiting for the first step"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Title}: step {p.Step}/{p.TotalSteps}, loss {p.Loss:G4}, lr {p.LearningRate:G3}, {p.Elapsed.TotalSeconds:F1} s");

    /// <summary>The <c>text/html</c> form: a progress bar, the text line and the loss sparkline.</summary>
    public string ToHtml()
    {
        double fraction = Latest is { TotalSteps: > 0 } p ? Math.Clamp((double)p.Step / p.TotalSteps, 0, 1) : 0;
        var html = new StringBuilder("<div class=\"medanomaly-progress\">");
        html.Append(CultureInfo.InvariantCulture, $"<progress max=\"1\" value=\"{fraction:F4}\" style=\"width: 240px\"></progress> ");
        html.Append(WebUtility.HtmlEncode(ToString()));
        if (losses.Count >= 2) html.Append("<br>").Append(Sparkline(240, 48));
        return html.Append("</div>").ToString();
    }

    /// <summary>The loss curve as an SVG polyline (log scale when the loss spans more than a decade).</summary>
    string Sparkline(int width, int height)
    {
        bool log = losses.All(l => l.Loss > 0) && losses.Max(l => l.Loss) / losses.Min(l => l.Loss) > 10;
        double Y(double v) => log ? Math.Log10(v) : v;
        double lo = losses.Min(l => Y(l.Loss)), hi = losses.Max(l => Y(l.Loss)), span = hi > lo ? hi - lo : 1;
        int first = losses[0].Step, last = Math.Max(losses[^1].Step, first + 1);
        var points = string.Join(" ", losses.Select(l => string.Create(CultureInfo.InvariantCulture,
            $"{(l.Step - first) * (width - 2.0) / (last - first) + 1:F1},{height - 1 - (Y(l.Loss) - lo) * (height - 2.0) / span:F1}")));
        return $"<svg class=\"medanomaly-loss\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">" +
               $"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"{points}\"/></svg>";
    }
}
