namespace MedAnomaly.Tests.Torch;

/// <summary>
/// Tests that depend on process-wide libtorch state — the live-tensor count, the default generator seeded by
/// torch.manual_seed — run alone, after the parallel tests, so no other test disturbs them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchStateCollection
{
    public const string Name = "global torch state";

    /// <summary>Finalises garbage left by earlier tests so that it is not freed in the middle of a count.</summary>
    public static long SettledCount()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        return MedAnomaly.Torch.torch.LiveTensorCount;
    }
}
