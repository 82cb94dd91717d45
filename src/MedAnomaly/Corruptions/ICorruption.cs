using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>
/// A corruption of clean images used to train restoration/denoising models (DAE coarse noise, DISYRE's
/// synthetic anomalies, diffusion noise). Methods receive one; they never build it inside themselves.
/// </summary>
public interface ICorruption
{
    /// <summary>A short name for tables and registries, e.g. "coarse-noise".</summary>
    string Name { get; }

    /// <param name="clean">[N,C,H,W] images in [0,1].</param>
    /// <param name="t">Optional per-image severity/timestep [N]; corruptions without one ignore it.</param>
    /// <param name="rng">All randomness comes from here: the same seed gives the same corruption.</param>
    /// <returns>The corrupted images [N,C,H,W] and the mask [N,1,H,W] of where they were changed (1 = changed).</returns>
    (Tensor corrupted, Tensor mask) Apply(Tensor clean, Tensor? t, Generator rng);
}
