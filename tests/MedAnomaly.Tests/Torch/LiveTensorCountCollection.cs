namespace MedAnomaly.Tests.Torch;

/// <summary>
/// Tests that compare <c>torch.LiveTensorCount</c> before and after run alone (the count is process-wide, so a
/// test running in parallel would change it).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveTensorCountCollection
{
    public const string Name = "LiveTensorCount";

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
