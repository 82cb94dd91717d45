using System.Text;

namespace MedAnomaly.Experiments;

/// <summary>The method × metric table as CSV (RFC 4180, invariant culture): a <c>method</c> column, the row columns
/// (<see cref="TableOptions.RowColumns"/>, headers in lower case with '_' for spaces), then
/// <c>METRIC_mean</c>, <c>METRIC_std</c> and <c>METRIC_n</c> for each metric. A missing value or std is an empty
/// field, never zero; n is the number of seeds with a value.</summary>
public static class CsvTable
{
    public static string Write(SeedSummary summary, TableOptions? options = null)
    {
        options ??= TableOptions.Default;
        var cells = TableCells.Build(summary, options with { MarkBest = false });
        var text = new StringBuilder();
        Row(text, ["method", .. options.RowColumns.Select(c => c.Header.ToLowerInvariant().Replace(' ', '_')), .. summary.Metrics.SelectMany(m => new[] { m + "_mean", m + "_std", m + "_n" })]);
        for (int i = 0; i < summary.Methods.Count; i++)
            Row(text, [summary.Methods[i], .. options.RowTexts(summary.Methods[i]), .. cells[i].SelectMany(c => new[] { c.Mean ?? "", c.Std ?? "", c.Seeds.ToString() })]);
        return text.ToString();
    }

    static void Row(StringBuilder text, IEnumerable<string> fields) => text.AppendJoin(',', fields.Select(Quote)).Append("\r\n");

    /// <summary>Fields with a comma, quote or line break are quoted, with quotes doubled.</summary>
    static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\r', '\n']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
