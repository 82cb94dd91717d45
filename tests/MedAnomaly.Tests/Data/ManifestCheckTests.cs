using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

/// <summary>`data check` on a small generated phantom set, intact and tampered.</summary>
public sealed class ManifestCheckTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("phantom-check").FullName;
    private readonly PhantomSetSummary _set;

    public ManifestCheckTests() => _set = PhantomSet.Write(_root, volumes: 4, size: 24, seed: 9, testFraction: 0.5);

    public void Dispose() => Directory.Delete(_root, true);

    private ManifestCheckReport Check() => ManifestCheck.Run(DatasetManifest.Load(_set.ManifestPath), _root);

    [Fact]
    public void Generated_set_passes()
    {
        var report = Check();
        Assert.True(report.Ok, report.ToString());
        Assert.Contains("split train (normal): 2 images", report.ToString());
        Assert.Contains("split test (anomalous): 2 images, 2 masks readable", report.ToString());
        Assert.Contains("sha256: 6 files checked, 0 failed", report.ToString());
    }

    [Fact]
    public void Missing_mask_is_reported()
    {
        File.Delete(Path.Combine(_root, "test", "phantom_0003_mask.nii.gz"));
        var report = Check();
        Assert.False(report.Ok);
        Assert.Contains("test/phantom_0003_mask.nii.gz: missing (mask of test/phantom_0003.nii.gz)", report.Problems);
        Assert.Contains("test/phantom_0003_mask.nii.gz: listed in sha256 but missing", report.Problems);
    }

    [Fact]
    public void Changed_file_fails_its_sha256()
    {
        string path = Path.Combine(_root, "train", "phantom_0000.nii.gz");
        var v = Nifti.Read(path);
        v.Data[100] += 1;
        Nifti.Write(path, v);
        var report = Check();
        Assert.Single(report.Problems);
        Assert.StartsWith("train/phantom_0000.nii.gz: sha256 ", report.Problems[0]);
        Assert.Contains("does not match the manifest's", report.Problems[0]);
    }

    [Fact]
    public void Corrupt_file_is_unreadable()
    {
        File.WriteAllBytes(Path.Combine(_root, "train", "phantom_0001.nii.gz"), new byte[] { 1, 2, 3 });
        var report = Check();
        Assert.Contains(report.Problems, p => p.StartsWith("train/phantom_0001.nii.gz: unreadable"));
    }

    [Fact]
    public void Symlink_escaping_the_root_is_rejected()
    {
        string outside = Directory.CreateTempSubdirectory("outside").FullName;
        try
        {
            File.Copy(Path.Combine(_root, "train", "phantom_0000.nii.gz"), Path.Combine(outside, "x.nii.gz"));
            File.CreateSymbolicLink(Path.Combine(_root, "train", "phantom_0009.nii.gz"), Path.Combine(outside, "x.nii.gz"));
            var report = Check();
            Assert.Contains(report.Problems, p => p.Contains("phantom_0009.nii.gz\" is a link to") && p.Contains("outside the root"));
        }
        finally { Directory.Delete(outside, true); }
    }

    [Fact]
    public void Sha256_path_escaping_the_root_is_rejected_on_load()
    {
        string json = File.ReadAllText(_set.ManifestPath).Replace("\"train/phantom_0000.nii.gz\":", "\"../phantom_0000.nii.gz\":");
        var e = Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(json, "m.json"));
        Assert.Contains("contains '..'", e.Message);
    }

    [Fact]
    public void Empty_split_is_reported()
    {
        foreach (var f in Directory.GetFiles(Path.Combine(_root, "train"))) File.Delete(f);
        Assert.Contains("split train: no files match train/*.nii.gz", Check().Problems);
    }

    [Fact]
    public void Cli_check_returns_zero_then_one_after_tampering()
    {
        var cmd = MedAnomaly.Cli.Commands.DataCommand.Create();
        var stdout = Console.Out;
        try
        {
            Console.SetOut(new StringWriter());
            Assert.Equal(0, cmd.Parse(new[] { "check", _set.ManifestPath, "--root", _root }).Invoke());
            File.Delete(Path.Combine(_root, "train", "phantom_0001.nii.gz"));
            Assert.Equal(1, cmd.Parse(new[] { "check", _set.ManifestPath, "--root", _root }).Invoke());
        }
        finally { Console.SetOut(stdout); }
    }
}
