using System.Text.Json;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Viz;
using Plotly.NET;

namespace MedAnomaly.Tests.Viz;

public class ChartsTests
{
    static JsonElement Figure(GenericChart chart) => JsonDocument.Parse(GenericChart.toJson(chart)).RootElement;

    static double[] Numbers(JsonElement array) =>
        array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!) : e.GetDouble()).ToArray();

    [Fact]
    public void BarsShowMeansWithStdErrorBarsPerMethod()
    {
        var figure = Figure(Charts.MeanStdBars(SampleResults.Summary()));
        var traces = figure.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["ae", "vae", "ddpm"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal("bar", t.GetProperty("type").GetString()));
        Assert.Equal("group", figure.GetProperty("layout").GetProperty("barmode").GetString());

        var ae = traces[0];
        Assert.Equal(["pixel_auroc", "pixel_ap"], ae.GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([SampleResults.AeAurocMean, SampleResults.AeApMean], Numbers(ae.GetProperty("y")), new ToleranceComparer(1e-12));
        Assert.Equal([SampleResults.AeAurocStd, SampleResults.AeApStd], Numbers(ae.GetProperty("error_y").GetProperty("array")), new ToleranceComparer(1e-12));

        var ddpm = traces[2];
        Assert.Equal(["pixel_auroc"], ddpm.GetProperty("x").EnumerateArray().Select(e => e.GetString())); // no bar for the missing pixel_ap
        Assert.True(double.IsNaN(Numbers(ddpm.GetProperty("error_y").GetProperty("array"))[0]));         // one seed: no error bar
    }

    [Fact]
    public void BoxesCarryEverySeedsValue()
    {
        var figure = Figure(Charts.SeedBoxes(SampleResults.Summary(), "Spread"));
        var traces = figure.GetProperty("data").EnumerateArray().ToList();
        Assert.All(traces, t => Assert.Equal(("box", "all"), (t.GetProperty("type").GetString(), t.GetProperty("boxpoints").GetString())));
        Assert.Equal("group", figure.GetProperty("layout").GetProperty("boxmode").GetString());
        Assert.Equal("Spread", figure.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
        var vae = traces[1];
        Assert.Equal(["pixel_auroc", "pixel_auroc", "pixel_ap"], vae.GetProperty("x").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([0.80, 0.86, 0.30], Numbers(vae.GetProperty("y")));
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
