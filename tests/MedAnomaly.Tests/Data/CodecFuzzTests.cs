using System.Text;
using System.Buffers.Binary;
using System.IO.Compression;
using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

/// <summary>A file format parser under fuzzing: the valid bytes to mutate, where the header lies, and the parse call.</summary>
public sealed record FuzzTarget(string Name, byte[] Bytes, int HeaderLength, Action<byte[]> Parse);

/// <summary>
/// Seeded fuzzing of every codec (<see cref="Fuzz.Mutate"/>: byte replacements and bit flips in the header region,
/// truncation, chunks cut or doubled, boundary integers) and targeted field corruption (huge/negative dims, absurd
/// vox_offset, bad magic). Every case must either parse or throw InvalidDataException / NotSupportedException — never
/// another exception type, never a hang, and never allocate more than <see cref="Fuzz.AllocationLimit"/> bytes (sizes
/// are checked before buffers are allocated).
/// To fuzz a new format, add its target in <see cref="Targets"/>.
/// </summary>
public class CodecFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int CasesPerTarget = 150;
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>The fuzz targets: every NIfTI, PNG and NPY fixture. and every shipped dataset manifest.</summary>
    public static IEnumerable<FuzzTarget> Targets()
    {
        foreach (var f in Directory.GetFiles(Path.Combine(Fixtures, "nifti")).Where(f => f.Contains(".nii")).Order())
        {
            var bytes = File.ReadAllBytes(f);
            bool gz = f.EndsWith(".gz");
            yield return new FuzzTarget(Path.GetFileName(f), bytes, gz ? bytes.Length : 560, b => Nifti.ToVolume(Nifti.ReadRaw(new MemoryStream(b))));
            if (gz) // also fuzz the decompressed header behind gzip
                yield return new FuzzTarget(Path.GetFileName(f) + " (inside gzip)", Gunzip(bytes), 560, b => Nifti.ReadRaw(new MemoryStream(Gzip(b))));
        }
        foreach (var f in Directory.GetFiles(Path.Combine(Fixtures, "png"), "*.png").Order())
            yield return new FuzzTarget(Path.GetFileName(f), File.ReadAllBytes(f), 64, b => Png.Read(b));
        foreach (var f in Directory.GetFiles(Path.Combine(Fixtures, "npy"), "*.npy").Order())
            yield return new FuzzTarget(Path.GetFileName(f), File.ReadAllBytes(f), 128, b => Npy.Read(new MemoryStream(b)));
        foreach (var f in Directory.GetFiles(ManifestTests.RepoFile("data-manifests"), "*.json").Where(f => !f.EndsWith("schema.json")).Order())
        {
            var bytes = File.ReadAllBytes(f);
            yield return new FuzzTarget(Path.GetFileName(f), bytes, bytes.Length, b => DatasetManifest.Parse(Encoding.UTF8.GetString(b), Path.GetFileName(f)));
        }
    }

    [Fact]
    public void RandomMutations_ParseOrThrowTypedErrors()
    {
        var rng = new Random(20240521);
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        int cases = 0, rejected = 0;
        foreach (var target in Targets())
        {
            Check(target, target.Bytes, "unmodified");
            for (int i = 0; i < CasesPerTarget; i++, cases++)
            {
                var (bytes, what) = Fuzz.Mutate(rng, target.Bytes, target.HeaderLength, i);
                if (Check(target, bytes, what) is not null) rejected++;
            }
        }
        output.WriteLine($"{cases} cases, {rejected} rejected (process CPU {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s)");
        Assert.True(cases >= 9000, $"only {cases} random cases");
        // Most mutations must be detected (a parser that accepted everything would pass the type checks).
        Assert.True(rejected > cases / 2, $"only {rejected} of {cases} corrupt inputs were rejected");
    }

    [Fact]
    public void TargetedNiftiCorruptions_ThrowInvalidData()
    {
        var v1 = File.ReadAllBytes(Path.Combine(Fixtures, "nifti", "scaled_i16.nii"));
        var v2 = File.ReadAllBytes(Path.Combine(Fixtures, "nifti", "nifti2_f64.nii"));
        var cases = new List<(string, byte[])>
        {
            ("v1 huge dims", With(v1, b => { for (int i = 1; i <= 3; i++) BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + 2 * i), short.MaxValue); })),
            ("v1 negative dim", With(v1, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), -5))),
            ("v1 dim[0] = 9", With(v1, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 9))),
            ("v1 absurd vox_offset", With(v1, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 3e9f))),
            ("v1 NaN vox_offset", With(v1, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), float.NaN))),
            ("v1 bad magic", With(v1, b => b[345] = (byte)'x')),
            ("v1 bitpix mismatch", With(v1, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(72), 32))),
            ("v1 bad sizeof_hdr", With(v1, b => BinaryPrimitives.WriteInt32LittleEndian(b, 349))),
            ("v2 huge dims", With(v2, b => { for (int i = 1; i <= 3; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16 + 8 * i), 1L << 40); })),
            ("v2 zero × huge dim", With(v2, b => { BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(24), 0); BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(32), 1L << 40); })),
            ("v2 negative dim", With(v2, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(24), -1))),
            ("v2 absurd vox_offset", With(v2, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(168), long.MaxValue))),
            ("v2 bad magic", With(v2, b => b[6] = (byte)'3')),
            ("gz huge dims", Gzip(With(v1, b => { for (int i = 1; i <= 3; i++) BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40 + 2 * i), 30000); }))),
            ("gz absurd vox_offset", Gzip(With(v1, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 1e12f)))),
        };
        var target = new FuzzTarget("targeted", v1, 0, b => Nifti.ToVolume(Nifti.ReadRaw(new MemoryStream(b))));
        foreach (var (name, bytes) in cases)
        {
            var e = Check(target, bytes, name);
            Assert.True(e is InvalidDataException, $"{name}: expected InvalidDataException, got {e?.GetType().Name ?? "success"}");
        }
    }

    [Fact]
    public void TargetedNpyAndPngCorruptions_ThrowInvalidData()
    {
        var npy = NpyWithShape("(2, 3)");
        Assert.Equal(6, Npy.Read(new MemoryStream(npy)).Count); // the builder makes valid files
        var png = File.ReadAllBytes(Path.Combine(Fixtures, "png", "grey8.png"));
        byte[] PngWithSize(uint w, uint h) => With(png, b =>
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16), w);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(20), h);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(29), Png.Crc32(b.AsSpan(12, 17)));
        });
        var cases = new List<(string, byte[], Action<byte[]>)>
        {
            ("npy huge shape", NpyWithShape("(99999,99999)"), b => Npy.Read(new MemoryStream(b))),
            ("npy negative dim", NpyWithShape("(-2, 3)"), b => Npy.Read(new MemoryStream(b))),
            ("npy overflowing shape", NpyWithShape("(4294967296, 4294967296, 4294967296)"), b => Npy.Read(new MemoryStream(b))),
            ("npy shape not numbers", NpyWithShape("(2, x)"), b => Npy.Read(new MemoryStream(b))),
            ("npy bad magic", With(npy, b => b[1] = (byte)'X'), b => Npy.Read(new MemoryStream(b))),
            ("png huge size", PngWithSize(60000, 60000), b => Png.Read(b)),
            ("png large size, tiny data", PngWithSize(8000, 8000), b => Png.Read(b)),
            ("png bad signature", With(png, b => b[1] = (byte)'J'), b => Png.Read(b)),
        };
        foreach (var (name, bytes, parse) in cases)
        {
            var e = Check(new FuzzTarget(name, bytes, 0, parse), bytes, name);
            Assert.True(e is InvalidDataException, $"{name}: expected InvalidDataException, got {e?.GetType().Name ?? "success"}");
        }
    }

    /// <summary>Parses once (<see cref="Fuzz.Check"/>): InvalidDataException and NotSupportedException are the codecs' errors.</summary>
    private static Exception? Check(FuzzTarget target, byte[] bytes, string what) =>
        Fuzz.Check(target.Name, what, () => target.Parse(bytes), typeof(InvalidDataException), typeof(NotSupportedException));

    /// <summary>A version-1.0 .npy file of 24 bytes of float32 data whose header states <paramref name="shape"/>.</summary>
    private static byte[] NpyWithShape(string shape)
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        string header = dict.PadRight((10 + dict.Length + 1 + 63) / 64 * 64 - 11) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, (byte)(header.Length >> 8) };
        bytes.AddRange(System.Text.Encoding.Latin1.GetBytes(header));
        bytes.AddRange(new byte[24]);
        return bytes.ToArray();
    }

    private static byte[] With(byte[] bytes, Action<byte[]> change) { var copy = (byte[])bytes.Clone(); change(copy); return copy; }

    private static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
