using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Cli;

/// <summary>`compare`'s grid options refused as one line, before anything is read or written: Slurm's options without
/// Slurm, --jobs with Slurm, a cluster that does not answer, a resume that would change the grid.</summary>
public sealed class CompareGridCommandTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    string[] Compare(params string[] extra) =>
        ["compare", "--methods", "ae", "--seeds", "1", "--data", temp.File("phantom"), "--preset", "tiny",
         "--store", temp.File("runs", "main.db"), "--out", temp.File("grid"), .. extra];

    void AssertNothingWritten()
    {
        Assert.False(File.Exists(temp.File("runs", "main.db")), "the store was created");
        Assert.False(Directory.Exists(temp.File("grid")), "the grid folder was created");
    }

    [Fact]
    public void SlurmOptionsNeedSlurmAndJobsNeedsLocal()
    {
        CliProcess.Run(Compare("--partition", "gpu")).AssertOneLineError("--partition applies to --executor slurm");
        CliProcess.Run(Compare("--jobs", "2", "--no-wait")).AssertOneLineError("--no-wait applies to --executor slurm");
        CliProcess.Run(Compare("--executor", "slurm", "--jobs", "2")).AssertOneLineError("--jobs applies to --executor local");
        CliProcess.Run(Compare("--executor", "pbs")).AssertOneLineError("--executor pbs: expected local or slurm");
        CliProcess.Run(Compare("--jobs", "0")).AssertOneLineError("--jobs must be at least 1, got 0");
        CliProcess.Run(Compare("--executor", "slurm", "--sbatch", "account=lab")).AssertOneLineError("--sbatch account=lab: expected one sbatch option");
        AssertNothingWritten();
    }

    [Fact]
    public void AClusterThatDoesNotAnswerIsAnErrorBeforeAnythingIsWritten()
    {
        var result = CliProcess.Wait(CliProcess.Start(Compare("--executor", "slurm"),
            new Dictionary<string, string?> { ["SLURM_CONF"] = temp.File("no-such-slurm.conf") }));
        result.AssertOneLineError("scontrol show config failed");
        AssertNothingWritten();
    }

    [Fact]
    public void AResumeKeepsTheGridAsPlanned()
    {
        PhantomSet.Write(temp.File("phantom"), volumes: 4, size: 32, seed: 0, testFraction: 0.5);
        GridPlan.Create(temp.File("grid"), temp.File("runs", "main.db"), temp.File("phantom"), null, ["ae"], 0, 1, ["--data", temp.File("phantom")]).Save();
        CliProcess.Run("compare", "--resume", temp.File("grid"), "--methods", "ae,dae")
            .AssertOneLineError($"--resume {temp.File("grid")} continues the grid as planned in grid.json; drop --methods");
        CliProcess.Run("compare", "--resume", temp.File("nowhere")).AssertOneLineError("no grid.json there");
        CliProcess.Run("compare", "--methods", "ae").AssertOneLineError("compare needs --data");
    }
}
