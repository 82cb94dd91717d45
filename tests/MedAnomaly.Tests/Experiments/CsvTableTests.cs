using System.Globalization;
using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

public class CsvTableTests
{
    [Fact]
    public void WritesInvariantNumbersAndEmptyFieldsForMissing()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // a comma decimal separator must not leak in
        try
        {
            var lines = CsvTable.Write(SampleResults.Summary()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(
            [
                "method,pixel_auroc_mean,pixel_auroc_std,pixel_auroc_n,pixel_ap_mean,pixel_ap_std,pixel_ap_n",
                "ae,0.890,0.020,3,0.420,0.026,3",
                "vae,0.830,0.042,2,0.300,,1",
                "ddpm,0.950,,1,,,0",
            ], lines);
        }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    [Fact]
    public void QuotesFieldsWithCommasAndQuotes()
    {
        var rows = SampleResults.Rows().Select(r => r.Method == "ae" ? r with { Method = "ae, \"small\"" } : r);
        string csv = CsvTable.Write(SeedStatistics.Summarize(ResultsFrame.Create(rows)));
        Assert.Contains("\r\n\"ae, \"\"small\"\"\",0.890,", csv);
    }
}
