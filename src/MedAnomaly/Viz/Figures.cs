using MedAnomaly.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Viz;

/// <summary>Tensors as PNG figures: images in grey, anomaly maps in inferno, and the residual-map montage
/// (input | reconstruction | anomaly map | input with the ground-truth outline) that the papers print.</summary>
public static class Figures
{
    /// <summary>The largest number of images drawn from one batch (the first ones).</summary>
    public const int MaxImages = 16;

    /// <summary>Whether a tensor looks like an image or a batch of them: floating point, [H,W], [1,H,W] or
    /// [N,1,H,W], with H and W at least 8. The notebook formatters draw these as PNG.</summary>
    public static bool IsImageLike(Tensor t) =>
        t.is_floating_point() && t.shape.Length is >= 2 and <= 4 && t.shape[^1] >= 8 && t.shape[^2] >= 8
        && (t.shape.Length < 3 || t.shape[^3] == 1) && (t.shape.Length < 4 || t.shape[0] >= 1);

    /// <summary>Images in [0,1] ([H,W], [1,H,W] or [N,1,H,W]) side by side in grey (at most <see cref="MaxImages"/>).
    /// Values outside [0,1] are clipped; pass <paramref name="min"/>/<paramref name="max"/> for another range.</summary>
    public static PngFigure Images(Tensor images, double min = 0, double max = 1, string? caption = null, int minPanelSize = 128) =>
        Row(Slices(images, "images").Select(p => new Panel(p.Pixels, p.H, p.W, min, max)), caption, minPanelSize);

    /// <summary>Anomaly maps ([H,W], [1,H,W] or [N,1,H,W]) in inferno, scaled to [0, <paramref name="max"/>]
    /// (default: the largest value of the batch, so maps of one figure share a scale).</summary>
    public static PngFigure Maps(Tensor maps, double? max = null, string? caption = null, int minPanelSize = 128)
    {
        var slices = Slices(maps, "maps");
        double top = max ?? Math.Max(1e-12, slices.Max(s => s.Pixels.Max()));
        return Row(slices.Select(p => new Panel(p.Pixels, p.H, p.W, 0, top, Heat: true)), caption, minPanelSize);
    }

    /// <summary>One row per image: input | reconstruction | anomaly map | input with the ground-truth outline in red, labelled
    /// like the comparison's figure (<see cref="ResidualFigure.Row"/>): column titles, a label per row, a colour bar per map.
    /// <paramref name="input"/>, <paramref name="reconstruction"/> [N,1,H,W] in [0,1]; <paramref name="map"/> [N,1,H,W]
    /// (scaled to its batch maximum, or <paramref name="mapMax"/>); <paramref name="mask"/> [N,1,H,W] in {0,1}
    /// (optional: then the last column is left out). Reconstruction may be null (methods without one: its column is left
    /// out).</summary>
    /// <param name="rowLabels">One per row shown (lines separated by '\n'); default "image 1", "image 2", ….</param>
    /// <param name="columns">The column titles; default the parts of <paramref name="caption"/> between " | " when there is one
    /// per column (so "slice | intensity | outline" titles three columns), else input, reconstruction, anomaly map, lesion
    /// outline.</param>
    public static PngFigure Residuals(Tensor input, Tensor? reconstruction, Tensor map, Tensor? mask = null,
        int maxRows = 4, double? mapMax = null, string? caption = null, int minPanelSize = 128,
        IReadOnlyList<string>? rowLabels = null, IReadOnlyList<string>? columns = null)
    {
        var x = Slices(input, "input");
        var r = reconstruction is null ? null : Slices(reconstruction, "reconstruction");
        var m = Slices(map, "map");
        var g = mask is null ? null : Slices(mask, "mask");
        if (m.Count != x.Count || (r is not null && r.Count != x.Count) || (g is not null && g.Count != x.Count))
            throw new ArgumentException($"residual figure: input has {x.Count} images but reconstruction/map/mask have " +
                $"{r?.Count.ToString() ?? "-"}/{m.Count}/{g?.Count.ToString() ?? "-"}; expected the same batch");
        int shown = Math.Min(maxRows, x.Count);
        if (rowLabels is not null && rowLabels.Count < shown)
            throw new ArgumentException($"residual figure: {rowLabels.Count} row labels for {shown} rows");
        double top = mapMax ?? Math.Max(1e-12, m.Max(s => s.Pixels.Max()));
        var rows = new List<FigureRow>();
        for (int i = 0; i < shown; i++)
            rows.Add(ResidualFigure.Row(rowLabels?[i] ?? $"image {i + 1}", x[i].Pixels, r?[i].Pixels, m[i].Pixels, g?[i].Pixels, x[i].H, x[i].W,
                                        top, showReconstruction: r is not null, showOutline: g is not null));
        var titles = columns ?? ColumnTitles(caption, rows[0].Panels.Count, r is not null, g is not null);
        caption ??= string.Join(" | ", titles);
        byte[] png = LabelledMontage.Encode(titles, rows, minPanelSize);
        var (width, height) = PngSize(png);
        return new PngFigure(png, width, height, caption);
    }

