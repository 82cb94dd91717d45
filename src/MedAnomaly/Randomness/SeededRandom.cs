namespace MedAnomaly.Randomness;

/// <summary>
/// A small deterministic PRNG (xoshiro256**, Blackman &amp; Vigna 2018) seeded through SplitMix64.
/// Used instead of <see cref="System.Random"/> so that generated data (the phantom, shuffling) stays
/// bit-identical across .NET versions. Not thread-safe: give each worker its own instance
/// (see <see cref="Derive"/>).
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareGaussian;

    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x); _s1 = SplitMix64(ref x); _s2 = SplitMix64(ref x); _s3 = SplitMix64(ref x);
    }

    /// <summary>A seed for stream <paramref name="index"/> of master seed <paramref name="seed"/>, so that
    /// item i of a parallel job gets the same numbers whatever thread runs it.</summary>
    public static ulong Derive(ulong seed, ulong index)
    {
        ulong x = seed ^ (0x9E3779B97F4A7C15UL * (index + 1));
        SplitMix64(ref x);
        return SplitMix64(ref x);
    }

    /// <summary>One <see cref="Randomness.SplitMix64"/> step: advances <paramref name="x"/> and returns a mixed value.</summary>
    public static ulong SplitMix64(ref ulong x) => Randomness.SplitMix64.Mix(x += Randomness.SplitMix64.Gamma);

    /// <summary>Next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "expected a positive bound");
        return (int)((NextUInt64() >> 33) * (ulong)n >> 31);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal sample (Marsaglia polar method; the second value is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_spareGaussian is double spare) { _spareGaussian = null; return spare; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * f;
        return u * f;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
