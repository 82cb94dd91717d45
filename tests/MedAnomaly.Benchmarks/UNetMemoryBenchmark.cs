namespace MedAnomaly.Benchmarks;

/// <summary>
/// The resident-set check of the <c>unet</c> benchmark on its own: the same C# training loop (reference UNet, AdamW,
/// 1×64×64) without the PyTorch comparison, at batch 4 rather than 16 so that 2,000 steps fit in about a quarter of the
/// time. The loop allocates and frees the same tensors every step whatever the batch, so a leak or fragmentation shows
/// as growth here too; the absolute RSS is smaller than at batch 16. Target: growth between steps 200 and 2,000 ≤ 2 %.
/// </summary>
public sealed class UNetMemoryBenchmark : IBenchmark
{
    public string Name => "unet-memory";
    public string Description => "RSS growth 200 → 2,000 steps of the unet benchmark's C# loop alone, batch 4 (≤ 2 %)";

    public void Run(bool quick)
    {
        const int batch = 4;
        Console.WriteLine($"batch {batch}, host-memory policy {(MedAnomaly.Runtime.HostMemory.PolicyApplied ? "on" : "off (MEDANOMALY_MALLOC=system)")}");
        using var training = new UNetTrainingBenchmark.CSharpTraining(batch);
        UNetTrainingBenchmark.MeasureResidentGrowth(training, quick ? 20 : 200, quick ? 60 : 2000);
    }
}
