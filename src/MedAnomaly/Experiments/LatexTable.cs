using System.Text;

namespace MedAnomaly.Experiments;

/// <summary>The method × metric table as a LaTeX <c>tabular</c> with booktabs rules (<c>\usepackage{booktabs}</c>):
/// "mean $\pm$ std" cells, each column's best mean in <c>\textbf</c>, "--" (an en dash) for a missing value or std.</summary>
public static class LatexTable
{
    public static string Write(SeedSummary summary, TableOptions? options = null)
    {
        options ??= TableOptions.Default;
        var cells = TableCells.Build(summary, options);
        var text = new StringBuilder();
        text.Append("% needs \\usepackage{booktabs}\n");
        text.Append("\\begin{tabular}{l").Append('l', options.RowColumns.Count).Append('r', summary.Metrics.Count).Append("}\n\\toprule\n");
        Row(text, [Escape(options.MethodHeader), .. options.RowColumns.Select(c => Escape(c.Header)), .. summary.Metrics.Select(m => Escape(options.Label(m)))]);
        text.Append("\\midrule\n");
        for (int i = 0; i < summary.Methods.Count; i++)
            Row(text, [Escape(summary.Methods[i]), .. options.RowTexts(summary.Methods[i]).Select(Escape), .. cells[i].Select(Cell)]);
        text.Append("\\bottomrule\n\\end{tabular}\n");
        return text.ToString();
    }

    static string Cell(TableCell cell)
    {
        if (cell.IsMissing) return "--";
        string mean = cell.IsLeading ? $"\\textbf{{{cell.Mean}}}" : cell.Mean!;
        return $"{mean} $\\pm$ {cell.Std ?? "--"}";
    }

    static void Row(StringBuilder text, IEnumerable<string> cells) => text.AppendJoin(" & ", cells).Append(" \\\\\n");

    /// <summary>The ten characters LaTeX treats specially, so method names like <c>ddpm_t250</c> print as written.</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
            escaped.Append(c switch
            {
                '\\' => "\\textbackslash{}",
                '&' or '%' or '$' or '#' or '_' or '{' or '}' => "\\" + c,
                '~' => "\\textasciitilde{}",
                '^' => "\\textasciicircum{}",
                _ => c.ToString(),
            });
        return escaped.ToString();
    }
}
