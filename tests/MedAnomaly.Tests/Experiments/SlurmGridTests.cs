using System.Diagnostics;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Experiments;

/// <summary>
/// `compare --executor slurm` through a real Slurm (<see cref="SlurmCluster"/>, one node, 2 CPUs), each command in its own
/// process as a user runs it: a task killed with SIGKILL mid-training is requeued by its script and resumes from its
/// checkpoint, and the merged store's metrics equal the local executor's to the last bit (one libtorch thread per cell on
/// both); a cell failing three times is reported with its log, the others tabled, and `--resume` reruns only it.
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmGridTests : IDisposable
{
    readonly SlurmCluster cluster;
    readonly TempFolder folder = new();
    string Data => folder.File("phantom");

    public SlurmGridTests(SlurmCluster cluster)
    {
        this.cluster = cluster;
        PhantomSet.Write(Data, volumes: 6, size: 32, seed: 0, testFraction: 0.34);
    }

    public void Dispose() => folder.Dispose();

    string[] Compare(string name, string methods, params string[] extra) =>
        ["compare", "--methods", methods, "--seeds", "2", "--data", Data, "--preset", "tiny", "--set", "steps=40", "--set", "checkpointSeconds=1",
         "--store", folder.File(name, "main.db"), "--out", folder.File(name, "grid"), .. extra];

    Process Start(string[] args) => CliProcess.Start(args, cluster.Environment);

    static CliResult Wait(Process process) => CliProcess.Wait(process, timeoutMs: 300_000);

    static IEnumerable<(string, long, string, string, double)> Results(RunStore store) =>
        store.ListRuns(RunFilter.Completed).OrderBy(r => r.Info.Method).ThenBy(r => r.Info.Seed)
            .SelectMany(r => r.Metrics.Where(m => m.Name != "seconds_per_step").Select(m => (r.Info.Method, r.Info.Seed, m.Split, m.Name, m.Value)));

    [Fact]
    public void AKilledTaskIsRequeuedAndResumesAndTheMergedStoreEqualsTheLocalExecutors()
    {
        cluster.Require();
        // One libtorch thread per cell on both sides: Slurm tasks get one CPU each, local cells cores / jobs.
        var local = Wait(Start(Compare("local", "ae,dae", "--jobs", Environment.ProcessorCount.ToString())));
        Assert.True(local.Code == 0, local.Output);

        var slurm = Start(Compare("slurm", "ae,dae", "--executor", "slurm"));
        var plan = WaitForGrid(folder.File("slurm", "grid"), slurm);
        var victim = plan.Cells.Single(c => c.Name == "dae-seed0");
        var (pid, checkpoint) = WaitForCheckpoint(plan, victim, slurm);
        Process.GetProcessById(pid).Kill();   // SIGKILL to the task's `medanomaly train`: no handler, no last checkpoint
        int stepAtKill = MedAnomaly.Training.TrainingCheckpoint.ReadInfo(checkpoint).Step;
        Assert.InRange(stepAtKill, 1, 39);
        var result = Wait(slurm);
        Assert.True(result.Code == 0, result.Output);

        var attempts = CellAttempt.Read(plan.AttemptsFile(victim));
        Assert.Equal([(1, "started"), (1, "exit 137"), (2, "started"), (2, "exit 0")], attempts.Select(a => (a.Attempt, a.Event)));
        Assert.Single(attempts.Select(a => a.Job).Distinct());       // the same array task, requeued (SLURM_RESTART_COUNT 1)
        Assert.Contains("dae-seed0: pending: attempt 2 queued after exit code 137", result.Output);
        string log = File.ReadAllText(plan.LogFile(victim));
        Assert.Contains("== requeueing task", log);
        Assert.Contains($"resumed from the checkpoint at step {stepAtKill} of 40", log);
        Assert.All(plan.Cells.Where(c => c != victim), c => Assert.Equal(2, CellAttempt.Read(plan.AttemptsFile(c)).Count));

        var store = RunStore.OpenReadOnly(folder.File("slurm", "main.db"));
        Assert.Equal(4, store.ListRuns(RunFilter.Completed).Count);
        var killed = store.ListRuns(new RunFilter(Status: RunStatus.Failed)).Single();   // marked by the second attempt, then merged
        Assert.Equal(("dae", 0L), (killed.Info.Method, killed.Info.Seed));
        Assert.All(store.ListRuns(RunFilter.Completed), r => Assert.EndsWith("libtorch threads 1", r.Info.Machine));
        Assert.All(store.ListRuns(RunFilter.Completed), r => Assert.StartsWith($"medanomaly train --method {r.Info.Method} --seed {r.Info.Seed} ", r.Info.Command));

        var localStore = RunStore.OpenReadOnly(folder.File("local", "main.db"));
        Assert.All(localStore.ListRuns(RunFilter.Completed), r => Assert.EndsWith("libtorch threads 1", r.Info.Machine));
        Assert.Equal(Results(localStore), Results(store));   // every metric, to the last bit
        Assert.Equal(File.ReadAllText(folder.File("local", "grid", "results.md")), File.ReadAllText(folder.File("slurm", "grid", "results.md")));
        Assert.True(File.Exists(folder.File("slurm", "grid", "residuals.png")));

        var again = CliProcess.Run(["runs", "merge", folder.File("slurm", "grid"), "--store", folder.File("slurm", "main.db")]);
        Assert.True(again.Code == 0, again.Output);
        Assert.DoesNotContain("1 run(s) added", again.Output);
        Assert.Equal(5, RunStore.OpenReadOnly(folder.File("slurm", "main.db")).ListRuns().Count);
    }

    [Fact]
    public void ACellFailingThreeTimesIsReportedWithItsLogAndResumeRunsOnlyIt()
    {
        cluster.Require();
        string grid = folder.File("failing", "grid");
        string blocked = Path.Combine(grid, "cells", "ae-seed1", "runs.db");
        Directory.CreateDirectory(blocked);   // the cell's store path is a folder: its train command fails at once, every time

        var submitted = Wait(Start(Compare("failing", "ae", "--executor", "slurm", "--no-wait")));
        Assert.True(submitted.Code == 0, submitted.Output);
        Assert.Contains("2 of 2 cells submitted to Slurm job array", submitted.Output);
        Assert.Contains($"compare --resume {grid}", submitted.Output);

        var waited = Wait(Start(["compare", "--resume", grid]));
        string log = Path.Combine(grid, "logs", "ae-seed1.log");
        Assert.True(waited.Code == 3, waited.Output);
        Assert.Contains($"1 of 2 cells missing", waited.Output);
        Assert.Contains($"ae-seed1: failed 3 time(s) (last exit code 1); log: {log}", waited.Output);
        Assert.Contains("is a folder", File.ReadAllText(log));
        Assert.Equal(2, File.ReadAllText(log).Split("== requeueing task").Length - 1);
        var store = RunStore.OpenReadOnly(folder.File("failing", "main.db"));
        Assert.Equal([0L], store.ListRuns(RunFilter.Completed).Select(r => r.Info.Seed));
        Assert.Matches(@"\| ae \| none \| (\*\*)?[0-9.]+ ± –(\*\*)? \|", File.ReadAllText(Path.Combine(grid, "results.md")));   // one seed: no spread

        Directory.Delete(blocked);
        var resumed = Wait(Start(["compare", "--resume", grid]));
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains("1 of 2 cells submitted to Slurm job array", resumed.Output);
        Assert.Equal([0L, 1L], RunStore.OpenReadOnly(folder.File("failing", "main.db")).ListRuns(RunFilter.Completed).Select(r => r.Info.Seed));
        Assert.Single(CellAttempt.Read(Path.Combine(grid, "cells", "ae-seed0", "attempts.tsv")), a => a.Event == "started");
    }

    static GridPlan WaitForGrid(string grid, Process compare)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (File.Exists(Path.Combine(grid, GridPlan.FileName)) && GridPlan.Load(grid).Submissions.Count > 0) return GridPlan.Load(grid);
            if (compare.HasExited) Assert.Fail("compare ended before submitting: " + CliProcess.Wait(compare).Output);
            Thread.Sleep(50);
        }
        throw new TimeoutException($"no submission in {grid}/{GridPlan.FileName} after 1 min");
    }

    /// <summary>Waits until the cell's first attempt has written a checkpoint; returns its train process and the checkpoint.</summary>
    static (int Pid, string Checkpoint) WaitForCheckpoint(GridPlan plan, GridCell cell, Process compare)
    {
        string checkpoints = Path.Combine(plan.CellFolder(cell), "checkpoints");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            var checkpoint = Directory.Exists(checkpoints) ? Directory.EnumerateFiles(checkpoints, "*.safetensors").FirstOrDefault() : null;
            if (checkpoint is not null)
            {
                var running = RunStore.OpenReadOnly(plan.CellStore(cell)).ListRuns(new RunFilter(Status: RunStatus.Running)).Single();
                return (running.Owner!.Pid, checkpoint);
            }
            if (compare.HasExited) Assert.Fail("compare ended before the cell checkpointed: " + CliProcess.Wait(compare).Output);
            Thread.Sleep(20);
        }
        throw new TimeoutException($"{cell.Name} wrote no checkpoint in 3 min");
    }
}
