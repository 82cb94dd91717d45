namespace MedAnomaly.Diffusion;

/// <summary>What the network predicts from (x_t, t) (diffusers' prediction_type).</summary>
public enum Prediction
{
    /// <summary>The noise ε that made x_t (Ho et al. 2020, eq. 14's ε_θ).</summary>
    Epsilon,
    /// <summary>The clean image x₀ itself (diffusers' "sample"; DISYRE's restoration network).</summary>
    Sample,
}
