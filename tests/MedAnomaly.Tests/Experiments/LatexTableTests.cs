using System.Text.RegularExpressions;
using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class LatexTableTests
{
    static readonly Regex CellPattern = new(@"^(?<bold>\\textbf\{)?(?<mean>-?\d+\.\d+)\}? \$\\pm\$ (?<std>--|-?\d+\.\d+)$");

    [Fact]
    public void WritesABooktabsTabularThatParsesBack()
    {
        var summary = SampleResults.Summary();
        var lines = LatexTable.Write(summary).TrimEnd('\n').Split('\n');
        Assert.Equal("\\begin{tabular}{lrr}", lines[1]);
        Assert.Equal(["\\toprule", "\\midrule", "\\bottomrule", "\\end{tabular}"], lines.Where(l => l.StartsWith("\\") && !l.StartsWith("\\begin")).ToArray());
        int mid = Array.IndexOf(lines, "\\midrule"), bottom = Array.IndexOf(lines, "\\bottomrule");
        Assert.Equal("Method & pixel\\_auroc & pixel\\_ap \\\\", lines[mid - 1]);
        var rows = lines[(mid + 1)..bottom].Select(l =>
        {
            Assert.EndsWith(" \\\\", l);
            return l[..^3].Split(" & ");
        }).ToList();
        var parsed = rows.Select(r => (IReadOnlyList<ParsedCell>)r.Skip(1).Select(c => TableParsing.Parse(c, CellPattern, "--")).ToList()).ToList();
        TableParsing.AssertMatches(summary, rows.Select(r => r[0]).ToList(), parsed);
        Assert.Equal([false, true], parsed[0].Select(c => c.Bold));   // ae: best pixel_ap
        Assert.Equal([true, false], parsed[2].Select(c => c.Bold));   // ddpm: best pixel_auroc
        Assert.Equal("\\textbf{0.420} $\\pm$ 0.026", rows[0][2]);
    }

    [Fact]
    public void EscapesLatexSpecialCharacters()
    {
        Assert.Equal(@"ddpm\_t250 \& 50\% \$x\$ \#1 \{a\} \textasciitilde{}\textasciicircum{}\textbackslash{}", LatexTable.Escape(@"ddpm_t250 & 50% $x$ #1 {a} ~^\"));
    }
}
