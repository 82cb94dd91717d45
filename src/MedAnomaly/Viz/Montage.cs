using MedAnomaly.Data;

namespace MedAnomaly.Viz;

/// <summary>One panel of a montage: an H×W image (row-major), the value range mapped to the colormap's ends,
/// and an optional mask drawn as a red outline.</summary>
public sealed record Panel(float[] Pixels, int Height, int Width, double Min = 0, double Max = 1, bool Heat = false, float[]? Outline = null);

/// <summary>Writes a grid of panels (rows × columns) as one RGB PNG, with a 2-pixel black gutter. Small panels
/// are enlarged by an integer factor (nearest neighbour) so that each is at least <c>minPanelSize</c> pixels.</summary>
public static class Montage
{
    const int Gutter = 2;

    public static void Write(string path, IReadOnlyList<IReadOnlyList<Panel>> rows, int minPanelSize = 160)
    {
        byte[] png = Encode(rows, minPanelSize);
        RawElements.WriteAtomically(path, s => s.Write(png));
    }

    /// <summary>The montage as PNG file bytes (for notebook outputs and reports).</summary>
    public static byte[] Encode(IReadOnlyList<IReadOnlyList<Panel>> rows, int minPanelSize = 160)
    {
        if (rows.Count == 0 || rows.Any(r => r.Count == 0)) throw new ArgumentException("a montage needs at least one panel per row");
        var panels = rows.SelectMany(r => r).ToList();
        int zoom = Zoom(panels, minPanelSize);
        int cellH = panels.Max(p => p.Height) * zoom, cellW = panels.Max(p => p.Width) * zoom;
        int columns = rows.Max(r => r.Count);
        int width = columns * (cellW + Gutter) + Gutter, height = rows.Count * (cellH + Gutter) + Gutter;
        var rgb = new byte[width * height * 3];
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
                Draw(rgb, width, rows[r][c], Gutter + r * (cellH + Gutter), Gutter + c * (cellW + Gutter), zoom);
        return Png.EncodeRgb(rgb, width, height);
    }

    /// <summary>Draws <paramref name="p"/> enlarged <paramref name="zoom"/> times with its top-left corner at (<paramref name="left"/>,
    /// <paramref name="top"/>) of a row-major RGB buffer <paramref name="width"/> pixels wide.</summary>
    internal static void Draw(byte[] rgb, int width, Panel p, int top, int left, int zoom)
    {
        if (p.Pixels.Length != p.Height * p.Width)
            throw new ArgumentException($"panel has {p.Pixels.Length} pixels, expected {p.Height}×{p.Width}");
        double scale = p.Max > p.Min ? 1 / (p.Max - p.Min) : 0;
        for (int y = 0; y < p.Height * zoom; y++)
            for (int x = 0; x < p.Width * zoom; x++)
            {
                int sy = y / zoom, sx = x / zoom;
                double v = (p.Pixels[sy * p.Width + sx] - p.Min) * scale;
                var (r, g, b) = IsOutline(p, sy, sx) ? ((byte)255, (byte)40, (byte)40) : p.Heat ? Colormap.Inferno(v) : Colormap.Grey(v);
                int o = ((top + y) * width + left + x) * 3;
                (rgb[o], rgb[o + 1], rgb[o + 2]) = (r, g, b);
            }
    }

    /// <summary>The integer enlargement that makes the largest panel at least <paramref name="minPanelSize"/> pixels.</summary>
    internal static int Zoom(IEnumerable<Panel> panels, int minPanelSize)
    {
        int largest = panels.Max(p => Math.Max(p.Height, p.Width));
        return Math.Max(1, (minPanelSize + largest - 1) / largest);
    }

    /// <summary>A mask pixel with a 4-neighbour outside the mask.</summary>
    static bool IsOutline(Panel p, int y, int x)
    {
        if (p.Outline is null || p.Outline[y * p.Width + x] < 0.5f) return false;
        return y == 0 || x == 0 || y == p.Height - 1 || x == p.Width - 1
            || p.Outline[(y - 1) * p.Width + x] < 0.5f || p.Outline[(y + 1) * p.Width + x] < 0.5f
            || p.Outline[y * p.Width + x - 1] < 0.5f || p.Outline[y * p.Width + x + 1] < 0.5f;
    }
}
