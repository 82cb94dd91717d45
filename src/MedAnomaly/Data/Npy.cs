using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MedAnomaly.Data;

/// <summary>Element types of a NumPy array that <see cref="Npy"/> reads and writes.</summary>
public enum NpyDType { Bool, UInt8, Int8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float32, Float64 }

/// <summary>An n-dimensional array read from or written to a .npy file.</summary>
/// <param name="Shape">Dimensions, outermost first (C / row-major order); empty for a 0-d scalar.</param>
/// <param name="DType">Element type.</param>
/// <param name="Data">A flat typed array (bool[], byte[], sbyte[], short[], ushort[], int[], uint[], long[],
/// ulong[], float[] or double[]) of Π(Shape) elements in C order (last index fastest), native byte order.</param>
public sealed record NpyArray(long[] Shape, NpyDType DType, Array Data)
{
    /// <summary>Number of elements, Π(Shape).</summary>
    public long Count => Data.LongLength;

    /// <summary>The elements converted to float32 (a copy), in C order.</summary>
    public float[] ToFloat32() => RawElements.ToFloat32(Data);

    /// <summary>The elements converted to float64 (a copy), in C order.</summary>
    public double[] ToFloat64() => RawElements.ToFloat64(Data);
}

/// <summary>
/// NumPy .npy codec (format described in numpy/lib/format.py). Reads versions 1.0, 2.0 and 3.0; writes 1.0
/// when the header fits in 65535 bytes, else 2.0. Dtypes: b1 (bool), u1, i1, i2, u2, i4, u4, i8, u8, f4, f8,
/// in either byte order ('&lt;', '&gt;', '|'); data is returned in native byte order.
/// Arrays stored with fortran_order=True are transposed on read into C order, so <see cref="NpyArray.Data"/>
/// is always row-major for the stated shape (the same values numpy's <c>np.load(f)[i, j, ...]</c> gives).
/// Corrupt or truncated files throw <see cref="InvalidDataException"/>; unknown dtypes
/// (complex, strings, objects, structured) throw <see cref="NotSupportedException"/>.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int HeaderAlignment = 64;

    /// <summary>Reads a .npy file.</summary>
    public static NpyArray Read(string path)
    {
        using var fs = File.OpenRead(path);
        try { return Read(fs); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads one .npy array from a stream (positioned at the magic string).</summary>
    public static NpyArray Read(Stream stream)
    {
        if (!stream.CanSeek) stream = RawElements.Buffer(stream, Array.MaxLength, "npy stream");
        var preamble = RawElements.ReadExactly(stream, 8, "npy preamble (magic + version)");
        if (!preamble.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException("not a .npy file: expected the magic string \\x93NUMPY at offset 0");
        int major = preamble[6];
        int headerLength = major switch
        {
            1 => BitConverter.ToUInt16(LittleEndian(RawElements.ReadExactly(stream, 2, "npy header length"))),
            2 or 3 => checked((int)Math.Min(BitConverter.ToUInt32(LittleEndian(RawElements.ReadExactly(stream, 4, "npy header length"))), int.MaxValue)),
            _ => throw new NotSupportedException($"npy format version {major}.{preamble[7]} is not supported (expected 1.0, 2.0 or 3.0)"),
        };
        var headerBytes = RawElements.ReadExactly(stream, headerLength, "npy header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(header);
        var (dtype, size, bigEndian) = ParseDescr(descr);

        long count = RawElements.CheckedCount(shape);
        if (count < 0 || count > Array.MaxLength || count * size > Array.MaxLength)
            throw new InvalidDataException($"npy shape ({string.Join(", ", shape)}) is not a valid array size");
        string what = $"npy data of shape ({string.Join(", ", shape)}) and dtype {descr}";
        bool native = size == 1 || bigEndian != BitConverter.IsLittleEndian;
        if (native && !(fortran && shape.Length > 1) && stream.CanSeek && dtype != NpyDType.Bool)
            return new NpyArray(shape, dtype, ReadNative(stream, dtype, count, what));   // straight into the array: no byte copy
        var raw = RawElements.ReadExactly(stream, count * size, what);
        if (fortran && shape.Length > 1) raw = FortranToC(raw, shape, size);
        return new NpyArray(shape, dtype, Decode(raw, dtype, bigEndian));
    }

    /// <summary>Writes <paramref name="data"/> (C order, Π(shape) elements) as a little-endian .npy file, atomically.
    /// T is one of bool, byte, sbyte, short, ushort, int, uint, long, ulong, float, double.
    /// An empty shape means a 1-D array of data.Length elements.</summary>
    public static void Write<T>(string path, T[] data, params long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [data.LongLength];
        var array = new NpyArray(shape, DTypeOf(typeof(T)), data);
        Write(path, array);
    }

    /// <summary>Writes an array as a little-endian .npy file, atomically (temp file then rename).</summary>
    public static void Write(string path, NpyArray array)
    {
        Validate(array);
        RawElements.WriteAtomically(path, s => Write(s, array));
    }

    /// <summary>Writes an array to a stream in .npy format (version 1.0, or 2.0 for a very long header).</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        Validate(array);
        string dict = $"{{'descr': '{DescrOf(array.DType)}', 'fortran_order': False, 'shape': {FormatShape(array.Shape)}, }}";
        bool v1 = dict.Length + 1 + 10 <= ushort.MaxValue;
        int prefix = v1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + HeaderAlignment - 1) / HeaderAlignment * HeaderAlignment;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        stream.Write(Magic);
        stream.Write(v1 ? [1, 0] : [2, 0]);
        if (v1) stream.Write(LittleEndian(BitConverter.GetBytes((ushort)header.Length)));
        else stream.Write(LittleEndian(BitConverter.GetBytes((uint)header.Length)));
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(Encode(array.Data));
    }

    private static void Validate(NpyArray array)
    {
        if (DTypeOf(array.Data.GetType().GetElementType()!) != array.DType)
            throw new ArgumentException($"npy: data of type {array.Data.GetType().Name} does not match dtype {array.DType}");
        long count = RawElements.CheckedCount(array.Shape);
        if (count != array.Data.LongLength)
            throw new ArgumentException($"npy: shape ({string.Join(", ", array.Shape)}) holds {count} elements but data has {array.Data.LongLength}");
    }

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header)
    {
        var descr = Regex.Match(header, @"['""]descr['""]\s*:\s*['""]([^'""]*)['""]");
        var fortran = Regex.Match(header, @"['""]fortran_order['""]\s*:\s*(True|False)");
        var shape = Regex.Match(header, @"['""]shape['""]\s*:\s*\(([^)]*)\)");
        if (!header.TrimStart().StartsWith('{') || !descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataException($"npy header is not a dict with 'descr', 'fortran_order' and 'shape': {Truncate(header)}");
        var dims = new List<long>();
        foreach (string part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string digits = part.TrimEnd('L');
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                throw new InvalidDataException($"npy header shape has a non-integer or negative dimension '{part}'");
            dims.Add(d);
        }
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dims.ToArray());
    }

    private static (NpyDType DType, int Size, bool BigEndian) ParseDescr(string descr)
    {
        if (descr.Length < 2) throw new NotSupportedException($"npy dtype '{descr}' is not supported");
        char order = descr[0];
        string kind = descr[1..];
        if (order is not ('<' or '>' or '|' or '=')) { order = '='; kind = descr; }
        NpyDType? dtype = kind switch
        {
            "b1" or "?" => NpyDType.Bool,
            "u1" => NpyDType.UInt8, "i1" => NpyDType.Int8,
            "i2" => NpyDType.Int16, "u2" => NpyDType.UInt16,
            "i4" => NpyDType.Int32, "u4" => NpyDType.UInt32,
            "i8" => NpyDType.Int64, "u8" => NpyDType.UInt64,
            "f4" => NpyDType.Float32, "f8" => NpyDType.Float64,
            _ => null,
        };
        if (dtype is null)
            throw new NotSupportedException($"npy dtype '{descr}' is not supported (expected b1, u1, i1, i2, u2, i4, u4, i8, u8, f4 or f8)");
        bool big = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        return (dtype.Value, SizeOf(dtype.Value), big);
    }

    /// <summary>Reorders raw elements stored column-major (first index fastest) into row-major order.</summary>
    private static byte[] FortranToC(byte[] raw, long[] shape, int size)
    {
        int n = shape.Length;
        var fortranStride = new long[n];
        long stride = 1;
        for (int k = 0; k < n; k++) { fortranStride[k] = stride; stride *= shape[k]; }
        var result = new byte[raw.Length];
        var index = new long[n];
        long source = 0;
        for (long c = 0; c < raw.Length / size; c++)
        {
            Array.Copy(raw, source * size, result, c * size, size);
            for (int k = n - 1; k >= 0; k--) // odometer over the C-order multi-index
            {
                index[k]++; source += fortranStride[k];
                if (index[k] < shape[k]) break;
                source -= index[k] * fortranStride[k]; index[k] = 0;
            }
        }
        return result;
    }

    /// <summary>C-order data in this machine's byte order, read into its typed array directly.</summary>
    private static Array ReadNative(Stream stream, NpyDType dtype, long count, string what) => dtype switch
    {
        NpyDType.UInt8 => RawElements.ReadArray<byte>(stream, count, what),
        NpyDType.Int8 => RawElements.ReadArray<sbyte>(stream, count, what),
        NpyDType.Int16 => RawElements.ReadArray<short>(stream, count, what),
        NpyDType.UInt16 => RawElements.ReadArray<ushort>(stream, count, what),
        NpyDType.Int32 => RawElements.ReadArray<int>(stream, count, what),
        NpyDType.UInt32 => RawElements.ReadArray<uint>(stream, count, what),
        NpyDType.Int64 => RawElements.ReadArray<long>(stream, count, what),
        NpyDType.UInt64 => RawElements.ReadArray<ulong>(stream, count, what),
        NpyDType.Float32 => RawElements.ReadArray<float>(stream, count, what),
        NpyDType.Float64 => RawElements.ReadArray<double>(stream, count, what),
        _ => throw new NotSupportedException($"npy dtype {dtype}"),
    };

    private static Array Decode(byte[] raw, NpyDType dtype, bool big) => dtype switch
    {
        NpyDType.Bool => Array.ConvertAll(raw, b => b != 0),
        NpyDType.UInt8 => raw,
        NpyDType.Int8 => RawElements.Decode<sbyte>(raw, big),
        NpyDType.Int16 => RawElements.Decode<short>(raw, big),
        NpyDType.UInt16 => RawElements.Decode<ushort>(raw, big),
        NpyDType.Int32 => RawElements.Decode<int>(raw, big),
        NpyDType.UInt32 => RawElements.Decode<uint>(raw, big),
        NpyDType.Int64 => RawElements.Decode<long>(raw, big),
        NpyDType.UInt64 => RawElements.Decode<ulong>(raw, big),
        NpyDType.Float32 => RawElements.Decode<float>(raw, big),
        NpyDType.Float64 => RawElements.Decode<double>(raw, big),
        _ => throw new NotSupportedException($"npy dtype {dtype}"),
    };

    private static byte[] Encode(Array data) => DTypeOf(data.GetType().GetElementType()!) switch
    {
        NpyDType.Bool => Array.ConvertAll((bool[])data, v => v ? (byte)1 : (byte)0),
        NpyDType.UInt8 => (byte[])data,
        NpyDType.Int8 => RawElements.EncodeLittleEndian<sbyte>((sbyte[])data),
        NpyDType.Int16 => RawElements.EncodeLittleEndian<short>((short[])data),
        NpyDType.UInt16 => RawElements.EncodeLittleEndian<ushort>((ushort[])data),
        NpyDType.Int32 => RawElements.EncodeLittleEndian<int>((int[])data),
        NpyDType.UInt32 => RawElements.EncodeLittleEndian<uint>((uint[])data),
        NpyDType.Int64 => RawElements.EncodeLittleEndian<long>((long[])data),
        NpyDType.UInt64 => RawElements.EncodeLittleEndian<ulong>((ulong[])data),
        NpyDType.Float32 => RawElements.EncodeLittleEndian<float>((float[])data),
        _ => RawElements.EncodeLittleEndian<double>((double[])data),
    };

    /// <summary>The dtype matching a .NET element type.</summary>
    public static NpyDType DTypeOf(Type t) =>
        t == typeof(bool) ? NpyDType.Bool : t == typeof(byte) ? NpyDType.UInt8 : t == typeof(sbyte) ? NpyDType.Int8 :
        t == typeof(short) ? NpyDType.Int16 : t == typeof(ushort) ? NpyDType.UInt16 : t == typeof(int) ? NpyDType.Int32 :
        t == typeof(uint) ? NpyDType.UInt32 : t == typeof(long) ? NpyDType.Int64 : t == typeof(ulong) ? NpyDType.UInt64 :
        t == typeof(float) ? NpyDType.Float32 : t == typeof(double) ? NpyDType.Float64 :
        throw new ArgumentException($"npy: element type {t.Name} is not supported");

    private static int SizeOf(NpyDType d) => d switch
    {
        NpyDType.Bool or NpyDType.UInt8 or NpyDType.Int8 => 1,
        NpyDType.Int16 or NpyDType.UInt16 => 2,
        NpyDType.Int32 or NpyDType.UInt32 or NpyDType.Float32 => 4,
        _ => 8,
    };

    private static string DescrOf(NpyDType d) => d switch
    {
        NpyDType.Bool => "|b1", NpyDType.UInt8 => "|u1", NpyDType.Int8 => "|i1",
        NpyDType.Int16 => "<i2", NpyDType.UInt16 => "<u2", NpyDType.Int32 => "<i4", NpyDType.UInt32 => "<u4",
        NpyDType.Int64 => "<i8", NpyDType.UInt64 => "<u8", NpyDType.Float32 => "<f4", NpyDType.Float64 => "<f8",
        _ => throw new ArgumentException($"npy dtype {d}"),
    };

    private static string FormatShape(long[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape) + ")",
    };

    private static byte[] LittleEndian(byte[] b) { if (!BitConverter.IsLittleEndian) Array.Reverse(b); return b; }

    private static string Truncate(string s) => s.Length <= 120 ? s : s[..120] + "…";
}
