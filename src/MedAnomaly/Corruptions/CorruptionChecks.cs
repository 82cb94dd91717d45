using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>Input checks shared by the synthetic-anomaly corruptions, with messages naming what was expected.</summary>
static class CorruptionChecks
{
    /// <summary>[N,C,H,W] floating images with values in [0,1].</summary>
    public static void Images(Tensor clean, string who)
    {
        if (clean.ndim != 4 || clean.size(0) < 1)
            throw new ArgumentException($"{who} expects images as [N,C,H,W] with N ≥ 1, got [{string.Join(", ", clean.shape)}]");
        if (!clean.is_floating_point()) throw new ArgumentException($"{who} expects floating-point images, got {clean.dtype}");
        using var scope = torch.NewDisposeScope();
        double min = clean.min().to(ScalarType.Float64).item<double>(), max = clean.max().to(ScalarType.Float64).item<double>();
        if (!(min >= 0 && max <= 1)) throw new ArgumentException($"{who} expects intensities in [0,1], got [{min}, {max}]");
    }

    /// <summary>The given severities t [N] in [0,1] as doubles, or null when t is null.</summary>
    public static double[]? Severities(Tensor? t, long n, string who)
    {
        if (t is null) return null;
        if (t.ndim != 1 || t.size(0) != n) throw new ArgumentException($"{who} expects t as severities [N] = [{n}], got [{string.Join(", ", t.shape)}]");
        var values = t.to(ScalarType.Float64).cpu().data<double>().ToArray();
        if (values.Any(v => !(v >= 0 && v <= 1))) throw new ArgumentException($"{who} expects severities t in [0,1], got [{string.Join(", ", values)}]");
        return values;
    }
}
