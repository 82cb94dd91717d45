using MedAnomaly.Runtime;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// The resident set of the <c>unet</c> benchmark's C# training loop (reference UNet, AdamW, 1×64×64) over 2,000 steps,
/// without the PyTorch comparison, at batch 4 rather than 16 so that the 2,000 steps take about 7 quiet minutes, not 25.
/// The loop allocates and frees the same tensors every step whatever the batch, so a leak or fragmentation shows as
/// growth here too; the absolute RSS is smaller than at batch 16. Target: growth between steps 200 and 2,000 ≤ 2 %.
/// </summary>
public sealed class UNetMemoryBenchmark : IBenchmark
{
    public string Name => "unet-memory";
    public string Description => "RSS growth 200 → 2,000 steps of the unet benchmark's C# loop alone, batch 4 (≤ 2 %)";

    public void Run(bool quick)
    {
        const int batch = 4;
        Console.WriteLine($"batch {batch}, host-memory policy {(HostMemory.PolicyApplied ? "on" : "off (MEDANOMALY_MALLOC=system)")}");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        HostMemory.Release(); // start from a trimmed heap: under `all`, earlier benchmarks' freed memory would shrink away
        using var training = new UNetTrainingBenchmark.CSharpTraining(batch);
        MeasureResidentGrowth(training, quick ? 20 : 200, quick ? 60 : 2000);
    }

    static void MeasureResidentGrowth(UNetTrainingBenchmark.CSharpTraining training, int rssEarly, int rssLate)
    {
        double early = 0;
        for (int step = training.Steps + 1; step <= rssLate; step++)
        {
            training.Step();
            if (step == rssEarly) early = ProcessMemory.RssMegabytes();
        }
        double late = ProcessMemory.RssMegabytes();
        Console.WriteLine($"RSS after {rssEarly} steps {early:F1} MB, after {rssLate} steps {late:F1} MB: " +
                          $"growth {(late / early - 1) * 100:F2} %   (target ≤ 2 %; {GC.CollectionCount(0)} gen-0 GCs)");
    }
}
