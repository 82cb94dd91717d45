namespace MedAnomaly.Torch;

/// <summary>Element types, numbered as c10::ScalarType so they cross the native boundary unchanged.</summary>
public enum ScalarType
{
    Byte = 0,      // uint8
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

public static class ScalarTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unsupported dtype"),
    };

    public static bool IsFloatingPoint(this ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>The dtype for a .NET element type (float → Float32, Half → Float16, ...).</summary>
    public static ScalarType Of<T>() where T : unmanaged => typeof(T) switch
    {
        var t when t == typeof(float) => ScalarType.Float32,
        var t when t == typeof(double) => ScalarType.Float64,
        var t when t == typeof(Half) => ScalarType.Float16,
        var t when t == typeof(long) => ScalarType.Int64,
        var t when t == typeof(int) => ScalarType.Int32,
        var t when t == typeof(short) => ScalarType.Int16,
        var t when t == typeof(sbyte) => ScalarType.Int8,
        var t when t == typeof(byte) => ScalarType.Byte,
        var t when t == typeof(bool) => ScalarType.Bool,
        var t when t == typeof(BFloat16) => ScalarType.BFloat16,
        _ => throw new NotSupportedException($"no tensor dtype for .NET type {typeof(T).Name}"),
    };

    /// <summary>PyTorch's name, e.g. "float32".</summary>
    public static string TorchName(this ScalarType t) => t switch
    {
        ScalarType.Byte => "uint8", ScalarType.Int8 => "int8", ScalarType.Int16 => "int16",
        ScalarType.Int32 => "int32", ScalarType.Int64 => "int64", ScalarType.Float16 => "float16",
        ScalarType.Float32 => "float32", ScalarType.Float64 => "float64", ScalarType.Bool => "bool",
        ScalarType.BFloat16 => "bfloat16", _ => t.ToString(),
    };
}

/// <summary>A bfloat16 value as stored (the upper 16 bits of a float32); for spans over bfloat16 tensors.</summary>
public readonly struct BFloat16
{
    public readonly ushort Bits;
    public BFloat16(ushort bits) => Bits = bits;
    public static explicit operator float(BFloat16 v) => BitConverter.Int32BitsToSingle(v.Bits << 16);
    /// <summary>Round-to-nearest-even, as libtorch converts.</summary>
    public static explicit operator BFloat16(float f)
    {
        if (float.IsNaN(f)) return new BFloat16(0x7FC0);
        uint bits = (uint)BitConverter.SingleToInt32Bits(f);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return new BFloat16((ushort)((bits + rounding) >> 16));
    }
    public override string ToString() => ((float)this).ToString();
}
