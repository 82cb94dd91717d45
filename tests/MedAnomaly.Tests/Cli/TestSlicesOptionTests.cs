using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Runtime;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Cli;

/// <summary>`train --test-slices` scores and evaluates only the listed test slices (the peers' comparison scores a few
/// slices of a large test split), `eval` reproduces the run on them, and `score --slices` writes the maps of the same
/// slices in the same order.</summary>
public sealed class TestSlicesOptionTests : IDisposable
{
    readonly TempFolder temp = new();
    string Data => temp.File("phantom");
    string StorePath => temp.File("runs", "medanomaly.db");

    public TestSlicesOptionTests() => PhantomSet.Write(Data, volumes: 3, size: 32, seed: 0, testFraction: 0.34);

    public void Dispose() => temp.Dispose();

    string Indices(params long[] values)
    {
        string path = temp.File($"indices-{string.Join("-", values)}.npy");
        Npy.Write(path, values, values.Length);
        return path;
    }

    string[] Train(string indices) => ["train", "--method", "ae", "--data", Data, "--preset", "tiny", "--store", StorePath, "--test-slices", indices];

    [Fact]
    public void TrainScoresOnlyTheListedSlicesAndScoreWritesTheSameOnes()
    {
        var test = ExperimentData.Load(Data).Test;   // the metrics need lesion pixels and healthy ones
        long lesioned = Enumerable.Range(0, test.Count).First(i => test[i].LesionPixels > 0);
        long healthy = Enumerable.Range(0, test.Count).First(i => test[i].Label == 0);
        string indices = Indices(lesioned, healthy, 0);
        var train = CliProcess.Run(Train(indices));
        Assert.True(train.Code == 0, train.Output);
        Assert.Contains("ae seed 0 scoring: 100 % (3/3 slices", train.Stdout);
        Assert.Contains($"--test-slices {indices}", RunStore.OpenReadOnly(StorePath).GetRun(1).Info.Command);

        var eval = CliProcess.Run("eval", "--run", "1", "--store", StorePath);
        Assert.True(eval.Code == 0, eval.Output);
        Assert.Contains("every stored metric reproduced", eval.Stdout);   // on the same three slices

        string maps = temp.File("maps");
        var score = CliProcess.Run("score", "--run", "1", "--store", StorePath, "--out", maps, "--slices", indices);
        Assert.True(score.Code == 0, score.Output);
        var all = CliProcess.Run("score", "--run", "1", "--store", StorePath, "--out", temp.File("all"));
        Assert.True(all.Code == 0, all.Output);
        var sources = File.ReadAllLines(Path.Combine(temp.File("all"), "sources.txt"));
        Assert.Equal(new[] { sources[lesioned], sources[healthy], sources[0] }, File.ReadAllLines(Path.Combine(maps, "sources.txt")));
    }

    [Theory]
    [InlineData(new long[] { 0, 999 }, "index 999 is not a slice of the test split (0 … ")]
    [InlineData(new long[0], "lists no slice; expected at least one index into the test split")]
    public void ABadListIsRefusedBeforeAnythingIsRecorded(long[] values, string expected)
    {
        string indices = Indices(values);
        CliProcess.Run(Train(indices)).AssertOneLineError($"--test-slices {indices}: {expected}");
        Assert.False(File.Exists(StorePath) && RunStore.OpenReadOnly(StorePath).ListRuns().Count > 0, "a refused command recorded a run");
    }
}
