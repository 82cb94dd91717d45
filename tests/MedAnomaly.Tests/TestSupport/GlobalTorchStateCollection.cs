namespace MedAnomaly.Tests.TestSupport;

/// <summary>
/// Tests that depend on process-wide state — resident memory, the default generator seeded by
/// torch.manual_seed — run alone, after the parallel tests, so no other test disturbs them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchStateCollection
{
    public const string Name = "global torch state";

    /// <summary>Finalises garbage left by earlier tests so that it is not freed in the middle of a measurement.</summary>
    public static void Settle()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
