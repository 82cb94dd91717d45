using System.Globalization;

namespace MedAnomaly.Viz;

/// <summary>The colour scale of a row's heat panels: <see cref="Min"/> maps to inferno's dark end, <see cref="Max"/> to its
/// light end (<see cref="Colormap.Inferno"/>).</summary>
public sealed record ColourScale(double Min, double Max)
{
    /// <summary>The values printed beside the bar, top to bottom: the maximum, the middle, the minimum.</summary>
    public IReadOnlyList<string> Ticks => [Format(Max), Format((Min + Max) / 2), Format(Min)];

    static string Format(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}

/// <summary>A vertical colour bar for a <see cref="ColourScale"/>: inferno from the minimum (bottom) to the maximum (top),
/// framed in black, with a tick and its value at the top, the middle and the bottom.</summary>
static class ColourBar
{
    /// <summary>The bar's width at text scale <paramref name="s"/>.</summary>
    public static int BarWidth(int s) => 5 * s;

    /// <summary>The width of the bar, its ticks and their values.</summary>
    public static int Width(ColourScale scale, int s) => BarWidth(s) + 3 * s + scale.Ticks.Max(t => BitmapFont.Width(t, s));

    public static void Draw(byte[] rgb, int width, ColourScale scale, int top, int left, int height, int s)
    {
        int barWidth = BarWidth(s);
        for (int y = 0; y < height; y++)
        {
            bool frameRow = y == 0 || y == height - 1;
            var colour = Colormap.Inferno(height == 1 ? 1 : 1 - y / (double)(height - 1));
            for (int x = 0; x < barWidth; x++)
                Put(rgb, width, top + y, left + x, frameRow || x == 0 || x == barWidth - 1 ? ((byte)0, (byte)0, (byte)0) : colour);
        }
        var ticks = scale.Ticks;
        int textHeight = BitmapFont.GlyphHeight * s;
        for (int i = 0; i < ticks.Count; i++)
        {
            int y = top + (height - 1) * i / (ticks.Count - 1);
            for (int x = 0; x < 2 * s; x++)
                for (int t = 0; t < Math.Max(1, s / 2); t++) Put(rgb, width, Math.Min(y + t, top + height - 1), left + barWidth + x, (0, 0, 0));
            int textTop = Math.Max(top, Math.Min(y - 7 * s / 2, top + height - textHeight));   // caps centred on the tick, inside the bar's height
            BitmapFont.Draw(rgb, width, ticks[i], textTop, left + barWidth + 3 * s, s, (0, 0, 0));
        }
    }

    static void Put(byte[] rgb, int width, int y, int x, (byte R, byte G, byte B) colour)
    {
        int o = (y * width + x) * 3;
        (rgb[o], rgb[o + 1], rgb[o + 2]) = colour;
    }
}
