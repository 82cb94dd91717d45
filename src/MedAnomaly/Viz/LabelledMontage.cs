using MedAnomaly.Data;

namespace MedAnomaly.Viz;

/// <summary>One row of a <see cref="LabelledMontage"/>: its label (lines separated by '\n'), a panel per column (null: an
/// empty cell) and, when it has heat panels, their colour scale (drawn as a colour bar at the row's end).</summary>
public sealed record FigureRow(string Label, IReadOnlyList<Panel?> Panels, ColourScale? Scale = null);

/// <summary>
/// A grid of panels labelled as papers print them: the column titles above (wrapped at spaces to the column's width),
/// each row's label at its left, and a <see cref="ColourBar"/> at the end of each row that has a colour scale. Black text
/// on white; panels are enlarged by an integer factor as in <see cref="Montage"/> (the largest at least
/// <c>minPanelSize</c> pixels) and centred in their cells; text is scaled with the panels (<see cref="TextScale"/>).
/// </summary>
public static class LabelledMontage
{
    static readonly (byte R, byte G, byte B) Ink = (0, 0, 0);

    /// <summary>The figure as PNG file bytes.</summary>
    public static byte[] Encode(IReadOnlyList<string> columns, IReadOnlyList<FigureRow> rows, int minPanelSize = 160)
    {
        var layout = Layout.Of(columns, rows, minPanelSize);
        var rgb = new byte[layout.Width * layout.Height * 3];
        Array.Fill(rgb, (byte)255);
        for (int c = 0; c < columns.Count; c++) DrawTitle(rgb, layout, c);
        for (int r = 0; r < rows.Count; r++) DrawRow(rgb, layout, rows[r], r);
        return Png.EncodeRgb(rgb, layout.Width, layout.Height);
    }

    /// <summary>Text scale for panels <paramref name="cellHeight"/> pixels high: 5×9-pixel glyphs up to 96 pixels, then one
    /// step per 64 pixels (at most 4).</summary>
    public static int TextScale(int cellHeight) => Math.Clamp((cellHeight + 32) / 64, 1, 4);

    /// <summary>Where everything goes, in pixels of the figure.</summary>
    sealed record Layout(int Width, int Height, int Zoom, int S, int Pad, int CellH, int HeaderH,
                         IReadOnlyList<string[]> Titles, int[] ColumnX, int[] ColumnW, int[] RowY, int[] RowH, int BarX)
    {
        public static Layout Of(IReadOnlyList<string> columns, IReadOnlyList<FigureRow> rows, int minPanelSize)
        {
            Check(columns, rows);
            var panels = rows.SelectMany(r => r.Panels).OfType<Panel>().ToList();
            int zoom = Montage.Zoom(panels, minPanelSize);
            int cellW = panels.Max(p => p.Width) * zoom, cellH = panels.Max(p => p.Height) * zoom;
            int s = TextScale(cellH), pad = 3 * s, gutter = Math.Max(2, s), line = BitmapFont.LineHeight * s;
            var titles = columns.Select(t => Wrap(t, cellW, s)).ToList();
            var columnW = titles.Select(t => Math.Max(cellW, t.Max(l => BitmapFont.Width(l, s)))).ToArray();
            int headerH = 2 * pad + titles.Max(t => t.Length) * line;
            int labelW = rows.SelectMany(r => r.Label.Split('\n')).Max(l => BitmapFont.Width(l, s));
            labelW = labelW > 0 ? labelW + 2 * pad : 0;
            var rowH = rows.Select(r => Math.Max(cellH, r.Label.Split('\n').Length * line)).ToArray();
            var columnX = Offsets(labelW + gutter, columnW, gutter);
            var rowY = Offsets(headerH, rowH, gutter);
            int barX = columnX[^1] + columnW[^1] + gutter + pad;
            int barsW = rows.Where(r => r.Scale is not null).Select(r => ColourBar.Width(r.Scale!, s) + pad).DefaultIfEmpty(0).Max();
            int width = barsW > 0 ? barX + barsW : barX - pad;
            return new Layout(width, rowY[^1] + rowH[^1] + gutter, zoom, s, pad, cellH, headerH, titles, columnX, columnW, rowY, rowH, barX);
        }

        static int[] Offsets(int start, int[] sizes, int gap)
        {
            var offsets = new int[sizes.Length];
            for (int i = 0, at = start; i < sizes.Length; at += sizes[i] + gap, i++) offsets[i] = at;
            return offsets;
        }
    }

    static void Check(IReadOnlyList<string> columns, IReadOnlyList<FigureRow> rows)
    {
        if (columns.Count == 0 || rows.Count == 0) throw new ArgumentException("a labelled montage needs at least one column and one row");
        foreach (var row in rows)
            if (row.Panels.Count != columns.Count)
                throw new ArgumentException($"row '{row.Label.Replace('\n', ' ')}' has {row.Panels.Count} panels; expected one per column ({columns.Count}: {string.Join(" | ", columns)})");
        if (!rows.SelectMany(r => r.Panels).Any(p => p is not null)) throw new ArgumentException("a labelled montage needs at least one panel");
    }

    /// <summary>Words joined into lines no wider than <paramref name="width"/> (a longer word keeps a line of its own).</summary>
    static string[] Wrap(string text, int width, int s)
    {
        var lines = new List<string>();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lines.Count > 0 && BitmapFont.Width(lines[^1] + " " + word, s) <= width) lines[^1] += " " + word;
            else lines.Add(word);
        }
        return lines.Count == 0 ? [""] : [.. lines];
    }

    /// <summary>A column's title, centred over it and resting on the header's bottom.</summary>
    static void DrawTitle(byte[] rgb, Layout l, int c)
    {
        var lines = l.Titles[c];
        int line = BitmapFont.LineHeight * l.S;
        for (int i = 0; i < lines.Length; i++)
        {
            int top = l.HeaderH - l.Pad - (lines.Length - i) * line + (line - BitmapFont.GlyphHeight * l.S);
            BitmapFont.Draw(rgb, l.Width, lines[i], top, l.ColumnX[c] + (l.ColumnW[c] - BitmapFont.Width(lines[i], l.S)) / 2, l.S, Ink);
        }
    }

    /// <summary>A row's label (left, centred vertically), its panels (centred in their cells) and its colour bar.</summary>
    static void DrawRow(byte[] rgb, Layout l, FigureRow row, int r)
    {
        var lines = row.Label.Split('\n');
        int line = BitmapFont.LineHeight * l.S;
        int labelTop = l.RowY[r] + (l.RowH[r] - lines.Length * line) / 2 + (line - BitmapFont.GlyphHeight * l.S) / 2;
        for (int i = 0; i < lines.Length; i++) BitmapFont.Draw(rgb, l.Width, lines[i], labelTop + i * line, l.Pad, l.S, Ink);
        for (int c = 0; c < row.Panels.Count; c++)
            if (row.Panels[c] is { } p)
                Montage.Draw(rgb, l.Width, p, l.RowY[r] + (l.RowH[r] - p.Height * l.Zoom) / 2, l.ColumnX[c] + (l.ColumnW[c] - p.Width * l.Zoom) / 2, l.Zoom);
        if (row.Scale is { } scale) ColourBar.Draw(rgb, l.Width, scale, l.RowY[r] + (l.RowH[r] - l.CellH) / 2, l.BarX, l.CellH, l.S);
    }
}
