using MedAnomaly.Cli.Commands;

namespace MedAnomaly.Tests.Cli;

/// <summary>`data info` statistics pinned to numpy/nibabel: for scaled_i16.nii, nibabel's get_fdata() gives
/// min −486, max 506, mean 17.725, std 309.63061897740886; for f4.npy, np.load(...).astype(float64) gives
/// the values below (numbers printed by /usr/bin/python3, see tests/golden/make_*_fixtures.py for the files).</summary>
[Collection("Console")]   // redirects Console.Error, as MetricsCommandTests does
public class DataInfoCommandTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    [Fact]
    public void Summarise_Nifti_MatchesNibabel()
    {
        var s = DataInfoCommand.Summarise(Path.Combine(Fixtures, "nifti", "scaled_i16.nii"));
        Assert.Equal("NIfTI-1", s.Format);
        Assert.Equal([6L, 5, 4], s.Shape);
        Assert.Equal("Int16", s.DType);
        Assert.Equal(-486, s.Min);
        Assert.Equal(506, s.Max);
        Assert.Equal(17.725, s.Mean, 1e-9);
        Assert.Equal(309.63061897740886, s.Std, 1e-9);
        Assert.Equal(5.0, s.Affine![2][3]);
    }

    [Fact]
    public void Summarise_Npy_MatchesNumpy()
    {
        var s = DataInfoCommand.Summarise(Path.Combine(Fixtures, "npy", "f4.npy"));
        Assert.Equal([2L, 3, 4], s.Shape);
        Assert.Equal(-2.5167596340179443, s.Min, 1e-12);
        Assert.Equal(1.3588234186172485, s.Max, 1e-12);
        Assert.Equal(-0.30785898336519796, s.Mean, 1e-12);
        Assert.Equal(0.87612014790879, s.Std, 1e-12);
    }

    [Fact]
    public void Info_CorruptFile_PrintsErrorAndReturns1()
    {
        string path = Path.Combine(Path.GetTempPath(), $"medanomaly-{Guid.NewGuid():N}.nii");
        File.WriteAllBytes(path, new byte[100]);
        var error = new StringWriter();
        var previous = Console.Error;
        try
        {
            Console.SetError(error);
            int rc = DataCommand.Create().Parse(["info", path]).Invoke();
            Assert.Equal(1, rc);
            Assert.Contains("error:", error.ToString());
            Assert.Contains(path, error.ToString());
        }
        finally { Console.SetError(previous); File.Delete(path); }
    }
}
