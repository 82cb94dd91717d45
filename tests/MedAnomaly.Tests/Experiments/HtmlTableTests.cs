using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class HtmlTableTests
{
    [Fact]
    public void WritesAPlainTableWithTheBestInStrong()
    {
        string html = HtmlTable.Write(SampleResults.Summary());
        Assert.StartsWith("<table class=\"medanomaly-results\">", html);
        Assert.Contains("<tr><th>Method</th><th>pixel_auroc</th><th>pixel_ap</th></tr>", html);
        Assert.Contains("<tr><th scope=\"row\">ae</th><td>0.890 &plusmn; 0.020</td><td><strong>0.420 &plusmn; 0.026</strong></td></tr>", html);
        Assert.Contains("<tr><th scope=\"row\">ddpm</th><td><strong>0.950 &plusmn; &ndash;</strong></td><td>&ndash;</td></tr>", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void EncodesNames()
    {
        var rows = SampleResults.Rows().Select(r => r.Method == "ae" ? r with { Method = "<b>ae</b>" } : r);
        string html = HtmlTable.Write(SeedStatistics.Summarize(ResultsFrame.Create(rows)));
        Assert.Contains("<th scope=\"row\">&lt;b&gt;ae&lt;/b&gt;</th>", html);
    }
}
