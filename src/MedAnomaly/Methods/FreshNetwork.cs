using MedAnomaly.Training;
using TorchSharp;

namespace MedAnomaly.Methods;

/// <summary>How every detector's <c>Fit</c> starts: from a network initialised under <c>torch.manual_seed(options.Seed)</c>,
/// so that a fit is reproducible whatever ran before it, or from the current one when resuming (the trainer loads the
/// checkpoint's weights into it).</summary>
static class FreshNetwork
{
    /// <summary><paramref name="current"/> when <see cref="TrainingOptions.CheckpointPath"/> exists; otherwise
    /// <paramref name="current"/> is disposed and <paramref name="create"/> builds its replacement under the seed.</summary>
    public static TNetwork ForFit<TNetwork>(TNetwork current, TrainingOptions options, Func<TNetwork> create) where TNetwork : IDisposable
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CheckpointPath is not null && File.Exists(options.CheckpointPath)) return current;
        current.Dispose();
        torch.manual_seed((long)options.Seed);
        return create();
    }
}
