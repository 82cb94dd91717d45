using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MedAnomaly.Data;

/// <summary>PNG colour types (IHDR colour type byte).</summary>
public enum PngColorType : byte { Grey = 0, Rgb = 2, Palette = 3, GreyAlpha = 4, Rgba = 6 }

/// <summary>A greyscale image decoded from a PNG.</summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Pixels">[Height, Width] row-major, values in [0,1] (sample / (2^depth − 1)).</param>
/// <param name="BitDepth">Bits per sample of the source (8 for palette images: their colours are 8-bit).</param>
/// <param name="ColorType">The source's colour type (colour was converted to grey).</param>
public sealed record GrayImage(int Width, int Height, float[] Pixels, int BitDepth, PngColorType ColorType = PngColorType.Grey)
{
    /// <summary>The pixel at column x, row y.</summary>
    public float this[int x, int y] => Pixels[(long)y * Width + x];
}

/// <summary>
/// PNG codec with no external package (zlib via <see cref="ZLibStream"/>, CRC-32 computed here).
/// Reads every standard PNG: grey (1, 2, 4, 8, 16 bits), grey+alpha, RGB and RGBA (8, 16), palette
/// (1, 2, 4, 8), all five filter types, Adam7 interlacing. Colour is reduced to grey with ITU-R BT.601 luma
/// Y = 0.299 R + 0.587 G + 0.114 B; alpha and tRNS are ignored. Writes 8- or 16-bit grey, and 8-bit RGB.
/// Corrupt input (bad signature, CRC mismatch, truncated or oversized data, bad palette index) throws
/// <see cref="InvalidDataException"/>; the decompressed size is bounded by what IHDR implies.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly (int X0, int Y0, int DX, int DY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Largest image accepted (pixels), so a corrupt header cannot request absurd memory.</summary>
    public const long MaxPixels = 1L << 26;

    private sealed record Header(int Width, int Height, int BitDepth, PngColorType Color, bool Interlaced)
    {
        public int Channels => Color switch { PngColorType.Grey or PngColorType.Palette => 1, PngColorType.GreyAlpha => 2, PngColorType.Rgb => 3, _ => 4 };
        public int BitsPerPixel => Channels * BitDepth;
        public int BytesPerPixel => Math.Max(1, BitsPerPixel / 8);
        public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;
    }

    /// <summary>Reads a PNG file as grey.</summary>
    public static GrayImage Read(string path)
    {
        try { return Read(File.ReadAllBytes(path)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Decodes PNG bytes as grey.</summary>
    public static GrayImage Read(byte[] png)
    {
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(Signature))
            throw new InvalidDataException("not a PNG file: the 8-byte PNG signature is missing");
        var (header, palette, idat) = ReadChunks(png);
        var raw = Inflate(idat, ExpectedRawSize(header));
        var samples = new int[(long)header.Width * header.Height * header.Channels];
        if (!header.Interlaced) Unfilter(raw, 0, header, header.Width, header.Height, samples, 0, 0, 1, 1);
        else
        {
            int offset = 0;
            foreach (var (x0, y0, dx, dy) in Adam7)
            {
                int w = PassSize(header.Width, x0, dx), h = PassSize(header.Height, y0, dy);
                if (w == 0 || h == 0) continue;
                offset = Unfilter(raw, offset, header, w, h, samples, x0, y0, dx, dy);
            }
        }
        return new GrayImage(header.Width, header.Height, ToGrey(samples, header, palette), header.Color == PngColorType.Palette ? 8 : header.BitDepth, header.Color);
    }

    private static (Header, byte[]?, MemoryStream) ReadChunks(byte[] png)
    {
        Header? header = null;
        byte[]? palette = null;
        var idat = new MemoryStream();
        int at = 8;
        while (true)
        {
            if (png.Length - at < 12) throw new InvalidDataException($"PNG truncated at byte {at}: expected a chunk (and an IEND chunk at the end)");
            long length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            if (length > png.Length - at - 12) throw new InvalidDataException($"PNG chunk '{type}' at byte {at} claims {length} bytes but the file is truncated");
            var data = png.AsSpan(at + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + (int)length));
            if (Crc32(png.AsSpan(at + 4, 4 + (int)length)) != crc) throw new InvalidDataException($"PNG chunk '{type}' at byte {at} has a bad CRC");
            at += 12 + (int)length;
            if (header is null && type != "IHDR") throw new InvalidDataException($"PNG first chunk is '{type}', expected IHDR");
            switch (type)
            {
                case "IHDR": header = ParseHeader(data); break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768) throw new InvalidDataException($"PNG PLTE has {length} bytes (expected 3 × 1..256)");
                    palette = data.ToArray(); break;
                case "IDAT": idat.Write(data); break;
                case "IEND":
                    if (header!.Color == PngColorType.Palette && palette is null) throw new InvalidDataException("PNG palette image has no PLTE chunk");
                    idat.Position = 0;
                    return (header, palette, idat);
                default:
                    if (char.IsUpper(type[0])) throw new NotSupportedException($"PNG critical chunk '{type}' is not supported");
                    break; // ancillary chunk: skipped
            }
        }
    }

    private static Header ParseHeader(ReadOnlySpan<byte> d)
    {
        if (d.Length != 13) throw new InvalidDataException($"PNG IHDR has {d.Length} bytes (expected 13)");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(d), height = BinaryPrimitives.ReadUInt32BigEndian(d[4..]);
        int depth = d[8];
        var color = (PngColorType)d[9];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue || (long)width * height > MaxPixels)
            throw new InvalidDataException($"PNG size {width}×{height} is empty or exceeds {MaxPixels} pixels");
        int[] allowed = color switch
        {
            PngColorType.Grey => [1, 2, 4, 8, 16],
            PngColorType.Palette => [1, 2, 4, 8],
            PngColorType.Rgb or PngColorType.GreyAlpha or PngColorType.Rgba => [8, 16],
            _ => throw new InvalidDataException($"PNG colour type {(int)color} is invalid (expected 0, 2, 3, 4 or 6)"),
        };
        if (!allowed.Contains(depth)) throw new InvalidDataException($"PNG bit depth {depth} is invalid for colour type {color}");
        if (d[10] != 0 || d[11] != 0) throw new InvalidDataException("PNG compression/filter method must be 0");
        if (d[12] > 1) throw new InvalidDataException($"PNG interlace method {d[12]} is invalid (expected 0 or 1)");
        return new Header((int)width, (int)height, depth, color, d[12] == 1);
    }

    private static int PassSize(int size, int start, int step) => size <= start ? 0 : (size - start + step - 1) / step;

    private static long ExpectedRawSize(Header h)
    {
        if (!h.Interlaced) return h.Height * (1 + h.RowBytes(h.Width));
        long total = 0;
        foreach (var (x0, y0, dx, dy) in Adam7)
        {
            int w = PassSize(h.Width, x0, dx), rows = PassSize(h.Height, y0, dy);
            if (w > 0 && rows > 0) total += rows * (1 + h.RowBytes(w));
        }
        return total;
    }

    /// <summary>zlib-decompresses the IDAT stream; exactly <paramref name="expected"/> bytes must come out.</summary>
    private static byte[] Inflate(Stream idat, long expected)
    {
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        return RawElements.ReadExactly(zlib, expected, "PNG image data (IDAT)");
    }

    /// <summary>Undoes the per-row filters of one (sub-)image of w×h pixels starting at raw[offset] and scatters
    /// its samples into the full image at (x0 + dx·i, y0 + dy·j). Returns the offset after it.</summary>
    private static int Unfilter(byte[] raw, int offset, Header h, int w, int rows, int[] samples, int x0, int y0, int dx, int dy)
    {
        int rowBytes = (int)h.RowBytes(w), bpp = h.BytesPerPixel;
        var previous = new byte[rowBytes];
        var current = new byte[rowBytes];
        for (int j = 0; j < rows; j++)
        {
            byte filter = raw[offset];
            Array.Copy(raw, offset + 1, current, 0, rowBytes);
            offset += 1 + rowBytes;
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? current[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, 4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG row {j} has filter type {filter} (expected 0 to 4)"),
                };
                current[i] = (byte)(current[i] + predictor);
            }
            ExtractSamples(current, h, w, samples, (long)(y0 + dy * j) * h.Width, x0, dx);
            (previous, current) = (current, previous);
        }
        return offset;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void ExtractSamples(byte[] row, Header h, int w, int[] samples, long rowStart, int x0, int dx)
    {
        int channels = h.Channels, depth = h.BitDepth;
        for (int i = 0; i < w; i++)
        {
            long dest = (rowStart + x0 + (long)dx * i) * channels;
            for (int ch = 0; ch < channels; ch++)
            {
                int k = i * channels + ch; // sample number within the row
                samples[dest + ch] = depth switch
                {
                    16 => (row[2 * k] << 8) | row[2 * k + 1],
                    8 => row[k],
                    _ => (row[k * depth / 8] >> (8 - depth - (k * depth % 8))) & ((1 << depth) - 1),
                };
            }
        }
    }

    /// <summary>Samples → grey in [0,1]: grey channel / max, or BT.601 luma of RGB / palette colours.</summary>
    private static float[] ToGrey(int[] samples, Header h, byte[]? palette)
    {
        long count = (long)h.Width * h.Height;
        var grey = new float[count];
        double max = (1 << h.BitDepth) - 1;
        for (long p = 0; p < count; p++)
        {
            long s = p * h.Channels;
            grey[p] = h.Color switch
            {
                PngColorType.Grey or PngColorType.GreyAlpha => (float)(samples[s] / max),
                PngColorType.Rgb or PngColorType.Rgba => (float)(Luma(samples[s], samples[s + 1], samples[s + 2]) / max),
                _ => PaletteGrey(palette!, samples[s]),
            };
        }
        return grey;
    }

    private static float PaletteGrey(byte[] palette, int index)
    {
        if (3 * index + 2 >= palette.Length) throw new InvalidDataException($"PNG palette index {index} is beyond the {palette.Length / 3} PLTE entries");
        return (float)(Luma(palette[3 * index], palette[3 * index + 1], palette[3 * index + 2]) / 255.0);
    }

    /// <summary>ITU-R BT.601 luma.</summary>
    private static double Luma(double r, double g, double b) => 0.299 * r + 0.587 * g + 0.114 * b;

    // ---- writing ----

    /// <summary>Writes [height, width] row-major grey values in [0,1] (clamped; NaN rejected) as an 8- or 16-bit
    /// grey PNG, atomically.</summary>
    public static void WriteGray(string path, float[] pixels, int width, int height, int bitDepth = 8)
    {
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"PNG grey bit depth must be 8 or 16, got {bitDepth}");
        CheckSize(pixels.LongLength, width, height, 1);
        int max = (1 << bitDepth) - 1, bytes = bitDepth / 8;
        var raw = new byte[(long)height * (1 + width * bytes)];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float v = pixels[(long)y * width + x];
                if (float.IsNaN(v)) throw new ArgumentException($"pixel ({x}, {y}) is NaN");
                int sample = (int)Math.Round(Math.Clamp(v, 0f, 1f) * max);
                long at = (long)y * (1 + width * bytes) + 1 + x * bytes;
                if (bytes == 2) { raw[at] = (byte)(sample >> 8); raw[at + 1] = (byte)sample; }
                else raw[at] = (byte)sample;
            }
        RawElements.WriteAtomically(path, s => WritePng(s, width, height, bitDepth, PngColorType.Grey, raw));
    }

    /// <summary>Writes an image given as GrayImage (8-bit, or 16-bit when its BitDepth is 16).</summary>
    public static void WriteGray(string path, GrayImage image) =>
        WriteGray(path, image.Pixels, image.Width, image.Height, image.BitDepth == 16 ? 16 : 8);

    /// <summary>Writes 8-bit RGB: <paramref name="rgb"/> is [height, width, 3] row-major, atomically.</summary>
    public static void WriteRgb(string path, byte[] rgb, int width, int height)
    {
        byte[] png = EncodeRgb(rgb, width, height);
        RawElements.WriteAtomically(path, s => s.Write(png));
    }

    /// <summary>The PNG file bytes of 8-bit RGB <paramref name="rgb"/> ([height, width, 3] row-major), for figures that
    /// live in memory (a notebook output, a report's data URI).</summary>
    public static byte[] EncodeRgb(byte[] rgb, int width, int height)
    {
        CheckSize(rgb.LongLength, width, height, 3);
        var raw = new byte[(long)height * (1 + 3L * width)];
        for (int y = 0; y < height; y++) Array.Copy(rgb, (long)y * 3 * width, raw, (long)y * (1 + 3L * width) + 1, 3L * width);
        using var stream = new MemoryStream();
        WritePng(stream, width, height, 8, PngColorType.Rgb, raw);
        return stream.ToArray();
    }

    private static void CheckSize(long length, int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"PNG size {width}×{height} must be positive");
        if (length != (long)width * height * channels)
            throw new ArgumentException($"PNG {width}×{height}×{channels} needs {(long)width * height * channels} values, got {length}");
    }

    /// <summary>Writes signature, IHDR, one IDAT of the zlib-compressed filtered rows (filter 0), IEND.</summary>
    private static void WritePng(Stream s, int width, int height, int depth, PngColorType color, byte[] raw)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)depth; ihdr[9] = (byte)color;
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        s.Write(Signature);
        WriteChunk(s, "IHDR", ihdr);
        WriteChunk(s, "IDAT", compressed.ToArray());
        WriteChunk(s, "IEND", []);
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type).CopyTo(typeAndData, 0);
        data.CopyTo(typeAndData, 4);
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        s.Write(word);
    }

    private static readonly uint[] CrcTable = MakeCrcTable();

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>CRC-32 (ISO 3309 / ITU-T V.42, as in the PNG specification's annex D).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
