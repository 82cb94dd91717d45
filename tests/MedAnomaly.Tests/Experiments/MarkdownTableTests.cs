using System.Text.RegularExpressions;
using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class MarkdownTableTests
{
    static readonly Regex CellPattern = new(@"^(?<bold>\*\*)?(?<mean>-?\d+\.\d+) ± (?<std>–|-?\d+\.\d+)(\*\*)?$");

    static string[] Cells(string line) => line.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();

    [Fact]
    public void ParsesBackToTheStoredNumbers()
    {
        var summary = SampleResults.Summary();
        string markdown = MarkdownTable.Write(summary);
        var lines = markdown.TrimEnd('\n').Split('\n');
        Assert.Equal(2 + summary.Methods.Count, lines.Length);
        Assert.Equal(["Method", "pixel_auroc", "pixel_ap"], Cells(lines[0]));
        Assert.Equal([":--", "--:", "--:"], Cells(lines[1]));
        var rows = lines.Skip(2).Select(Cells).ToList();
        var parsed = rows.Select(r => (IReadOnlyList<ParsedCell>)r.Skip(1).Select(c => TableParsing.Parse(c, CellPattern, "–")).ToList()).ToList();
        TableParsing.AssertMatches(summary, rows.Select(r => r[0]).ToList(), parsed);
        Assert.Equal("0.890 ± 0.020", rows[0][1]);
        Assert.Equal("**0.420 ± 0.026**", rows[0][2]);     // best pixel_ap
        Assert.Equal("0.300 ± –", rows[1][2]);             // one seed: no std
        Assert.Equal("**0.950 ± –**", rows[2][1]);         // best pixel_auroc
        Assert.Equal("–", rows[2][2]);                     // never measured
    }

    [Fact]
    public void HonoursOptionsAndEscapesPipes()
    {
        var rows = SampleResults.Rows().Select(r => r.Method == "vae" ? r with { Method = "vae|β" } : r);
        var summary = SeedStatistics.Summarize(ResultsFrame.Create(rows));
        var options = new TableOptions { Decimals = 2, MethodHeader = "Model", MetricLabels = new Dictionary<string, string> { ["pixel_ap"] = "AP" } };
        string markdown = MarkdownTable.Write(summary, options);
        Assert.StartsWith("| Model | pixel_auroc | AP |\n", markdown);
        Assert.Contains("| vae\\|β | 0.83 ± 0.04 | 0.30 ± – |", markdown);
    }
}
