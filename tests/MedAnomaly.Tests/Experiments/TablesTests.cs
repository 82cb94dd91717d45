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
}
