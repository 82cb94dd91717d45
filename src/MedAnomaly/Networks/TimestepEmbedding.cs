using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Networks;

/// <summary>
/// Sinusoidal timestep embedding (Vaswani et al. 2017, §3.5; used by Ho et al. 2020's DDPM UNet):
/// emb[i] = sin(t·ω_i) for i &lt; d/2 and cos(t·ω_i) after, ω_i = 10000^(−i/(d/2)).
/// </summary>
public static class TimestepEmbedding
{
    /// <param name="timesteps">[N] integer or float timesteps.</param>
    /// <returns>[N, dim] float32.</returns>
    public static Tensor Sinusoidal(Tensor timesteps, long dim)
    {
        if (dim % 2 != 0) throw new ArgumentException($"embedding dimension must be even, got {dim}");
        using var scope = torch.NewDisposeScope();
        long half = dim / 2;
        var exponent = torch.arange(0, half, dtype: ScalarType.Float32, device: timesteps.device) * (-Math.Log(10000.0) / half);
        var angles = timesteps.to(ScalarType.Float32).unsqueeze(1) * exponent.exp().unsqueeze(0);
        return torch.cat([angles.sin(), angles.cos()], dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// diffusers' <c>get_timestep_embedding</c> (models/embeddings.py, v0.27.2), operation for operation:
    /// ω_i = exp(−ln(10000)·i / (d/2 − <paramref name="downscaleFreqShift"/>)), [sin(t·ω), cos(t·ω)], swapped to
    /// [cos, sin] when <paramref name="flipSinToCos"/>; an odd <paramref name="dim"/> gets a last column of zeros.
    /// </summary>
    /// <param name="timesteps">[N] integer or float timesteps.</param>
    /// <returns>[N, dim] float32.</returns>
    public static Tensor Diffusers(Tensor timesteps, long dim, bool flipSinToCos, double downscaleFreqShift)
    {
        if (timesteps.ndim != 1) throw new ArgumentException($"timesteps must be 1-D [N], got [{string.Join(", ", timesteps.shape)}]");
        using var scope = torch.NewDisposeScope();
        long half = dim / 2;
        var exponent = torch.arange(0, half, dtype: ScalarType.Float32, device: timesteps.device) * -Math.Log(10000.0);
        exponent = exponent / (half - downscaleFreqShift);
        var angles = timesteps.to(ScalarType.Float32).unsqueeze(1) * exponent.exp().unsqueeze(0);
        var emb = flipSinToCos ? torch.cat([angles.cos(), angles.sin()], dim: 1) : torch.cat([angles.sin(), angles.cos()], dim: 1);
        if (dim % 2 == 1) emb = F.pad(emb, [0, 1, 0, 0]);
        return emb.MoveToOuterDisposeScope();
    }
}
