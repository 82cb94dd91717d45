using System.Text;
using TorchSharp;
using static TorchSharp.torch;

using MedAnomaly.Tests.TestSupport;
using MedAnomaly.Checkpoints;
using MedAnomaly.Runtime;

namespace MedAnomaly.Tests.Checkpoints;

/// <summary>
/// safetensors: byte identity with the reference layout (fixtures from tests/golden/make_safetensors_golden.py and
/// the byte vectors of the Rust implementation's own unit tests), values read back, and header validation.
/// </summary>
public sealed class SafetensorsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("medanomaly-safetensors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "safetensors", name);

    /// <summary>The tensors of all_dtypes.safetensors, built the same way as the golden script builds them.</summary>
    static Dictionary<string, Tensor> AllDtypes() => new()
    {
        ["layer.weight"] = torch.tensor(new float[] { 0.5f, -1.25f, 3.0f, 1e-3f, 65504f, -0.0f }).reshape(2, 3),
        ["layer.bias"] = torch.tensor(new float[] { 1, 2, 3 }).reshape(3),
        ["scale"] = torch.tensor(new double[] { 0.1 }).reshape(Array.Empty<long>()),
        ["steps"] = torch.tensor(new long[] { 0, -1, 1L << 40, -(1L << 62) }).reshape(4),
        ["half"] = torch.tensor(new float[] { 1.5f, -2.0f, 0.1f, 65504f }).reshape(2, 2).to(ScalarType.Float16),
        ["bhalf"] = torch.tensor(new float[] { 1.5f, -2.0f, 0.1f, 3.0e38f }).reshape(2, 2).to(ScalarType.BFloat16),
        ["i32"] = torch.tensor(new int[] { -7, 0, int.MaxValue }).reshape(3),
        ["i16"] = torch.tensor(new short[] { -32768, 123 }).reshape(2),
        ["i8"] = torch.tensor(new sbyte[] { -128, 0, 127 }).reshape(3),
        ["u8"] = torch.tensor(new byte[] { 0, 1, 128, 255 }).reshape(4),
        ["mask"] = torch.tensor(new bool[] { true, false, false, true }).reshape(2, 2),
        ["empty"] = torch.zeros(0, 3),
        ["naïve \"quoted\"\tname"] = torch.tensor(new float[] { 42 }).reshape(1),
    };

    static readonly Dictionary<string, string> Metadata = new()
    {
        ["format"] = "pt",
        ["config"] = "{\"model\": \"unet\", \"lr\": 0.0001}",
        ["note"] = "línea 1\nlínea 2",
    };

    [Fact]
    public void WritesAllDtypesByteForByteAsTheReference()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "all.safetensors");
        Safetensors.Save(path, AllDtypes(), Metadata);
        Assert.Equal(File.ReadAllBytes(Fixture("all_dtypes.safetensors")), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
    }

    [Fact]
    public void WritesWithoutMetadataByteForByte()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "w.safetensors");
        File.WriteAllText(path, "an older file that gets replaced");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = torch.tensor(new int[] { 1, 2, 3 }).reshape(1, 3) });
        Assert.Equal(File.ReadAllBytes(Fixture("no_metadata.safetensors")), File.ReadAllBytes(path));
    }

    /// <summary>Byte vectors from the unit tests in huggingface/safetensors, safetensors/src/tensor.rs.</summary>
    [Fact]
    public void MatchesTheRustImplementationsTestVectors()
    {
        using var scope = torch.NewDisposeScope();
        byte[] Save(Dictionary<string, Tensor> tensors, Dictionary<string, string>? metadata = null)
        {
            var path = Path.Combine(dir, "rust.safetensors");
            Safetensors.Save(path, tensors, metadata);
            return File.ReadAllBytes(path);
        }
        var data = new float[] { 0, 1, 2, 3, 4, 5 };
        // test_serialization
        Assert.Equal(new byte[] {
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64 },
            Save(new() { ["attn.0"] = torch.tensor(data).reshape(1, 2, 3) }));
        // test_empty
        Assert.Equal(new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32 }, Save(new()));
        Assert.Equal(new byte[] {
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32 },
            Save(new(), new() { ["framework"] = "pt" }));
        // test_serialization_forced_alignement
        Assert.Equal(new byte[] {
            72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
            121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
            91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
            115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
            32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
            160, 64 },
            Save(new() { ["attn0"] = torch.tensor(data).reshape(1, 1, 2, 3) }));
    }

    [Fact]
    public void ReadsTheReferenceFileBack()
    {
        using var file = Safetensors.Load(Fixture("all_dtypes.safetensors"));
        Assert.Equal(Metadata.OrderBy(kv => kv.Key), file.Metadata.OrderBy(kv => kv.Key));
        Assert.Equal(13, file.Tensors.Count);
        var w = file["layer.weight"];
        Assert.Equal(new long[] { 2, 3 }, w.shape);
        Assert.Equal(new float[] { 0.5f, -1.25f, 3.0f, 1e-3f, 65504f, -0.0f }, w.ToArray<float>());
        Assert.True(float.IsNegative(w.ToArray<float>()[5]));
        Assert.Equal(0.0010000000474974513, (double)w.ToArray<float>()[3]);
        Assert.Equal(new long[0], file["scale"].shape);
        Assert.Equal(0.1, file["scale"].item<double>());
        Assert.Equal(new long[] { 0, -1, 1L << 40, -(1L << 62) }, file["steps"].ToArray<long>());
        using var scope = torch.NewDisposeScope();
        // f16 / bf16 values as printed by the golden script (0.1 rounds differently in each)
        Assert.Equal(ScalarType.Float16, file["half"].dtype);
        Assert.Equal(new float[] { 1.5f, -2.0f, 0.0999755859375f, 65504f }, file["half"].@float().ToArray<float>());
        Assert.Equal(ScalarType.BFloat16, file["bhalf"].dtype);
        Assert.Equal(new float[] { 1.5f, -2.0f, 0.10009765625f, 3.00405527047391e+38f }, file["bhalf"].@float().ToArray<float>());
        Assert.Equal(new int[] { -7, 0, int.MaxValue }, file["i32"].ToArray<int>());
        Assert.Equal(new short[] { -32768, 123 }, file["i16"].ToArray<short>());
        Assert.Equal(new sbyte[] { -128, 0, 127 }, file["i8"].ToArray<sbyte>());
        Assert.Equal(new byte[] { 0, 1, 128, 255 }, file["u8"].ToArray<byte>());
        Assert.Equal(new bool[] { true, false, false, true }, file["mask"].ToArray<bool>());
        Assert.Equal(new long[] { 0, 3 }, file["empty"].shape);
        Assert.Equal(new float[] { 42 }, file["naïve \"quoted\"\tname"].ToArray<float>());
        Assert.Throws<KeyNotFoundException>(() => file["missing"]);
    }

    [Fact]
    public void RoundTripsNonContiguousTensorsAndReportsTheHeader()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "t.safetensors");
        var transposed = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3).t(); // [3,2], not contiguous
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["t"] = transposed }, new Dictionary<string, string>());
        using var file = Safetensors.Load(path);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, file["t"].ToArray<float>());
        Assert.Empty(file.Metadata);
        var header = Safetensors.ReadHeader(path);
        var info = Assert.Single(header.Tensors);
        Assert.Equal(("t", ScalarType.Float32, 0L, 24L), (info.Name, info.Dtype, info.Begin, info.End));
        Assert.Equal(new long[] { 3, 2 }, info.Shape);
        Assert.Equal(0, header.DataStart % 8);
    }

    [Fact]
    public void ReservedNameIsRejectedWithoutWritingAFile()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(dir, "bad.safetensors");
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = torch.zeros(1) }));
        Assert.Empty(Directory.GetFiles(dir));
    }

    // ---------------------------------------------------------------- corrupted headers

    /// <summary>A file with the given header text (padded to 8) and <paramref name="dataBytes"/> zero bytes of data.</summary>
    string Write(string header, int dataBytes, ulong? declaredLength = null, byte[]? rawHeader = null)
    {
        var bytes = rawHeader ?? Encoding.UTF8.GetBytes(header);
        if (rawHeader is null) bytes = [.. bytes, .. Enumerable.Repeat((byte)' ', (8 - bytes.Length % 8) % 8)];
        var path = Path.Combine(dir, $"corrupt-{Guid.NewGuid():N}.safetensors");
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes(declaredLength ?? (ulong)bytes.Length));
        f.Write(bytes);
        f.Write(new byte[dataBytes]);
        return path;
    }

    void AssertInvalid(string path, params string[] fragments)
    {
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(path).Dispose());
        Assert.Contains(path, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    const string Ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"I16\",\"shape\":[2,2],\"data_offsets\":[8,16]}}";

    [Fact]
    public void TheValidCorruptionBaseLoads()
    {
        using var file = Safetensors.Load(Write(Ok, 16));
        Assert.Equal(new[] { "a", "b" }, file.Tensors.Keys);
    }

    [Fact] public void FileShorterThanTheLengthField()
    {
        var path = Path.Combine(dir, "short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        AssertInvalid(path, "3 bytes", "8-byte header length");
    }

    [Fact] public void HeaderLengthPastTheEndOfTheFile() => AssertInvalid(Write(Ok, 16, declaredLength: 5000), "header length 5000", "exceeds");

    [Fact] public void HeaderLengthOverTheLimit() => AssertInvalid(Write(Ok, 16, declaredLength: 200_000_000), "200000000", "100000000");

    [Fact] public void HeaderNotUtf8() => AssertInvalid(Write("", 0, rawHeader: [0x7B, 0xC3, 0x28, 0x7D, 32, 32, 32, 32]), "not valid UTF-8");

    [Fact] public void HeaderNotJson() => AssertInvalid(Write("{\"a\": {\"dtype\": ", 0), "not valid JSON");

    [Fact] public void HeaderNotAnObject() => AssertInvalid(Write("[1, 2, 3]", 0), "JSON object", "Array");

    [Fact] public void UnknownDtype() => AssertInvalid(Write(Ok.Replace("\"F32\"", "\"F128\""), 16), "tensor 'a'", "'F128'", "F32, F64");

    [Fact] public void NegativeShape() => AssertInvalid(Write(Ok.Replace("[2,2]", "[2,-2]"), 16), "tensor 'b'", "'shape'", "non-negative", "-2");

    [Fact] public void OffsetsDisagreeWithShapeAndDtype() =>
        AssertInvalid(Write(Ok.Replace("\"shape\":[2]", "\"shape\":[3]"), 16), "tensor 'a'", "span 8 bytes", "need 12");

    [Fact] public void HoleBetweenTensors() =>
        AssertInvalid(Write(Ok.Replace("[8,16]", "[10,18]"), 18), "tensor 'b'", "begins at 10, expected 8", "hole");

    [Fact] public void OverlappingTensors() =>
        AssertInvalid(Write(Ok.Replace("[8,16]", "[4,12]"), 16), "tensor 'b'", "begins at 4, expected 8", "overlaps");

    [Fact] public void BufferNotFullyCovered() => AssertInvalid(Write(Ok, 20), "cover 16 bytes of the 20-byte data buffer");

    [Fact] public void DataTruncated() => AssertInvalid(Write(Ok, 12), "tensor 'b'", "past the 12-byte data buffer");

    [Fact] public void DuplicateTensorName() =>
        AssertInvalid(Write(Ok.Replace("\"b\":", "\"a\":"), 16), "names 'a' twice");

    [Fact] public void MissingDataOffsets() =>
        AssertInvalid(Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "tensor 'a'", "missing 'data_offsets'");

    [Fact] public void OffsetsEndBeforeTheyBegin() =>
        AssertInvalid(Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8), "tensor 'a'", "end before they begin");

    [Fact] public void MetadataValueNotAString() =>
        AssertInvalid(Write("{\"__metadata__\":{\"epoch\":3}," + Ok[1..], 16), "'__metadata__' entry 'epoch'", "string", "Number");

    [Fact] public void ShapeOverflow() =>
        AssertInvalid(Write("{\"a\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8), "tensor 'a'", "too large");

    [Fact]
    public void MissingFileIsAnIOError() =>
        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(Path.Combine(dir, "nope.safetensors")));
}
