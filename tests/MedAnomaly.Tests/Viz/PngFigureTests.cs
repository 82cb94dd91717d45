using MedAnomaly.Data;
using MedAnomaly.Viz;

namespace MedAnomaly.Tests.Viz;

public class PngFigureTests
{
    [Fact]
    public void Read_takes_the_size_from_the_file_and_keeps_its_bytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"figure-{Guid.NewGuid():N}.png");
        try
        {
            Png.WriteGray(path, new float[3 * 5], width: 5, height: 3);
            var figure = PngFigure.Read(path, "caption");
            Assert.Equal((5, 3, "caption"), (figure.Width, figure.Height, figure.Caption));
            Assert.Equal(File.ReadAllBytes(path), figure.Png);
            File.WriteAllBytes(path, [1, 2, 3]);
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => PngFigure.Read(path)).Message);
        }
        finally { File.Delete(path); }
    }
}
