using System.Net;
using System.Text;

namespace MedAnomaly.Experiments;

/// <summary>The method × metric table as a plain HTML <c>&lt;table&gt;</c> (no scripts, no styles of its own):
/// "mean ± std" cells, each column's best in <c>&lt;strong&gt;</c>, "–" for a missing value or std.</summary>
public static class HtmlTable
{
    public static string Write(SeedSummary summary, TableOptions? options = null)
    {
        options ??= TableOptions.Default;
        var cells = TableCells.Build(summary, options);
        var html = new StringBuilder("<table class=\"medanomaly-results\">\n<thead>\n<tr>");
        html.Append("<th>").Append(Encode(options.MethodHeader)).Append("</th>");
        foreach (var column in options.RowColumns) html.Append("<th>").Append(Encode(column.Header)).Append("</th>");
        foreach (string metric in summary.Metrics) html.Append("<th>").Append(Encode(options.Label(metric))).Append("</th>");
        html.Append("</tr>\n</thead>\n<tbody>\n");
        for (int i = 0; i < summary.Methods.Count; i++)
        {
            html.Append("<tr><th scope=\"row\">").Append(Encode(summary.Methods[i])).Append("</th>");
            foreach (string text in options.RowTexts(summary.Methods[i])) html.Append("<td>").Append(Encode(text)).Append("</td>");
            foreach (var cell in cells[i]) html.Append("<td>").Append(Cell(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        return html.Append("</tbody>\n</table>\n").ToString();
    }

    static string Cell(TableCell cell)
    {
        if (cell.IsMissing) return "&ndash;";
        string text = $"{cell.Mean} &plusmn; {cell.Std ?? "&ndash;"}";
        return cell.IsLeading ? $"<strong>{text}</strong>" : text;
    }

    static string Encode(string text) => WebUtility.HtmlEncode(text);
}
