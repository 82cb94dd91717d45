using MedAnomaly.Experiments;
using MedAnomaly.Runtime;
using MedAnomaly.Tests.Notebooks;

namespace MedAnomaly.Tests.Experiments;

/// <summary>README's preset table is what <c>medanomaly presets</c> prints from the code: a preset changed without README
/// (or README edited by hand) fails here.</summary>
public class ReadmePresetTableTests
{
    const string Begin = "<!-- presets: medanomaly presets -->", End = "<!-- /presets -->";

    [Fact]
    public void Readme_shows_the_presets_the_code_defines()
    {
        TorchNative.EnsureLoaded();
        string readme = File.ReadAllText(Path.Combine(NotebookRun.RepositoryRoot, "README.md")).ReplaceLineEndings("\n");
        int start = readme.IndexOf(Begin, StringComparison.Ordinal), end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md has no table between {Begin} and {End}");
        string shown = readme[(start + Begin.Length)..end].Trim('\n');
        Assert.Equal(PresetTable.Markdown().TrimEnd('\n'), shown);
    }
}
