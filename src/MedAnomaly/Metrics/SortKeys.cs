namespace MedAnomaly.Metrics;

/// <summary>Order-preserving integer keys for floating-point scores, so scores can be radix-sorted and compared
/// as unsigned integers: a &lt; b (as numbers) ⇔ Key(a) &lt; Key(b). −0.0 is mapped to +0.0 first, so they tie
/// as they do in NumPy/scikit-learn. NaN is not ordered; callers reject it before sorting.</summary>
public static class SortKeys
{
    /// <summary>Key of a float: flip all bits of negatives, set the sign bit of non-negatives.</summary>
    public static uint FromFloat(float value)
    {
        uint bits = value == 0f ? 0u : BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>Inverse of <see cref="FromFloat"/>.</summary>
    public static float ToFloat(uint key) =>
        BitConverter.UInt32BitsToSingle((key & 0x8000_0000u) != 0 ? key & 0x7FFF_FFFFu : ~key);

    /// <summary>Key of a double (same construction on 64 bits).</summary>
    public static ulong FromDouble(double value)
    {
        ulong bits = value == 0d ? 0ul : BitConverter.DoubleToUInt64Bits(value);
        return (bits & 0x8000_0000_0000_0000ul) != 0 ? ~bits : bits | 0x8000_0000_0000_0000ul;
    }

    /// <summary>Inverse of <see cref="FromDouble"/>.</summary>
    public static double ToDouble(ulong key) =>
        BitConverter.UInt64BitsToDouble((key & 0x8000_0000_0000_0000ul) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFul : ~key);

    /// <summary>Keys of finite floats lie in [FromFloat(−MaxValue), FromFloat(MaxValue)]; anything outside is NaN or ±∞.</summary>
    public static readonly uint MinFiniteFloatKey = FromFloat(-float.MaxValue), MaxFiniteFloatKey = FromFloat(float.MaxValue);
}
