using System.Text;

namespace MedAnomaly.Experiments;

/// <summary>The method × metric table as a GitHub-flavoured Markdown table: "mean ± std" cells, the best of each
/// column and its ties (<see cref="TableCells"/>) in bold, "–" for a missing value or a missing std (a single seed).</summary>
public static class MarkdownTable
{
    public static string Write(SeedSummary summary, TableOptions? options = null)
    {
        options ??= TableOptions.Default;
        var cells = TableCells.Build(summary, options);
        var text = new StringBuilder();
        Row(text, [options.MethodHeader, .. options.RowColumns.Select(c => c.Header), .. summary.Metrics.Select(options.Label)]);
        Row(text, [":--", .. options.RowColumns.Select(_ => ":--"), .. summary.Metrics.Select(_ => "--:")]);
        for (int i = 0; i < summary.Methods.Count; i++)
            Row(text, [summary.Methods[i], .. options.RowTexts(summary.Methods[i]), .. cells[i].Select(Cell)]);
        return text.ToString();
    }

    static string Cell(TableCell cell)
    {
        if (cell.IsMissing) return "–";
        string text = $"{cell.Mean} ± {cell.Std ?? "–"}";
        return cell.IsLeading ? $"**{text}**" : text;
    }

    static void Row(StringBuilder text, IEnumerable<string> cells) =>
        text.Append("| ").AppendJoin(" | ", cells.Select(Escape)).Append(" |\n");

    /// <summary>A pipe would end the cell; a newline would end the row.</summary>
    static string Escape(string text) => text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
}
