using MedAnomaly.Networks;

namespace MedAnomaly.Methods;

/// <summary>The part of a diffusion detector's config that <see cref="DiffusionDetector{TConfig, TObjective}"/> reads.</summary>
public interface IDiffusionConfig
{
    /// <summary>The time-conditioned network.</summary>
    UNet2dConfig Network { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    void Validate();
}
