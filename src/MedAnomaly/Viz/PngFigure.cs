using MedAnomaly.Data;

namespace MedAnomaly.Viz;

/// <summary>A figure held in memory as PNG file bytes. Notebooks show it as an <c>image/png</c> output (the
/// MedAnomaly.Notebooks formatters); <see cref="Save"/> writes it for a paper, <see cref="ToHtml"/> inlines it.</summary>
public sealed record PngFigure(byte[] Png, int Width, int Height, string? Caption = null)
{
    /// <summary>A PNG file as a figure (its size read by Data/Png.cs, which also refuses a file that is not a valid PNG).</summary>
    public static PngFigure Read(string path, string? caption = null)
    {
        var image = Data.Png.Read(path);
        return new PngFigure(File.ReadAllBytes(path), image.Width, image.Height, caption);
    }

    /// <summary>The bytes as base64, the form a notebook's <c>image/png</c> output carries.</summary>
    public string ToBase64() => Convert.ToBase64String(Png);

    /// <summary>An <c>img</c> element with a data URI (no file, no network).</summary>
    public string ToHtml() =>
        $"<img alt=\"{System.Net.WebUtility.HtmlEncode(Caption ?? "figure")}\" src=\"data:image/png;base64,{ToBase64()}\" style=\"image-rendering: pixelated\">";

    /// <summary>Writes the PNG atomically (temp file, then rename).</summary>
    public void Save(string path) => RawElements.WriteAtomically(path, s => s.Write(Png));

    public override string ToString() => $"PNG {Width}×{Height}{(Caption is null ? "" : " — " + Caption)}";
}
