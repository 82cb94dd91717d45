using MedAnomaly.Data;
using MedAnomaly.Viz;

namespace MedAnomaly.Tests.Viz;

public class MontageTests
{
    [Fact]
    public void WritesEnlargedPanelsWithOutlines()
    {
        var path = Path.Combine(Path.GetTempPath(), $"montage-{Guid.NewGuid():N}.png");
        try
        {
            var ramp = Enumerable.Range(0, 16).Select(i => i / 15f).ToArray();
            var mask = new float[16];
            mask[5] = 1;
            Montage.Write(path, [[new Panel(ramp, 4, 4), new Panel(ramp, 4, 4, Heat: true, Outline: mask)]], minPanelSize: 8);
            var image = Png.Read(path);
            Assert.Equal(2 * 8 + 3 * 2, image.Width);   // two 4×4 panels enlarged ×2, three gutters
            Assert.Equal(8 + 2 * 2, image.Height);
            Assert.Equal(0f, image.Pixels[2 * image.Width + 2]);                    // first grey pixel: value 0
            Assert.Equal(1f, image.Pixels[(2 + 7) * image.Width + 2 + 7], 2);        // last grey pixel: value 1
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void InfernoRunsFromBlackToPaleYellow()
    {
        Assert.Equal(((byte)0, (byte)0, (byte)4), Colormap.Inferno(0));
        Assert.Equal(((byte)252, (byte)255, (byte)164), Colormap.Inferno(1));
        Assert.Equal(Colormap.Inferno(0), Colormap.Inferno(double.NaN));
    }
}
