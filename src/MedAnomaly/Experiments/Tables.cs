using MedAnomaly.Data;

namespace MedAnomaly.Experiments;

/// <summary>Writes the method × metric table to a file whose extension picks the format: <c>.md</c>, <c>.tex</c>,
/// <c>.html</c>/<c>.htm</c> or <c>.csv</c>. The file is written atomically (a temp file in the same folder, then
/// renamed), so a reader never sees half a table.</summary>
public static class Tables
{
    public static void Write(string path, SeedSummary summary, TableOptions? options = null)
    {
        string text = Format(Path.GetExtension(path), summary, options);
        RawElements.WriteAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            writer.Write(text);
        });
    }

    /// <summary>The table as text in the format named by a file extension (with or without the dot).</summary>
    public static string Format(string extension, SeedSummary summary, TableOptions? options = null) =>
        extension.TrimStart('.').ToLowerInvariant() switch
        {
            "md" => MarkdownTable.Write(summary, options),
            "tex" => LatexTable.Write(summary, options),
            "html" or "htm" => HtmlTable.Write(summary, options),
            "csv" => CsvTable.Write(summary, options),
            _ => throw new ArgumentException($"table extension '{extension}' is not known; expected .md, .tex, .html, .htm or .csv", nameof(extension)),
        };
}
