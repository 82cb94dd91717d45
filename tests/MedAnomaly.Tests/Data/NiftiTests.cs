using System.Text.Json;
using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

/// <summary>Pins the NIfTI codec against files written by nibabel 5.0 (tests/golden/make_nifti_fixtures.py):
/// nibabel's get_fdata() values, img.affine, zooms, header codes (Fixtures/nifti/expected.json).</summary>
public class NiftiTests
{
    private static readonly ReferenceFixtures Fixtures = new("nifti");
    private static readonly string Dir = Fixtures.Dir;

    private static JsonElement Expected(string name) => Fixtures.Expected(name);

    public static TheoryData<string> FixtureNames() => Fixtures.Names();

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Read_MatchesNibabel(string name)
    {
        var e = Expected(name);
        var image = Nifti.ReadRaw(Path.Combine(Dir, name));
        var volume = Nifti.ToVolume(image);

        Assert.Equal(e.GetProperty("version").GetInt32(), image.Header.Version);
        Assert.Equal(e.GetProperty("big_endian").GetBoolean(), image.Header.BigEndian);
        Assert.Equal(e.GetProperty("vox_offset").GetInt64(), image.Header.VoxOffset);
        Assert.Equal(e.GetProperty("datatype").GetInt32(), (int)volume.SourceType);
        Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), volume.Dims);
        Assert.Equal(e.GetProperty("qform_code").GetInt32(), volume.QformCode);
        Assert.Equal(e.GetProperty("sform_code").GetInt32(), volume.SformCode);
        AssertClose(e.GetProperty("zooms").EnumerateArray().Select(z => z.GetDouble()).ToArray(), volume.VoxelSize, 1e-12);

        var affine = e.GetProperty("affine").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                Assert.True(Math.Abs(affine[r][c] - volume.Affine[r, c]) <= 1e-9 * Math.Max(1, Math.Abs(affine[r][c])),
                    $"affine[{r},{c}]: nibabel {affine[r][c]}, ours {volume.Affine[r, c]}");

        var values = e.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        AssertClose(values, volume.Data.Select(v => (double)v).ToArray(), 1e-6); // float32 vs nibabel's float64
        Assert.Equal(e.GetProperty("sum").GetDouble(), volume.Data.Sum(v => (double)v), 6e-7 * Math.Abs(e.GetProperty("sum").GetDouble()) + 1e-4);
    }

    [Fact]
    public void ReadRaw_KeepsExactIntegers_AndUnscaledValues()
    {
        var i64 = Nifti.ReadRaw(Path.Combine(Dir, "dtype_i64.nii"));
        var expected = Expected("dtype_i64.nii").GetProperty("values").EnumerateArray().Select(v => (long)v.GetDouble());
        Assert.Equal(expected, (long[])i64.Raw);

        var scaled = Nifti.ReadRaw(Path.Combine(Dir, "scaled_i16.nii"));
        Assert.Equal(0.5, scaled.Header.SclSlope);
        Assert.Equal(10.0, scaled.Header.SclInter);
        var values = Expected("scaled_i16.nii").GetProperty("values").EnumerateArray().Select(v => v.GetDouble());
        Assert.Equal(values.Select(v => (short)((v - 10) / 0.5)), (short[])scaled.Raw);
    }

    [Fact]
    public void Slice_AxialIsTransposedNibabelSlice()
    {
        var v = Nifti.Read(Path.Combine(Dir, "scaled_i16.nii")); // 6×5×4
        Assert.Equal((5, 6), v.SliceShape(2));
        var axial = v.Slice(2, 3);
        Assert.Equal(v[4, 2, 3], axial[2 * 6 + 4]);
        var sagittal = v.Slice(0, 1); // Height nz=4, Width ny=5
        Assert.Equal(v[1, 3, 2], sagittal[2 * 5 + 3]);
        var coronal = v.Slice(1, 4); // Height nz=4, Width nx=6
        Assert.Equal(v[5, 4, 1], coronal[1 * 6 + 5]);
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Slice(2, 4));
    }

    public static TheoryData<NiftiDataType, string> WriteCases()
    {
        var data = new TheoryData<NiftiDataType, string>();
        foreach (var t in Enum.GetValues<NiftiDataType>()) { data.Add(t, ".nii"); data.Add(t, ".nii.gz"); }
        return data;
    }

    [Theory]
    [MemberData(nameof(WriteCases))]
    public void Write_RoundTripsEveryDatatype(NiftiDataType type, string extension)
    {
        var dims = new[] { 4, 3, 2 };
        var data = Enumerable.Range(0, 24).Select(i => type is NiftiDataType.Float32 or NiftiDataType.Float64 ? i * 0.37f - 3 : (float)(i * 5)).ToArray();
        // Oblique, left-handed affine: exercises qfac = −1 and the quaternion.
        double c = Math.Cos(0.4), s = Math.Sin(0.4);
        var affine = new double[,] { { 1.5 * c, -2 * s, 0, 10 }, { 1.5 * s, 2 * c, 0, -20 }, { 0, 0, -3, 30 }, { 0, 0, 0, 1 } };
        var volume = new Volume(data, dims, [1.5, 2, 3], affine);
        string path = Path.Combine(Path.GetTempPath(), $"medanomaly-{Guid.NewGuid():N}{extension}");
        try
        {
            Nifti.Write(path, volume, type);
            var raw = Nifti.ReadRaw(path);
            var back = Nifti.ToVolume(raw);
            Assert.Equal(type, back.SourceType);
            Assert.Equal(dims, back.Dims);
            Assert.Equal(data, back.Data);
            Assert.Equal(2, back.SformCode);
            Assert.Equal(1, back.QformCode);
            Assert.Equal(-1, raw.Header.PixDim[0]);
            AssertClose([1.5, 2, 3], back.VoxelSize, 1e-6);
            var qform = raw.Header.QformAffine();
            for (int r = 0; r < 4; r++)
                for (int k = 0; k < 4; k++)
                {
                    Assert.Equal(affine[r, k], back.Affine[r, k], 1e-5);
                    Assert.Equal(affine[r, k], qform[r, k], 1e-5);
                }
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(path)}*.tmp"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Write_ValueOutsideIntegerRange_ThrowsArgumentAndWritesNothing()
    {
        string path = Path.Combine(Path.GetTempPath(), $"medanomaly-{Guid.NewGuid():N}.nii");
        var volume = new Volume([1, 2, 300], [3, 1, 1]);
        var e = Assert.Throws<ArgumentException>(() => Nifti.Write(path, volume, NiftiDataType.UInt8));
        Assert.Contains("300", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Read_Truncated_ThrowsInvalidDataNamingFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"medanomaly-{Guid.NewGuid():N}.nii");
        File.WriteAllBytes(path, File.ReadAllBytes(Path.Combine(Dir, "scaled_i16.nii"))[..400]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => Nifti.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Read_PairMagic_ThrowsNotSupported()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Dir, "dtype_i8.nii"));
        bytes[345] = (byte)'i';
        Assert.Throws<NotSupportedException>(() => Nifti.ReadRaw(new MemoryStream(bytes)));
    }

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
