using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MedAnomaly.Data;

/// <summary>Shared helpers for the binary codecs (NPY, NIfTI): decoding raw element bytes of either byte order
/// into typed arrays, converting typed arrays to float/double, reading a stream fully with a size check,
/// and writing files atomically (temp file + rename).</summary>
internal static class RawElements
{
    /// <summary>Decodes <paramref name="raw"/> (count × sizeof(T) bytes) into a new T[]; swaps each element's
    /// bytes when the file's byte order differs from this machine's.</summary>
    public static T[] Decode<T>(ReadOnlySpan<byte> raw, bool bigEndian) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        var result = new T[raw.Length / size];
        var dest = MemoryMarshal.AsBytes(result.AsSpan());
        raw[..dest.Length].CopyTo(dest);
        if (size > 1 && bigEndian == BitConverter.IsLittleEndian) SwapInPlace(dest, size);
        return result;
    }

    /// <summary>Encodes a typed array to little-endian bytes.</summary>
    public static byte[] EncodeLittleEndian<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        int size = Marshal.SizeOf<T>();
        if (size > 1 && !BitConverter.IsLittleEndian) SwapInPlace(bytes, size);
        return bytes;
    }

    /// <summary>Reverses the bytes of every <paramref name="size"/>-byte element of <paramref name="bytes"/>.</summary>
    public static void SwapInPlace(Span<byte> bytes, int size)
    {
        for (int i = 0; i + size <= bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    /// <summary>Converts any supported primitive array (byte, sbyte, short, ushort, int, uint, long, ulong,
    /// float, double, bool) to float32.</summary>
    public static float[] ToFloat32(Array data) => Type.GetTypeCode(data.GetType().GetElementType()) switch
    {
        // Switch on the exact element type: the CLR lets sbyte[] match a byte[] pattern (and short/ushort …).
        TypeCode.Single => Array.ConvertAll((float[])data, v => (float)v),
        TypeCode.Double => Array.ConvertAll((double[])data, v => (float)v),
        TypeCode.Byte => Array.ConvertAll((byte[])data, v => (float)v),
        TypeCode.SByte => Array.ConvertAll((sbyte[])data, v => (float)v),
        TypeCode.Int16 => Array.ConvertAll((short[])data, v => (float)v),
        TypeCode.UInt16 => Array.ConvertAll((ushort[])data, v => (float)v),
        TypeCode.Int32 => Array.ConvertAll((int[])data, v => (float)v),
        TypeCode.UInt32 => Array.ConvertAll((uint[])data, v => (float)v),
        TypeCode.Int64 => Array.ConvertAll((long[])data, v => (float)v),
        TypeCode.UInt64 => Array.ConvertAll((ulong[])data, v => (float)v),
        TypeCode.Boolean => Array.ConvertAll((bool[])data, v => v ? 1f : 0f),
        _ => throw new NotSupportedException($"element type {data.GetType().GetElementType()} cannot be converted to float"),
    };

    /// <summary>Converts any supported primitive array to float64 (exact for every integer type up to 2^53).</summary>
    public static double[] ToFloat64(Array data) => Type.GetTypeCode(data.GetType().GetElementType()) switch
    {
        // Switch on the exact element type: the CLR lets sbyte[] match a byte[] pattern (and short/ushort …).
        TypeCode.Single => Array.ConvertAll((float[])data, v => (double)v),
        TypeCode.Double => Array.ConvertAll((double[])data, v => (double)v),
        TypeCode.Byte => Array.ConvertAll((byte[])data, v => (double)v),
        TypeCode.SByte => Array.ConvertAll((sbyte[])data, v => (double)v),
        TypeCode.Int16 => Array.ConvertAll((short[])data, v => (double)v),
        TypeCode.UInt16 => Array.ConvertAll((ushort[])data, v => (double)v),
        TypeCode.Int32 => Array.ConvertAll((int[])data, v => (double)v),
        TypeCode.UInt32 => Array.ConvertAll((uint[])data, v => (double)v),
        TypeCode.Int64 => Array.ConvertAll((long[])data, v => (double)v),
        TypeCode.UInt64 => Array.ConvertAll((ulong[])data, v => (double)v),
        TypeCode.Boolean => Array.ConvertAll((bool[])data, v => v ? 1.0 : 0.0),
        _ => throw new NotSupportedException($"element type {data.GetType().GetElementType()} cannot be converted to double"),
    };

    /// <summary>Reads exactly <paramref name="count"/> bytes or throws InvalidDataException naming <paramref name="what"/>.</summary>
    public static byte[] ReadExactly(Stream stream, long count, string what)
    {
        if (count < 0 || count > Array.MaxLength)
            throw new InvalidDataException($"{what}: {count} bytes is not a readable size");
        if (stream.CanSeek && stream.Length - stream.Position < count)
            throw new InvalidDataException($"{what}: expected {count} bytes but only {stream.Length - stream.Position} remain (truncated file?)");
        if (!stream.CanSeek && count > ChunkSize) return ReadInChunks(stream, count, what);
        var buffer = new byte[count];
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < count) throw new InvalidDataException($"{what}: expected {count} bytes but the file ends after {read} (truncated file?)");
        return buffer;
    }

    /// <summary>Reads <paramref name="count"/> elements in this machine's byte order from a seekable stream straight into a
    /// new T[]; throws InvalidDataException naming <paramref name="what"/> when fewer bytes remain (as
    /// <see cref="ReadExactly"/>).</summary>
    public static T[] ReadArray<T>(Stream stream, long count, string what) where T : unmanaged
    {
        long bytes = count * Marshal.SizeOf<T>();
        if (count < 0 || count > Array.MaxLength || bytes > Array.MaxLength)
            throw new InvalidDataException($"{what}: {bytes} bytes is not a readable size");
        if (stream.Length - stream.Position < bytes)
            throw new InvalidDataException($"{what}: expected {bytes} bytes but only {stream.Length - stream.Position} remain (truncated file?)");
        var result = GC.AllocateUninitializedArray<T>((int)count);
        stream.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    private const int ChunkSize = 1 << 20;

    /// <summary>For streams of unknown length (gzip): memory grows with the bytes actually present, so a corrupt
    /// header claiming gigabytes fails at the end of the data instead of allocating first.</summary>
    private static byte[] ReadInChunks(Stream stream, long count, string what)
    {
        var chunks = new List<byte[]>();
        long total = 0;
        while (total < count)
        {
            var chunk = new byte[Math.Min(ChunkSize, count - total)];
            int read = stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
            total += read;
            if (read < chunk.Length) throw new InvalidDataException($"{what}: expected {count} bytes but the data ends after {total} (truncated file?)");
            chunks.Add(chunk);
        }
        var buffer = new byte[count];
        long at = 0;
        foreach (var chunk in chunks) { chunk.CopyTo(buffer, at); at += chunk.Length; }
        return buffer;
    }

    /// <summary>Skips <paramref name="count"/> bytes of a stream (seeking when possible).</summary>
    public static void Skip(Stream stream, long count, string what)
    {
        if (count <= 0) return;
        if (stream.CanSeek)
        {
            if (stream.Length - stream.Position < count) throw new InvalidDataException($"{what}: offset lies beyond the end of the file");
            stream.Seek(count, SeekOrigin.Current);
            return;
        }
        var scratch = new byte[Math.Min(count, 81920)];
        while (count > 0)
        {
            int read = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, count));
            if (read == 0) throw new InvalidDataException($"{what}: offset lies beyond the end of the data");
            count -= read;
        }
    }

    /// <summary>Copies a non-seekable stream (e.g. gzip) into memory, refusing more than <paramref name="maxBytes"/>.</summary>
    public static MemoryStream Buffer(Stream stream, long maxBytes, string what)
    {
        var memory = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (memory.Length + n > maxBytes)
                throw new InvalidDataException($"{what}: decompressed size exceeds the limit of {maxBytes} bytes");
            memory.Write(chunk, 0, n);
        }
        memory.Position = 0;
        return memory;
    }

    /// <summary>Writes a file atomically: <paramref name="write"/> fills a temp file in the same directory,
    /// which is then renamed over <paramref name="path"/>. Nothing is left half-written on failure.</summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write)) write(fs);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Product of the dimensions, or -1 when negative or overflowing long.</summary>
    public static long CheckedCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) return -1;
            if (d != 0 && count > long.MaxValue / d) return -1;
            count *= d;
        }
        return count;
    }

    /// <summary>Reads a big- or little-endian value (used by header parsers).</summary>
    public static short I16(ReadOnlySpan<byte> b, int at, bool big) => big ? BinaryPrimitives.ReadInt16BigEndian(b[at..]) : BinaryPrimitives.ReadInt16LittleEndian(b[at..]);
    public static int I32(ReadOnlySpan<byte> b, int at, bool big) => big ? BinaryPrimitives.ReadInt32BigEndian(b[at..]) : BinaryPrimitives.ReadInt32LittleEndian(b[at..]);
    public static long I64(ReadOnlySpan<byte> b, int at, bool big) => big ? BinaryPrimitives.ReadInt64BigEndian(b[at..]) : BinaryPrimitives.ReadInt64LittleEndian(b[at..]);
    public static float F32(ReadOnlySpan<byte> b, int at, bool big) => big ? BinaryPrimitives.ReadSingleBigEndian(b[at..]) : BinaryPrimitives.ReadSingleLittleEndian(b[at..]);
    public static double F64(ReadOnlySpan<byte> b, int at, bool big) => big ? BinaryPrimitives.ReadDoubleBigEndian(b[at..]) : BinaryPrimitives.ReadDoubleLittleEndian(b[at..]);
}
