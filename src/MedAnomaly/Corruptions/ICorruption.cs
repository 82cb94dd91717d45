using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>
/// A corruption of clean images used to train restoration/denoising models (DAE coarse noise, DISYRE's
/// synthetic anomalies, simplex noise). Methods receive one; they never build it inside themselves.
/// </summary>
public interface ICorruption
{
    /// <summary>A short name for tables and registries, e.g. "coarse-noise".</summary>
    string Name { get; }

    /// <param name="clean">[N,C,H,W] images in [0,1].</param>
    /// <param name="t">Optional per-image severity/timestep [N]; corruptions without one ignore it.</param>
    /// <param name="rng">All randomness comes from here (a CPU generator): the same seed gives the same corruption.</param>
    /// <returns>The corrupted images, the mask of where they may differ and the per-image severity.</returns>
    CorruptionResult Apply(Tensor clean, Tensor? t, Generator rng);
}

/// <summary>
/// What a corruption made. <paramref name="Corrupted"/> [N,C,H,W]; <paramref name="Mask"/> [N,1,H,W] in [0,1]
/// (1 = changed; soft where the corruption fades out; pixels where it is 0 are left bit-identical);
/// <paramref name="Severity"/> [N] float32 in [0,1] (DISYRE's α, which it maps to a timestep; corruptions of a
/// fixed strength report 1). Disposing it disposes the three tensors.
/// </summary>
public sealed record CorruptionResult(Tensor Corrupted, Tensor Mask, Tensor Severity) : IDisposable
{
    /// <summary>Moves the three tensors to the enclosing dispose scope (call inside a library function's scope).</summary>
    public CorruptionResult MoveToOuterDisposeScope() =>
        new(Corrupted.MoveToOuterDisposeScope(), Mask.MoveToOuterDisposeScope(), Severity.MoveToOuterDisposeScope());

    public void Dispose()
    {
        Corrupted.Dispose();
        Mask.Dispose();
        Severity.Dispose();
    }
}
