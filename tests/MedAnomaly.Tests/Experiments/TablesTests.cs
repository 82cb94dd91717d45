using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public sealed class TablesTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("results.md")]
    [InlineData("results.tex")]
    [InlineData("results.html")]
    [InlineData("results.CSV")]
    public void WritesTheFormatItsExtensionNames(string name)
    {
        var summary = SampleResults.Summary();
        string path = Path.Combine(temp.Path, "tables", name);   // the folder is created
        Tables.Write(path, summary);
        Assert.Equal(Tables.Format(Path.GetExtension(name), summary), File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
    }

    [Fact]
    public void RejectsAnUnknownExtension()
    {
        string path = temp.File("results.xlsx");
        var error = Assert.Throws<ArgumentException>(() => Tables.Write(path, SampleResults.Summary()));
        Assert.Contains("'.xlsx'", error.Message);
        Assert.Contains(".md, .tex, .html, .htm or .csv", error.Message);
        Assert.False(File.Exists(path));
    }

    /// <summary>A row column (comparisons' "Supervision") sits between the method and the metrics in every format, with each
    /// method's own text, so rows of different supervision are never read as one family.</summary>
    [Fact]
    public void RowColumnsFollowTheMethodInEveryFormat()
    {
        var options = TableOptions.Default with
        {
            RowColumns = [new RowColumn("Supervision", new Dictionary<string, string> { ["ae"] = "none", ["ddpm"] = "image labels" })],
        };
        var summary = SampleResults.Summary();
        var markdown = Tables.Format("md", summary, options).Split('\n');
        Assert.StartsWith("| Method | Supervision | pixel_auroc |", markdown[0]);
        Assert.StartsWith("| :-- | :-- | --: |", markdown[1]);
        Assert.StartsWith("| ae | none | 0.890 ± 0.020 |", markdown[2]);
        Assert.StartsWith("| vae |  | ", markdown[3]);
        Assert.StartsWith("| ddpm | image labels | **0.950 ± –** |", markdown[4]);
        Assert.Contains("\\begin{tabular}{llrr}", Tables.Format("tex", summary, options));
        Assert.Contains("ddpm & image labels & \\textbf{0.950}", Tables.Format("tex", summary, options));
        Assert.Contains("<th scope=\"row\">ddpm</th><td>image labels</td>", Tables.Format("html", summary, options));
        var csv = Tables.Format("csv", summary, options).Split("\r\n");
        Assert.StartsWith("method,supervision,pixel_auroc_mean", csv[0]);
        Assert.StartsWith("ddpm,image labels,0.950", csv[3]);
    }
}