    /// <summary>The caption's " | " parts when there is one per column, else <see cref="ResidualFigure.Columns"/> less the
    /// columns left out.</summary>
    static IReadOnlyList<string> ColumnTitles(string? caption, int count, bool reconstruction, bool outline)
    {
        var parts = caption?.Split(" | ", StringSplitOptions.TrimEntries) ?? [];
        if (parts.Length == count) return parts;
        var all = ResidualFigure.Columns;
        return all.Where((_, k) => (k != 1 || reconstruction) && (k != 3 || outline)).ToList();
    }

    /// <summary>The residual montage of a detector's output (its map and, when it has one, its reconstruction).</summary>
    public static PngFigure Residuals(Tensor input, AnomalyOutput output, Tensor? mask = null, int maxRows = 4, double? mapMax = null) =>
        Residuals(input, output.Reconstruction, output.Map, mask, maxRows, mapMax);

    /// <summary>Any grid of panels (see <see cref="Montage"/>), as a figure.</summary>
    public static PngFigure Grid(IReadOnlyList<IReadOnlyList<Panel>> rows, string? caption = null, int minPanelSize = 128)
    {
        byte[] png = Montage.Encode(rows, minPanelSize);
        var (width, height) = PngSize(png);
        return new PngFigure(png, width, height, caption);
    }

    /// <summary>IHDR follows the 8-byte signature and the chunk's length and type: width and height, big-endian.</summary>
    static (int Width, int Height) PngSize(byte[] png) =>
        (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));

    /// <summary>A tensor's images as panels of the given range (for building a grid by hand).</summary>
    public static IReadOnlyList<Panel> Panels(Tensor images, double min = 0, double max = 1, bool heat = false) =>
        Slices(images, "images").Select(p => new Panel(p.Pixels, p.H, p.W, min, max, heat)).ToList();

    static PngFigure Row(IEnumerable<Panel> panels, string? caption, int minPanelSize) =>
        Grid([panels.ToList()], caption, minPanelSize);

    /// <summary>[H,W], [1,H,W] or [N,1,H,W] → up to <see cref="MaxImages"/> row-major float arrays.</summary>
    static List<(float[] Pixels, int H, int W)> Slices(Tensor t, string what)
    {
        if (t.shape.Length is < 2 or > 4 || (t.shape.Length >= 3 && t.shape[^3] != 1))
            throw new ArgumentException($"{what}: expected [H,W], [1,H,W] or [N,1,H,W], got [{string.Join(",", t.shape)}]");
        using var scope = torch.NewDisposeScope();
        int h = (int)t.shape[^2], w = (int)t.shape[^1];
        var flat = t.detach().to(ScalarType.Float32).cpu().reshape(-1, h * w);
        int n = (int)Math.Min(flat.shape[0], MaxImages);
        var values = flat[..n].contiguous().data<float>().ToArray();
        return Enumerable.Range(0, n).Select(i => (values.AsSpan(i * h * w, h * w).ToArray(), h, w)).ToList();
    }
}
