using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MedAnomaly.Networks;

/// <summary>Normalisation layers initialised as PyTorch initialises them.</summary>
public static class Normalization
{
    /// <summary>
    /// <c>nn.GroupNorm(groups, channels)</c> with weight = 1 and bias = 0 (PyTorch's <c>reset_parameters</c>).
    /// TorchSharp 0.107's GroupNorm leaves its affine parameters uninitialised (measured here: weights of
    /// ±1e20 or 0, so every forward pass gave NaN); always make GroupNorm layers through this function.
    /// </summary>
    public static GroupNorm GroupNorm(int groups, int channels)
    {
        if (groups <= 0 || channels % groups != 0)
            throw new ArgumentException($"GroupNorm: {groups} groups must divide the {channels} channels");
        var norm = nn.GroupNorm(groups, channels);
        using var noGrad = torch.no_grad();
        nn.init.ones_(norm.weight!);
        nn.init.zeros_(norm.bias!);
        return norm;
    }
}
