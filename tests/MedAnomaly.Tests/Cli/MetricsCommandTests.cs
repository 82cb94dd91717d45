using System.CommandLine;
using System.Text.Json;
using MedAnomaly.Cli.Commands;
using MedAnomaly.Data;
using MedAnomaly.Tests.Metrics;

namespace MedAnomaly.Tests.Cli;

[Collection("Console")]
public sealed class MetricsCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("medanomaly-metrics-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Write<T>(string name, T[] data, params long[] shape) where T : unmanaged
    {
        string path = Path.Combine(_dir, name);
        Npy.Write(path, data, shape);
        return path;
    }

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand { MetricsCommand.Create() };
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o); Console.SetError(e);
        try { return (root.Parse(["metrics", .. args]).Invoke(), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    [Fact]
    public void JsonMatchesTheGoldenPixelAndImageMetrics()
    {
        var (maps, masks, fg) = MetricsFixtures.Images();
        string s = Write("maps.npy", maps, 24, 1, 8, 8);
        string m = Write("masks.npy", masks.Select(b => (byte)(b ? 1 : 0)).ToArray(), 24, 8, 8);
        string f = Write("fg.npy", fg, 24, 8, 8);
        string v = Write("vol.npy", Enumerable.Range(0, 24).Select(i => (long)(i / 6)).ToArray(), 24);
        var (code, stdout, stderr) = Run("--scores", s, "--masks", m, "--foreground", f, "--volume-ids", v, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var e = MetricsGolden.Pixels.Single(p => p.Foreground);
        var pixel = doc.RootElement.GetProperty("pixel");
        MetricsFixtures.Close(e.Auroc, pixel.GetProperty("auroc").GetDouble(), "pixel AUROC");
        MetricsFixtures.Close(e.Ap, pixel.GetProperty("ap").GetDouble(), "pixel AP");
        MetricsFixtures.Close(e.DiceMean, pixel.GetProperty("per_volume").GetProperty("best_dice_exact").GetProperty("mean").GetDouble(), "Dice mean");
        Assert.StartsWith("exact", pixel.GetProperty("best_dice_mode").GetString());
        Assert.True(doc.RootElement.GetProperty("foreground_only").GetBoolean());
    }

    [Fact]
    public void Hd95PerVolumeInMillimetresWithSpacing()
    {
        var (maps, masks, fg) = MetricsFixtures.Images();
        var e = Hd95Golden.Evaluate.Single(x => x.Foreground && x.Oracle && x.Volumes && x.Spacing != null);
        string s = Write("maps.npy", maps, 24, 8, 8), m = Write("masks.npy", masks, 24, 8, 8), f = Write("fg.npy", fg, 24, 8, 8);
        string v = Write("vol.npy", Enumerable.Range(0, 24).Select(i => (long)(i / 6)).ToArray(), 24);
        var (code, stdout, stderr) = Run("--scores", s, "--masks", m, "--foreground", f, "--volume-ids", v, "--spacing", string.Join(",", e.Spacing!), "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var point = doc.RootElement.GetProperty("pixel").GetProperty("at_threshold");
        MetricsFixtures.Close(e.Hd95, point.GetProperty("hd95").GetDouble(), "hd95");
        Assert.Equal("mm", point.GetProperty("cases").GetProperty("unit").GetString());
        Assert.Equal("volume", point.GetProperty("cases").GetProperty("kind").GetString());

        (code, stdout, _) = Run("--scores", s, "--masks", m, "--foreground", f, "--volume-ids", v, "--spacing", "2,0.5,0.5");
        Assert.Equal(0, code);
        Assert.Contains($"HD95                       {e.Hd95:F6}", stdout);
        Assert.Contains("distances in mm (spacing 2x0.5x0.5)", stdout);

        (code, _, stderr) = Run("--scores", s, "--masks", m, "--spacing", "1,x");
        Assert.Equal(1, code);
        Assert.Contains("--spacing", stderr);
        (code, _, stderr) = Run("--scores", s, "--masks", m, "--empty-masks", "zero");
        Assert.Equal(1, code);
        Assert.Contains("brats or skip", stderr);
    }

    [Fact]
    public void ListMetricsPrintsEveryRegisteredMetric()
    {
        var (code, stdout, _) = Run("--list-metrics");
        Assert.Equal(0, code);
        foreach (var name in MedAnomaly.Metrics.MetricRegistry.Curve.Select(x => x.Name).Concat(MedAnomaly.Metrics.MetricRegistry.Mask.Select(x => x.Name)))
            Assert.Contains(name, stdout);
    }

    [Fact]
    public void NiftiVolumesGiveTheSameMetricsAsNpy()
    {
        // 24 slices of 8×8 as one volume: NIfTI stores x fastest, i.e. row-major [z, y, x] = [N, H, W].
        var (maps, masks, fg) = MetricsFixtures.Images();
        var identity = new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
        string Nii(string name, float[] data)
        {
            string path = Path.Combine(_dir, name);
            Nifti.Write(path, new Volume(data, [8, 8, 24], [1, 1, 1], identity));
            return path;
        }
        var maskFloats = masks.Select(v => v ? 1f : 0f).ToArray();
        var fgFloats = fg.Select(v => v ? 1f : 0f).ToArray();
        var (code, fromNifti, err) = Run("--scores", Nii("s.nii.gz", maps), "--masks", Nii("m.nii.gz", maskFloats), "--foreground", Nii("f.nii", fgFloats), "--json");
        Assert.True(code == 0, err);
        var (_, fromNpy, _) = Run("--scores", Write("s.npy", maps, 24, 8, 8), "--masks", Write("m.npy", maskFloats, 24, 8, 8),
            "--foreground", Write("f.npy", fgFloats, 24, 8, 8), "--json");
        using var a = JsonDocument.Parse(fromNifti);
        using var b = JsonDocument.Parse(fromNpy);
        Assert.Equal(b.RootElement.GetProperty("pixel").GetProperty("auroc").GetDouble(), a.RootElement.GetProperty("pixel").GetProperty("auroc").GetDouble());
        Assert.Equal(b.RootElement.GetProperty("pixel").GetProperty("ap").GetDouble(), a.RootElement.GetProperty("pixel").GetProperty("ap").GetDouble());
    }

    [Fact]
    public void TextReportWithImageScoresOnly()
    {
        var img = MetricsGolden.Images.Single(i => i.Scoring == "max");
        var (maps, masks, _) = MetricsFixtures.Images();
        var scores = Enumerable.Range(0, 24).Select(i => (double)maps.AsSpan(i * 64, 64).ToArray().Max()).ToArray();
        var labels = AnomalyMetricsLabels(masks);
        var (code, stdout, stderr) = Run("--scores", Write("s.npy", scores, 24), "--labels", Write("l.npy", labels, 24));
        Assert.True(code == 0, stderr);
        Assert.Contains("image level (score = given", stdout);
        Assert.Contains($"{img.Auroc:F6}", stdout);
        Assert.DoesNotContain("pixel level", stdout);
    }

    static bool[] AnomalyMetricsLabels(bool[] masks) => MedAnomaly.Metrics.AnomalyMetrics.AnyLesion(masks, 24);

    [Fact]
    public void BadInputGivesNonZeroExitAndAClearMessage()
    {
        string maps = Write("maps.npy", new float[2 * 4 * 4], 2, 4, 4);
        string wrongMask = Write("mask.npy", new byte[2 * 4 * 5], 2, 4, 5);
        var (code, _, err) = Run("--scores", maps, "--masks", wrongMask);
        Assert.Equal(1, code);
        Assert.Contains("expected [2,4,4]", err);

        var nan = new float[2 * 4 * 4]; nan[5] = float.NaN;
        (code, _, err) = Run("--scores", Write("nan.npy", nan, 2, 4, 4), "--labels", Write("l.npy", new[] { true, false }, 2));
        Assert.Equal(1, code);
        Assert.Contains("non-finite", err);

        (code, _, err) = Run("--scores", maps);
        Assert.Equal(1, code);
        Assert.Contains("--labels", err);

        (code, _, err) = Run("--scores", Path.Combine(_dir, "missing.npy"), "--labels", maps);
        Assert.Equal(1, code);

        File.WriteAllBytes(Path.Combine(_dir, "junk.npy"), [1, 2, 3]);
        (code, _, err) = Run("--scores", Path.Combine(_dir, "junk.npy"), "--labels", maps);
        Assert.Equal(1, code);
        Assert.Contains("error:", err);

        (code, _, err) = Run("--scores", Write("l1.npy", new[] { 0.5, 0.7 }, 2), "--labels", Write("l2.npy", new[] { true, false }, 2), "--best-dice", "nope");
        Assert.Equal(1, code);
    }
}
