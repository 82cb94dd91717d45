using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Corruptions;

/// <summary>
/// Scalar random draws from a torch <see cref="Generator"/> (one float64 uniform per draw), so every choice a
/// corruption makes — sizes, positions, probabilities — comes from the caller's generator and a seed repeats it.
/// </summary>
public static class Draw
{
    /// <summary>Uniform in [0, 1).</summary>
    public static double Unit(Generator rng)
    {
        using var u = torch.rand(1, ScalarType.Float64, generator: rng);
        return u.item<double>();
    }

    /// <summary>Uniform in [lo, hi).</summary>
    public static double Uniform(Generator rng, double lo, double hi) => lo + (hi - lo) * Unit(rng);

    /// <summary>Uniform integer in [lo, hi], both ends included (Python's random.randint).</summary>
    public static int Integer(Generator rng, int lo, int hi)
    {
        if (hi < lo) throw new ArgumentOutOfRangeException(nameof(hi), $"expected hi ≥ lo, got [{lo}, {hi}]");
        return Math.Min(hi, lo + (int)Math.Floor(Unit(rng) * (hi - lo + 1)));
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Chance(Generator rng, double p) => Unit(rng) < p;

    /// <summary>Index i with probability weights[i] / Σ weights.</summary>
    public static int Categorical(Generator rng, IReadOnlyList<double> weights)
    {
        double total = weights.Sum();
        if (!(total > 0) || weights.Any(w => w < 0)) throw new ArgumentException($"expected non-negative weights with a positive sum, got [{string.Join(", ", weights)}]");
        double u = Unit(rng) * total, cumulative = 0;
        int last = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            if (weights[i] == 0) continue;
            if (u < (cumulative += weights[i])) return i;
            last = i;
        }
        return last; // only when rounding leaves u ≥ the accumulated total

    }
}
