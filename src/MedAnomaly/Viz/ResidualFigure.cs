using MedAnomaly.Experiments;

namespace MedAnomaly.Viz;

/// <summary>
/// The comparison figure: for each chosen test slice and each method, one row
/// input | reconstruction | anomaly map | ground-truth outline — the same slices for every method. Each method's
/// maps share one colour scale (0 … its largest value on the shown slices), so rows of one method compare.
/// </summary>
public static class ResidualFigure
{
    /// <summary>The <paramref name="count"/> test slices with the largest lesions (ties: first).</summary>
    public static int[] LargestLesions(ScoredSet scored, int count) =>
        Enumerable.Range(0, scored.Slices.Count)
            .OrderByDescending(i => scored.Slices[i].Mask?.Count(v => v > 0) ?? 0)
            .Take(count).Order().ToArray();

    public static void Write(string path, IReadOnlyList<(string Method, ScoredSet Scored)> methods, int[] slices)
    {
        if (methods.Count == 0) throw new ArgumentException("no method to draw");
        var rows = new List<IReadOnlyList<Panel>>();
        foreach (int i in slices)
            foreach (var (_, scored) in methods)
                rows.Add(Row(scored, i, MapScale(scored, slices)));
        Montage.Write(path, rows, minPanelSize: 96);
    }

    static IReadOnlyList<Panel> Row(ScoredSet s, int i, double top)
    {
        int plane = s.Height * s.Width;
        var slice = s.Slices[i];
        var image = slice.Image.AsSpan(0, plane).ToArray();   // the first channel of a multi-channel slice
        var recon = s.Reconstructions is null ? image : s.Reconstructions.AsSpan(i * s.Channels * plane, plane).ToArray();
        var map = s.Maps.AsSpan(i * plane, plane).ToArray();
        var outline = slice.Mask is null ? null : Array.ConvertAll(slice.Mask, b => (float)b);
        return
        [
            new Panel(image, s.Height, s.Width),
            new Panel(recon, s.Height, s.Width),
            new Panel(map, s.Height, s.Width, 0, top, Heat: true),
            new Panel(image, s.Height, s.Width, Outline: outline),
        ];
    }

    static double MapScale(ScoredSet s, int[] slices)
    {
        int plane = s.Height * s.Width;
        double top = slices.Max(i => s.Maps.AsSpan(i * plane, plane).ToArray().Max());
        return top > 0 ? top : 1;
    }
}
