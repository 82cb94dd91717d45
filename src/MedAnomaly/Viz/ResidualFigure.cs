using MedAnomaly.Data;
using MedAnomaly.Experiments;

namespace MedAnomaly.Viz;

/// <summary>
/// The residual figure that the papers print, labelled (<see cref="LabelledMontage"/>): one row per slice and method,
/// labelled with the method, the volume and the slice; the columns input | reconstruction | anomaly map | lesion outline;
/// a colour bar for each row's map. Each method's maps share one colour scale (0 … its largest value on the shown
/// slices), so rows of one method compare. The notebooks' <c>Figures.Residuals</c> draws its rows with the same
/// <see cref="Row(string, float[], float[], float[], float[], int, int, double, bool, bool)"/>.
/// </summary>
public static class ResidualFigure
{
    /// <summary>The column titles, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["input", "reconstruction", "anomaly map", "lesion outline"];

    /// <summary>The lesion pixels of a slice that lie inside the brain (its foreground): the part of a lesion a figure can
    /// show (a lesion outside the brain is hidden by the zero maps and the dark background).</summary>
    public static int VisibleLesionArea(SliceItem slice)
    {
        if (slice.Mask is null) return 0;
        int area = 0;
        for (int i = 0; i < slice.Mask.Length; i++)
            if (slice.Mask[i] > 0 && slice.Foreground[i] > 0) area++;
        return area;
    }

    /// <summary>The <paramref name="count"/> test slices with the largest <see cref="VisibleLesionArea"/>, one volume at a time:
    /// first each volume's largest (largest first), then each volume's second largest, and so on, so that the figure shows
    /// several volumes rather than neighbouring slices of one; slices without a visible lesion come last. Ties go to the
    /// first slice; the result is in slice order.</summary>
    public static int[] LargestLesions(ScoredSet scored, int count) => LargestLesions(scored.Slices, count);

    /// <inheritdoc cref="LargestLesions(ScoredSet, int)"/>
    public static int[] LargestLesions(IReadOnlyList<SliceItem> slices, int count) =>
        Enumerable.Range(0, slices.Count)
            .Select(i => (Index: i, Area: VisibleLesionArea(slices[i]), Volume: slices[i].Source))
            .GroupBy(s => s.Volume)
            .SelectMany(volume => volume.OrderByDescending(s => s.Area).ThenBy(s => s.Index).Select((s, rank) => (s.Index, s.Area, Rank: rank)))
            .OrderBy(s => s.Area > 0 ? 0 : 1).ThenBy(s => s.Rank).ThenByDescending(s => s.Area).ThenBy(s => s.Index)
            .Take(count).Select(s => s.Index).Order().ToArray();

    /// <summary>Writes the figure as a PNG (atomically).</summary>
    public static void Write(string path, IReadOnlyList<(string Method, ScoredSet Scored)> methods, int[] slices, int minPanelSize = 96)
    {
        byte[] png = Encode(methods, slices, minPanelSize);
        RawElements.WriteAtomically(path, s => s.Write(png));
    }

    /// <summary>For each slice (indices into each method's test set, the same slices for all), one row per method.</summary>
    public static byte[] Encode(IReadOnlyList<(string Method, ScoredSet Scored)> methods, int[] slices, int minPanelSize = 96)
    {
        if (methods.Count == 0) throw new ArgumentException("no method to draw");
        if (slices.Length == 0) throw new ArgumentException("no slice to draw");
        var rows = new List<FigureRow>();
        foreach (int i in slices)
            foreach (var (method, scored) in methods)
            {
                if (i < 0 || i >= scored.Slices.Count) throw new ArgumentOutOfRangeException(nameof(slices), $"slice {i} is not in {method}'s test set of {scored.Slices.Count}");
                rows.Add(Row(scored, i, method, MapScale(scored, slices)));
            }
        return LabelledMontage.Encode(Columns, rows, minPanelSize);
    }

    /// <summary>Rows and columns in words, for a caption or an alt text.</summary>
    public static string Describe(IReadOnlyList<(string Method, ScoredSet Scored)> methods, int[] slices) =>
        $"Columns: {string.Join(" | ", Columns)} (the map's colour bar runs from 0 to the method's largest value on these slices). Rows: " +
        string.Join("; ", slices.SelectMany(i => methods.Select(m => RowLabel(m.Method, m.Scored.Slices[i]).Replace("\n", " · ")))) + ".";

    /// <summary>"ae\nphantom_0004\nslice 12": the method (when named), the volume's file name and the slice (with its axis
    /// when it is not the usual z; a 2D image has no slice line).</summary>
    public static string RowLabel(string method, SliceItem slice)
    {
        var lines = new List<string>();
        if (!string.IsNullOrEmpty(method)) lines.Add(method);
        lines.Add(VolumeName(slice.Source));
        if (slice.Axis >= 0) lines.Add(slice.Axis == 2 ? $"slice {slice.Index}" : $"slice {slice.Index} ({"xyz"[slice.Axis]})");
        return string.Join("\n", lines);
    }

    static string VolumeName(string source)
    {
        string name = Path.GetFileName(source);
        foreach (var extension in new[] { ".nii.gz", ".nii", ".png", ".npy" })
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) return name[..^extension.Length];
        return name;
    }

    static FigureRow Row(ScoredSet s, int i, string method, double top)
    {
        int plane = s.Height * s.Width;
        var slice = s.Slices[i];
        var image = slice.Image.AsSpan(0, plane).ToArray();   // the first channel of a multi-channel slice
        var recon = s.Reconstructions?.AsSpan(i * s.Channels * plane, plane).ToArray();
        var map = s.Maps.AsSpan(i * plane, plane).ToArray();
        var outline = slice.Mask is null ? null : Array.ConvertAll(slice.Mask, b => (float)b);
        return Row(RowLabel(method, slice), image, recon, map, outline, s.Height, s.Width, top, showReconstruction: true, showOutline: true);
    }

    /// <summary>One row: input | reconstruction (when shown; an empty cell when the method has none) | map in inferno over
    /// [0, <paramref name="mapMax"/>] | input with the lesion outline in red (when shown).</summary>
    public static FigureRow Row(string label, float[] input, float[]? reconstruction, float[] map, float[]? outline, int height, int width,
                                double mapMax, bool showReconstruction, bool showOutline)
    {
        var panels = new List<Panel?> { new Panel(input, height, width) };
        if (showReconstruction) panels.Add(reconstruction is null ? null : new Panel(reconstruction, height, width));
        panels.Add(new Panel(map, height, width, 0, mapMax, Heat: true));
        if (showOutline) panels.Add(new Panel(input, height, width, Outline: outline));
        return new FigureRow(label, panels, new ColourScale(0, mapMax));
    }

    static double MapScale(ScoredSet s, int[] slices)
    {
        int plane = s.Height * s.Width;
        double top = slices.Max(i => s.Maps.AsSpan(i * plane, plane).ToArray().Max());
        return top > 0 ? top : 1;
    }
}
