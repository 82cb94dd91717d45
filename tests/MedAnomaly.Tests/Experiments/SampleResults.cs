using MedAnomaly.Experiments;
using Microsoft.Data.Analysis;

namespace MedAnomaly.Tests.Experiments;

/// <summary>A small comparison with every case a table must handle. Expected statistics were printed by
/// /usr/bin/python3 (statistics.mean / statistics.stdev, the n − 1 sample std; numpy std(ddof=1) agrees):
///   ae   pixel_auroc 0.91 0.87 0.89 → 0.89, 0.020000000000000018
///   ae   pixel_ap    0.41 0.45 0.40 → 0.42, 0.026457513110645908
///   vae  pixel_auroc 0.80 0.86      → 0.8300000000000001, 0.04242640687119281
///   vae  pixel_ap    0.30 (seed 1 NaN) → 0.30, std undefined (n = 1)
///   ddpm pixel_auroc 0.95 (one seed)   → 0.95, std undefined; ddpm has no pixel_ap at all → missing.</summary>
public static class SampleResults
{
    public const double AeAurocMean = 0.89, AeAurocStd = 0.020000000000000018;
    public const double AeApMean = 0.42, AeApStd = 0.026457513110645908;
    public const double VaeAurocMean = 0.8300000000000001, VaeAurocStd = 0.04242640687119281;

    public static List<ResultRow> Rows(string dataset = "phantom", string split = "test") =>
    [
        new(1, "ae", dataset, 0, split, "pixel_auroc", 0.91),
        new(1, "ae", dataset, 0, split, "pixel_ap", 0.41),
        new(2, "ae", dataset, 1, split, "pixel_auroc", 0.87),
        new(2, "ae", dataset, 1, split, "pixel_ap", 0.45),
        new(3, "ae", dataset, 2, split, "pixel_auroc", 0.89),
        new(3, "ae", dataset, 2, split, "pixel_ap", 0.40),
        new(4, "vae", dataset, 0, split, "pixel_auroc", 0.80),
        new(4, "vae", dataset, 0, split, "pixel_ap", 0.30),
        new(5, "vae", dataset, 1, split, "pixel_auroc", 0.86),
        new(5, "vae", dataset, 1, split, "pixel_ap", null),
        new(6, "ddpm", dataset, 0, split, "pixel_auroc", 0.95),
    ];

    public static DataFrame Frame() => ResultsFrame.Create(Rows());

    public static SeedSummary Summary() => SeedStatistics.Summarize(Frame());
}
