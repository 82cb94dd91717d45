using System.Globalization;
using System.Text.RegularExpressions;
using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

/// <summary>A table cell read back from text: mean and std (null where the table shows a dash) and bold or not.</summary>
public sealed record ParsedCell(double? Mean, double? Std, bool Bold);

/// <summary>Checks parsed tables against the summary they were written from.</summary>
public static class TableParsing
{
    public static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    /// <summary>Each cell must show the stored mean and std rounded to <paramref name="decimals"/>, or a dash where
    /// they are missing.</summary>
    public static void AssertMatches(SeedSummary summary, IReadOnlyList<string> methods, IReadOnlyList<IReadOnlyList<ParsedCell>> rows, int decimals = 3)
    {
        Assert.Equal(summary.Methods, methods);
        for (int i = 0; i < summary.Methods.Count; i++)
            for (int j = 0; j < summary.Metrics.Count; j++)
            {
                var stat = summary.Get(summary.Methods[i], summary.Metrics[j]);
                var cell = rows[i][j];
                Assert.Equal(stat is null ? null : Math.Round(stat.Value.Mean, decimals), cell.Mean);
                Assert.Equal(stat is { } s && !double.IsNaN(s.Std) ? Math.Round(s.Std, decimals) : null, cell.Std);
            }
    }

    public static ParsedCell Parse(string text, Regex pattern, string dash)
    {
        if (text == dash) return new ParsedCell(null, null, false);
        var match = pattern.Match(text);
        Assert.True(match.Success, $"cell '{text}' does not look like 'mean ± std'");
        return new ParsedCell(Number(match.Groups["mean"].Value), Number(match.Groups["std"].Value), match.Groups["bold"].Success);
    }
}
