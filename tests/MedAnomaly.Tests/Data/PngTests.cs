using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

/// <summary>Pins the PNG decoder against Pillow 9.4's decoding (tests/golden/make_png_fixtures.py): grey values
/// in [0,1], colour reduced with BT.601 luma, for every colour type, bit depth, filter type and Adam7.</summary>
public class PngTests
{
    private static readonly ReferenceFixtures Fixtures = new("png");
    private static readonly string Dir = Fixtures.Dir;

    public static TheoryData<string> FixtureNames() => Fixtures.Names();

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Read_MatchesPillow(string name)
    {
        var e = Fixtures.Expected(name);
        var image = Png.Read(Path.Combine(Dir, name));
        Assert.Equal(e.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(e.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(e.GetProperty("bit_depth").GetInt32(), image.BitDepth);
        var expected = e.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(expected.Length, image.Pixels.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - image.Pixels[i]) < 1e-6, $"pixel {i}: Pillow {expected[i]}, ours {image.Pixels[i]}");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void WriteGray_RoundTripsExactSamples(int depth)
    {
        int max = (1 << depth) - 1, w = 13, h = 4;
        var pixels = Enumerable.Range(0, w * h).Select(i => (float)((i * 7919 % (max + 1)) / (double)max)).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"medanomaly-{Guid.NewGuid():N}.png");
        try
        {
            Png.WriteGray(path, pixels, w, h, depth);
            var back = Png.Read(path);
            Assert.Equal((w, h, depth, PngColorType.Grey), (back.Width, back.Height, back.BitDepth, back.ColorType));
            Assert.Equal(pixels, back.Pixels);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void WriteGray_ClampsOutOfRange_AndRejectsNaN()
    {
        string path = Path.Combine(Path.GetTempPath(), $"medanomaly-{Guid.NewGuid():N}.png");
        try
        {
            Png.WriteGray(path, [-0.5f, 1.5f], 2, 1);
            Assert.Equal([0f, 1f], Png.Read(path).Pixels);
            Assert.Throws<ArgumentException>(() => Png.WriteGray(path, [float.NaN, 0f], 2, 1));
            Assert.Throws<ArgumentException>(() => Png.WriteGray(path, [0f, 0f, 0f], 2, 1));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void WriteRgb_RoundTripsAsLuma()
    {
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        string path = Path.Combine(Path.GetTempPath(), $"medanomaly-{Guid.NewGuid():N}.png");
        try
        {
            Png.WriteRgb(path, rgb, 2, 2);
            var back = Png.Read(path);
            Assert.Equal(PngColorType.Rgb, back.ColorType);
            float[] expected = [0.299f, 0.587f, 0.114f, (float)((0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255)];
            for (int i = 0; i < 4; i++) Assert.Equal(expected[i], back.Pixels[i], 1e-6f);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Crc32_MatchesZlibCheckValue()
    {
        // The standard CRC-32 check value of "123456789" (zlib.crc32(b"123456789") == 0xCBF43926).
        Assert.Equal(0xCBF43926u, Png.Crc32("123456789"u8));
    }

    [Fact]
    public void Read_BadCrc_ThrowsInvalidData()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Dir, "grey8.png"));
        bytes[20] ^= 1; // inside IHDR data
        var e = Assert.Throws<InvalidDataException>(() => Png.Read(bytes));
        Assert.Contains("CRC", e.Message);
    }
}
