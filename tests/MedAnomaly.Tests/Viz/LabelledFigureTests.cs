using System.Buffers.Binary;
using System.IO.Compression;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Viz;
using TorchSharp;

namespace MedAnomaly.Tests.Viz;

/// <summary>An RGB PNG as EncodeRgb writes it (one IDAT, filter 0 on every row), decoded to its pixels.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Rgb)
{
    public static RgbImage Decode(byte[] png)
    {
        int width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        Assert.Equal(2, png[25]);   // colour type RGB
        int at = 8;
        while (System.Text.Encoding.ASCII.GetString(png, at + 4, 4) != "IDAT") at += 12 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
        int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
        using var zlib = new ZLibStream(new MemoryStream(png, at + 8, length), CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var rows = raw.ToArray();
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            Assert.Equal(0, rows[y * (1 + 3 * width)]);
            Array.Copy(rows, y * (1 + 3 * width) + 1, rgb, y * 3 * width, 3 * width);
        }
        return new RgbImage(width, height, rgb);
    }

    public (byte R, byte G, byte B) this[int x, int y] => (Rgb[(y * Width + x) * 3], Rgb[(y * Width + x) * 3 + 1], Rgb[(y * Width + x) * 3 + 2]);

    public int Count(int x0, int y0, int x1, int y1, Func<(byte R, byte G, byte B), bool> which)
    {
        int n = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (which(this[x, y])) n++;
        return n;
    }

    public static bool Black((byte R, byte G, byte B) c) => c == (0, 0, 0);
    public static bool White((byte R, byte G, byte B) c) => c == (255, 255, 255);
}

/// <summary>
/// Issue #18 item 6: figures say what they show. The residual figure (the comparison's and, through the same rows, the
/// notebooks' <see cref="Figures.Residuals(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor?, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor?, int, double?, string?, int, IReadOnlyList{string}?, IReadOnlyList{string}?)"/>)
/// titles its columns, labels its rows with method, volume and slice, carries a colour bar per map, and shows the slices
/// whose lesions are visible. Text is checked ink by ink: black appears only where the font draws it.
/// </summary>
public sealed class LabelledFigureTests
{
    /// <summary>The ink pixels of a text at scale s: the font sheet's '#' count per character, times s².</summary>
    static int Ink(string text, int s) =>
        text.Sum(c => Enumerable.Range(0, BitmapFont.GlyphHeight).Sum(y => Enumerable.Range(0, BitmapFont.GlyphWidth).Count(x => BitmapFont.Ink(c, x, y)))) * s * s;

    static float[] Constant(int n, float v) => Enumerable.Repeat(v, n).ToArray();

    [Fact]
    public void TheFontDrawsItsGlyphsAndReplacesWhatItLacks()
    {
        // 'H': two stems of 7 and a bar of 3 between them.
        Assert.Equal(7 + 7 + 3, Ink("H", 1));
        Assert.True(BitmapFont.Ink('H', 0, 0) && BitmapFont.Ink('H', 4, 6) && !BitmapFont.Ink('H', 2, 0) && BitmapFont.Ink('H', 2, 3));
        Assert.True(BitmapFont.Ink('g', 1, 8) && !BitmapFont.Ink('a', 1, 8));   // descenders below the baseline
        Assert.Equal(Ink(".", 1), Ink("·", 1));
        Assert.Equal(Ink("?", 1), Ink("é", 1));
        Assert.Equal(0, Ink(" ", 1));
        Assert.Equal(2 * (3 * BitmapFont.Advance - 1), BitmapFont.Width("abc", 2));

        var rgb = Enumerable.Repeat((byte)255, 20 * 12 * 3).ToArray();
        BitmapFont.Draw(rgb, 20, "Hi", 1, 1, 1, (0, 0, 0));
        var image = new RgbImage(20, 12, rgb);
        Assert.Equal(Ink("Hi", 1), image.Count(0, 0, 20, 12, RgbImage.Black));
        Assert.True(RgbImage.Black(image[1, 1]) && RgbImage.White(image[0, 0]));
    }

