using MedAnomaly.Viz;

namespace MedAnomaly.Tests.Viz;

public class PlotlyScriptTests
{
    [Fact]
    public void LoadsTheBundledPlotlyJs()
    {
        Assert.Equal("2.28.0", PlotlyScript.Version);   // what Plotly.NET 6.0.0 embeds
        Assert.StartsWith("/**\n* plotly.js v2.28.0", PlotlyScript.Source);
        Assert.True(PlotlyScript.Source.Length > 1_000_000);
        Assert.Contains("define.amd", PlotlyScript.Source); // the UMD wrapper HtmlReport guards against
    }
}
