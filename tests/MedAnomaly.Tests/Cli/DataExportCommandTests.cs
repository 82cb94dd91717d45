using System.Diagnostics;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Cli;

/// <summary>`medanomaly data export` run as a user runs it (the built CLI in its own process): every array holds the
/// slices, masks, foreground, volume ids and labels that <see cref="ExperimentData.Load"/> gives `train` and `score`.</summary>
public sealed class DataExportCommandTests : IDisposable
{
    readonly TemporaryFolder folder = new();
    string Data => Path.Combine(folder.Path, "phantom");
    string Out => Path.Combine(folder.Path, "export");

    public DataExportCommandTests() => PhantomSet.Write(Data, volumes: 4, size: 24, seed: 9, testFraction: 0.5);

    public void Dispose() => folder.Dispose();

    static (int Code, string Output) Cli(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "MedAnomaly.Cli.dll");
        var start = new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), "the command did not finish in 2 minutes");
        return (p.ExitCode, output + stderr.Result);
    }

    NpyArray Read(string name) => Npy.Read(Path.Combine(Out, name));

    static T[] Stack<T>(IReadOnlyList<SliceItem> slices, Func<SliceItem, T[]> part) => slices.SelectMany(part).ToArray();

    [Fact]
    public void WritesTheSlicesTrainAndScoreUse()
    {
        var (code, text) = Cli("data", "export", "--data", Data, "--out", Out);
        Assert.True(code == 0, text);
        var expected = ExperimentData.Load(Data);
        var (train, test) = (expected.Train.Items, expected.Test.Items);
        Assert.Contains($"wrote {train.Count} train + {test.Count} test slices of 24×24", text);
        Assert.Contains(test, s => s.Label == 1);   // the phantom's test split has lesions to compare

        AssertArray(Read("train.npy"), NpyDType.Float32, [train.Count, 24, 24], Stack(train, s => s.Image));
        AssertArray(Read("test.npy"), NpyDType.Float32, [test.Count, 24, 24], Stack(test, s => s.Image));
        AssertArray(Read("test_masks.npy"), NpyDType.UInt8, [test.Count, 24, 24], Stack(test, s => s.Mask!));
        AssertArray(Read("test_foreground.npy"), NpyDType.UInt8, [test.Count, 24, 24], Stack(test, s => s.Foreground));
        AssertArray(Read("test_volume_ids.npy"), NpyDType.Int32, [test.Count], expected.TestVolumeIds());
        AssertArray(Read("test_labels.npy"), NpyDType.UInt8, [test.Count], test.Select(s => (byte)s.Label).ToArray());
        Assert.Equal(train.Concat(test).Select(s => s.Origin), File.ReadAllLines(Path.Combine(Out, "slices.txt")));
        Assert.Equal(7, Directory.GetFiles(Out).Length);   // the seven outputs, no temporary file left behind
    }

    static void AssertArray<T>(NpyArray actual, NpyDType dtype, long[] shape, T[] expected)
    {
        Assert.Equal(dtype, actual.DType);
        Assert.Equal(shape, actual.Shape);
        Assert.Equal(expected, (T[])actual.Data);
    }

    [Fact]
    public void AFolderWithoutManifestFailsWithAMessage()
    {
        Directory.CreateDirectory(Path.Combine(folder.Path, "empty"));
        var (code, text) = Cli("data", "export", "--data", Path.Combine(folder.Path, "empty"), "--out", Out);
        Assert.Equal(1, code);
        Assert.Contains("error:", text);
        Assert.Contains("no manifest.json", text);
        Assert.False(Directory.Exists(Out));
    }
}