    [Fact]
    public void ColumnTitlesRowLabelsAndAColourBarAreDrawn()
    {
        const int n = 8;
        var grey = new Panel(Constant(n * n, 0.5f), n, n);
        var heat = new Panel(Enumerable.Range(0, n * n).Select(i => i / (n * n - 1f)).ToArray(), n, n, 0, 2, Heat: true);
        string[] columns = ["input", "anomaly map"];
        var rows = new[] { new FigureRow("ae\nvolume 7\nslice 3", [grey, heat], new ColourScale(0, 2)), new FigureRow("vae", [grey, null]) };
        var image = RgbImage.Decode(LabelledMontage.Encode(columns, rows, minPanelSize: 128));
        int s = LabelledMontage.TextScale(128);
        Assert.Equal(2, s);

        bool IsGrey((byte R, byte G, byte B) c) => c == (128, 128, 128);
        int panelTop = Enumerable.Range(0, image.Height).First(y => image.Count(0, y, image.Width, y + 1, IsGrey) > 0);
        int panelLeft = Enumerable.Range(0, image.Width).First(x => image.Count(x, 0, x + 1, image.Height, IsGrey) > 0);
        // Above the panels: only the column titles, black on white ("anomaly map" wraps: wider than a 128-pixel panel at scale 2).
        Assert.True(BitmapFont.Width("anomaly map", s) > 128);
        Assert.Equal(Ink("input", s) + Ink("anomalymap", s), image.Count(0, 0, image.Width, panelTop, RgbImage.Black));
        Assert.Equal(image.Width * panelTop, image.Count(0, 0, image.Width, panelTop, c => RgbImage.Black(c) || RgbImage.White(c)));
        // Left of the panels: only the row labels.
        Assert.Equal(Ink("aevolume7slice3", s) + Ink("vae", s), image.Count(0, panelTop, panelLeft, image.Height, RgbImage.Black));
        // Both panels of the first row at 16× and the empty cell left white.
        Assert.Equal(2 * 128 * 128, image.Count(0, 0, image.Width, image.Height, IsGrey));
        // The colour bar right of the map (which ends 2 panels and a gutter after the first): inferno from light (top) to
        // dark, inside a black frame, for the first row only.
        int mapRight = panelLeft + 2 * 128 + 2;
        (byte, byte, byte) Bar(int row) => Colormap.Inferno(1 - row / 127.0);
        Assert.Contains(Bar(1), Enumerable.Range(mapRight, image.Width - mapRight).Select(x => image[x, panelTop + 1]));
        Assert.Contains(Bar(126), Enumerable.Range(mapRight, image.Width - mapRight).Select(x => image[x, panelTop + 126]));
        Assert.Equal(["2", "1", "0"], new ColourScale(0, 2).Ticks);
        var inferno = Enumerable.Range(0, 128).Select(Bar).ToHashSet();
        Assert.Equal(0, image.Count(mapRight, panelTop + 130, image.Width, image.Height, c => inferno.Contains(c) && !RgbImage.Black(c)));
    }

    [Fact]
    public void ARowMustHaveAPanelPerColumn()
    {
        var panel = new Panel(Constant(4, 0), 2, 2);
        var e = Assert.Throws<ArgumentException>(() => LabelledMontage.Encode(["a", "b"], [new FigureRow("ae", [panel])]));
        Assert.Contains("row 'ae' has 1 panels; expected one per column (2: a | b)", e.Message);
        Assert.Throws<ArgumentException>(() => LabelledMontage.Encode(["a"], [new FigureRow("ae", [null])]));
    }

    /// <summary>A test slice of <paramref name="source"/>: 4×4, foreground the left half, lesion pixels at
    /// <paramref name="lesion"/>.</summary>
    static SliceItem Slice(string source, int index, params int[] lesion)
    {
        var mask = new byte[16];
        foreach (int i in lesion) mask[i] = 1;
        var foreground = Enumerable.Range(0, 16).Select(i => (byte)(i % 4 < 2 ? 1 : 0)).ToArray();
        return new SliceItem(Constant(16, 0.5f), 4, 4, lesion.Length > 0 ? 1 : 0, mask, foreground, source, 2, index, "test");
    }

    static ScoredSet Scored(params SliceItem[] slices) =>
        new(slices, 4, 4, Enumerable.Range(0, slices.Length * 16).Select(i => i % 7 / 7f).ToArray(), null, new double[slices.Length]);

