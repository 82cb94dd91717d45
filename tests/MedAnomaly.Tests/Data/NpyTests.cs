using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

/// <summary>Pins the .npy codec against files written by numpy 1.24 (tests/golden/make_npy_fixtures.py) and
/// the values numpy's np.load returns for them (Fixtures/npy/expected.json).</summary>
public class NpyTests
{
    private static readonly ReferenceFixtures Fixtures = new("npy");
    private static readonly string Dir = Fixtures.Dir;

    public static TheoryData<string> FixtureNames() => Fixtures.Names();

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Read_MatchesNumpy(string name)
    {
        var expected = Fixtures.Expected(name);
        var array = Npy.Read(Path.Combine(Dir, name));

        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), array.Shape);
        Assert.Equal(expected.GetProperty("dtype").GetString(), DescrKind(array.DType));
        Assert.Equal(expected.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()), array.ToFloat64());
    }

    [Theory]
    [InlineData("u1.npy")]
    [InlineData("i1.npy")]
    [InlineData("i2_le.npy")]
    [InlineData("i4.npy")]
    [InlineData("f4.npy")]
    [InlineData("f8.npy")]
    [InlineData("bool.npy")]
    [InlineData("scalar_f8.npy")]
    [InlineData("empty_f4.npy")]
    [InlineData("v2_f4.npy")] // numpy wrote 2.0 on request; we write 1.0 → compare after re-reading numpy's bytes
    public void Write_ProducesNumpysBytes(string name)
    {
        string path = Path.Combine(Dir, name);
        var array = Npy.Read(path);
        using var ms = new MemoryStream();
        Npy.Write(ms, array);
        var original = File.ReadAllBytes(path);
        if (original[6] == 1) Assert.Equal(original, ms.ToArray());
        else Assert.Equal(original.AsSpan(original.Length - (int)array.Count * 4).ToArray(),
                          ms.ToArray().AsSpan(ms.ToArray().Length - (int)array.Count * 4).ToArray());
    }

    [Fact]
    public void RoundTrip_EveryElementType()
    {
        string dir = Directory.CreateTempSubdirectory("npy").FullName;
        try
        {
            Check(new[] { true, false, true, true, false, false }, 2, 3);
            Check(new byte[] { 0, 1, 255, 7 }, 4);
            Check(new sbyte[] { -128, 0, 127, -1 }, 2, 2);
            Check(new short[] { short.MinValue, -1, 0, short.MaxValue }, 4);
            Check(new ushort[] { 0, 1, 65535, 300 }, 1, 4);
            Check(new int[] { int.MinValue, 0, int.MaxValue, 5, 6, 7 }, 3, 2);
            Check(new uint[] { 0, uint.MaxValue }, 2);
            Check(new long[] { long.MinValue, long.MaxValue }, 2);
            Check(new ulong[] { 0, ulong.MaxValue }, 2);
            Check(new float[] { -1.5f, float.NaN, float.PositiveInfinity, 1e-30f, 0, 3, 4, 5 }, 2, 2, 2);
            Check(new double[] { Math.PI, -0.0, double.MaxValue }, 3);

            void Check<T>(T[] data, params long[] shape) where T : unmanaged
            {
                string path = Path.Combine(dir, typeof(T).Name + ".npy");
                Npy.Write(path, data, shape);
                var back = Npy.Read(path);
                Assert.Equal(shape, back.Shape);
                Assert.Equal(Npy.DTypeOf(typeof(T)), back.DType);
                Assert.Equal(data, (T[])back.Data);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Write_RejectsShapeMismatch()
    {
        var e = Assert.Throws<ArgumentException>(() => Npy.Write(Path.Combine(Path.GetTempPath(), "never.npy"), new float[5], 2, 3));
        Assert.Contains("6 elements", e.Message);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "never.npy")));
    }

    [Fact]
    public void Read_TruncatedData_ThrowsInvalidDataNamingFile()
    {
        string path = Path.Combine(Dir, "f8.npy");
        var bytes = File.ReadAllBytes(path);
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream(bytes[..^5])));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Read_ComplexDtype_ThrowsNotSupported()
    {
        using var ms = new MemoryStream();
        Npy.Write(ms, new NpyArray([2], NpyDType.Float64, new double[2]));
        var bytes = ms.ToArray();
        int at = System.Text.Encoding.Latin1.GetString(bytes).IndexOf("<f8", StringComparison.Ordinal);
        bytes[at + 1] = (byte)'c';
        Assert.Throws<NotSupportedException>(() => Npy.Read(new MemoryStream(bytes)));
    }

    private static string DescrKind(NpyDType d) => d switch
    {
        NpyDType.Bool => "b1", NpyDType.UInt8 => "u1", NpyDType.Int8 => "i1", NpyDType.Int16 => "i2",
        NpyDType.UInt16 => "u2", NpyDType.Int32 => "i4", NpyDType.UInt32 => "u4", NpyDType.Int64 => "i8",
        NpyDType.UInt64 => "u8", NpyDType.Float32 => "f4", _ => "f8",
    };
}