    [Fact]
    public void TheFigureShowsTheLargestVisibleLesionsOfSeveralVolumes()
    {
        var scored = Scored(
            Slice("test/a.nii.gz", 10, 2, 3, 6, 7, 10, 11),   // six lesion pixels, all outside the brain (columns 2, 3)
            Slice("test/a.nii.gz", 11, 0, 1, 4),               // three visible
            Slice("test/a.nii.gz", 12, 0, 1, 4, 5),            // four visible: a's largest
            Slice("test/b.nii.gz", 20, 0),                     // one visible: b's largest
            Slice("test/b.nii.gz", 21));                       // none
        Assert.Equal([0, 3, 4, 1, 0], scored.Slices.Select(ResidualFigure.VisibleLesionArea));
        Assert.Equal([2], ResidualFigure.LargestLesions(scored, 1));
        Assert.Equal([2, 3], ResidualFigure.LargestLesions(scored, 2));        // each volume's largest before a's second
        Assert.Equal([1, 2, 3], ResidualFigure.LargestLesions(scored, 3));
        Assert.Equal([0, 1, 2, 3, 4], ResidualFigure.LargestLesions(scored, 9).Order());
    }

    [Fact]
    public void RowsAreLabelledWithMethodVolumeAndSlice()
    {
        var slice = Slice("test/BraTS2021_00012.nii.gz", 77, 0);
        Assert.Equal("disyre\nBraTS2021_00012\nslice 77", ResidualFigure.RowLabel("disyre", slice));
        Assert.Equal("BraTS2021_00012\nslice 77 (x)", ResidualFigure.RowLabel("", slice with { Axis = 0 }));
        Assert.Equal("ae\nimg_003", ResidualFigure.RowLabel("ae", slice with { Source = "images/img_003.png", Axis = -1, Index = 0 }));

        var scored = Scored(Slice("test/a.nii.gz", 10, 0), Slice("test/b.nii.gz", 20, 1));
        Assert.Equal("Columns: input | reconstruction | anomaly map | lesion outline (the map's colour bar runs from 0 to the method's largest value " +
                     "on these slices). Rows: ae · a · slice 10; vae · a · slice 10; ae · b · slice 20; vae · b · slice 20.",
                     ResidualFigure.Describe([("ae", scored), ("vae", scored)], [0, 1]));
        var image = RgbImage.Decode(ResidualFigure.Encode([("ae", scored), ("vae", scored)], [0, 1]));
        int s = LabelledMontage.TextScale(96);
        int labels = Ink("aeaslice10", s) + Ink("vaeaslice10", s) + Ink("aebslice20", s) + Ink("vaebslice20", s);
        int titles = ResidualFigure.Columns.Sum(c => Ink(c.Replace(" ", ""), s));
        int ticks = 4 * new ColourScale(0, 6 / 7.0).Ticks.Sum(t => Ink(t, s));
        Assert.True(image.Count(0, 0, image.Width, image.Height, RgbImage.Black) >= labels + titles + ticks);
    }

    [Fact]
    public void NotebookResidualsAreLabelledToo()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.full(new long[] { 3, 1, 16, 16 }, 0.5f);
        var maps = torch.rand(new long[] { 3, 1, 16, 16 }, generator: new torch.Generator(1));
        var masks = torch.zeros(new long[] { 3, 1, 16, 16 });
        var titled = Figures.Residuals(images, null, maps, masks, maxRows: 2, caption: "slice | intensity | outline", rowLabels: ["first", "second"]);
        var plain = Figures.Residuals(images, null, maps, masks, maxRows: 2);
        Assert.Equal("slice | intensity | outline", titled.Caption);
        Assert.Equal("input | anomaly map | lesion outline", plain.Caption);

        int s = LabelledMontage.TextScale(128);
        bool IsGrey((byte R, byte G, byte B) c) => c == (128, 128, 128);
        (int Header, int Labels) Text(PngFigure figure)
        {
            var image = RgbImage.Decode(figure.Png);
            int panelTop = Enumerable.Range(0, image.Height).First(y => image.Count(0, y, image.Width, y + 1, IsGrey) > 0);
            int panelLeft = Enumerable.Range(0, image.Width).First(x => image.Count(x, 0, x + 1, image.Height, IsGrey) > 0);
            return (image.Count(0, 0, image.Width, panelTop, RgbImage.Black), image.Count(0, panelTop, panelLeft, image.Height, RgbImage.Black));
        }
        Assert.Equal((Ink("sliceintensityoutline", s), Ink("firstsecond", s)), Text(titled));
        Assert.Equal((Ink("inputanomalymaplesionoutline", s), Ink("image1image2", s)), Text(plain));

        var e = Assert.Throws<ArgumentException>(() => Figures.Residuals(images, null, maps, masks, rowLabels: ["only one"]));
        Assert.Contains("1 row labels for 3 rows", e.Message);
    }
}
