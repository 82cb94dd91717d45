using System.Diagnostics;
using MedAnomaly.Experiments;

namespace MedAnomaly.Tests.Experiments;

/// <summary>
/// A grid's parts without a cluster: the plan and its file, the Slurm task script run by bash with a stand-in
/// `medanomaly` and `scontrol` (attempts, requeue, threads, log), cell states, and the local executor's processes and
/// retries. The real engine runs in <see cref="SlurmGridTests"/>.
/// </summary>
public sealed class GridTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    GridPlan Plan(params string[] methods) =>
        GridPlan.Create(temp.File("grid"), temp.File("main.db"), temp.File("data"), null, methods, firstSeed: 0, seeds: 2,
                        ["--data", temp.File("data"), "--preset", "tiny", "--set", "steps=40"]);

    /// <summary>A stand-in for the CLI: records its arguments and MEDANOMALY_NUM_THREADS in the cell's folder (found from
    /// --store), then exits with the code listed for its attempt in the cell's <c>exits</c> file (0 once the list is used up).</summary>
    string FakeCli()
    {
        string path = temp.File("fake-medanomaly.sh");
        File.WriteAllText(path, """
            #!/bin/bash
            store=""; prev=""
            for a in "$@"; do [ "$prev" = --store ] && store=$a; prev=$a; done
            cell=$(dirname "$store")
            echo "$* | threads=$MEDANOMALY_NUM_THREADS" >>"$cell/calls.txt"
            echo "training in $cell"
            n=$(wc -l <"$cell/calls.txt")
            code=$(sed -n "${n}p" "$cell/exits" 2>/dev/null)
            exit "${code:-0}"
            """);
        return path;
    }

    static void Exits(GridPlan plan, GridCell cell, params int[] codes)
    {
        Directory.CreateDirectory(plan.CellFolder(cell));
        File.WriteAllLines(Path.Combine(plan.CellFolder(cell), "exits"), codes.Select(c => c.ToString()));
    }

    [Fact]
    public void APlanHasACellPerSeedAndMethodEachWithItsOwnStoreAndRoundTripsThroughItsFile()
    {
        var plan = Plan("ae", "dae");
        Assert.Equal(["ae-seed0", "dae-seed0", "ae-seed1", "dae-seed1"], plan.Cells.Select(c => c.Name));
        Assert.Equal([0, 1, 2, 3], plan.Cells.Select(c => c.Index));
        Assert.Equal(["train", "--method", "dae", "--seed", "1", "--data", temp.File("data"), "--preset", "tiny", "--set", "steps=40",
                      "--store", temp.File("grid", "cells", "dae-seed1", "runs.db")], plan.Cells[3].TrainArgs);
        plan.Submissions.Add(new GridSubmission("slurm", [1, 3], new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc), "4242", 0,
            Slurm: new SlurmOptions { Partition = "gpu", CpusPerTask = 8, Gpus = 1, Extra = ["--qos=short"] }));
        plan.Save();

        var loaded = GridPlan.Load(temp.File("grid"));
        Assert.Equal(plan.Folder, loaded.Folder);
        Assert.Equal((plan.Id, plan.Store, plan.Data), (loaded.Id, loaded.Store, loaded.Data));
        Assert.Equal(plan.Cells.Select(c => (c.Index, c.Method, c.Seed, string.Join(" ", c.TrainArgs))),
                     loaded.Cells.Select(c => (c.Index, c.Method, c.Seed, string.Join(" ", c.TrainArgs))));
        var submission = loaded.Submissions.Single();
        Assert.Equal(("slurm", "4242", "gpu", 8, 1, "--qos=short"),
                     (submission.Executor, submission.JobId, submission.Slurm!.Partition, submission.Slurm.CpusPerTask, submission.Slurm.Gpus, submission.Slurm.Extra.Single()));
        Assert.Equal([1, 3], submission.Cells);
        Assert.True(Directory.Exists(temp.File("grid", "logs")));

        Assert.Contains("--resume", Assert.Throws<IOException>(() => Plan("ae")).Message);
        Assert.Contains("no grid.json", Assert.Throws<FileNotFoundException>(() => GridPlan.Load(temp.File("elsewhere"))).Message);
    }

    [Fact]
    public void ArraySpecsAndShellWords()
    {
        Assert.Equal("0-2,5,7-8", SlurmScript.ArraySpec([8, 0, 1, 2, 5, 7]));
        Assert.Equal("3%2", SlurmScript.ArraySpec([3], maxRunning: 2));
        Assert.Equal("/a/b-c_d.db", SlurmScript.Quote("/a/b-c_d.db"));
        Assert.Equal("'a b'", SlurmScript.Quote("a b"));
        Assert.Equal("'it'\\''s $HOME'", SlurmScript.Quote("it's $HOME"));
        Assert.Equal("''", SlurmScript.Quote(""));
    }

    /// <summary>The task script as Slurm runs it (bash, SLURM_* variables), with stand-ins for `medanomaly` and `scontrol`.</summary>
    (int Code, string Requeues) RunTask(GridPlan plan, string script, int task, int? restarts)
    {
        string bin = temp.File("bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "scontrol"), $"#!/bin/bash\necho \"$*\" >>{temp.File("scontrol.txt")}\n");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(Path.Combine(bin, "scontrol"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("/bin/bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["SLURM_ARRAY_JOB_ID"] = "77";
        start.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString();
        start.Environment["SLURM_CPUS_PER_TASK"] = "3";
        if (restarts is { } r) start.Environment["SLURM_RESTART_COUNT"] = r.ToString(); else start.Environment.Remove("SLURM_RESTART_COUNT");
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(output.Length == 0, $"the script wrote outside the cell's log: {output}");
        string requeues = File.Exists(temp.File("scontrol.txt")) ? File.ReadAllText(temp.File("scontrol.txt")) : "";
        File.Delete(temp.File("scontrol.txt"));
        return (process.ExitCode, requeues);
    }

    [Fact]
    public void TheSlurmTaskRunsItsCellsTrainCommandAndRequeuesAFailedAttemptUntilTheThird()
    {
        var plan = Plan("ae", "dae");
        plan.Save();
        var options = new SlurmOptions { Partition = "gpu", Time = "12:00:00", CpusPerTask = 3, Memory = "16G", Gpus = 1, MaxRunning = 4, Extra = ["--account=lab"] };
        var launcher = new CliLauncher(["/bin/bash", FakeCli()]);
        string text = SlurmScript.Text(plan, plan.Cells, SlurmScript.ArraySpec(plan.Cells.Select(c => c.Index), options.MaxRunning), 0, options, launcher, temp.Path);
        foreach (var directive in new[] { "--array=0-3%4", "--requeue", "--open-mode=append", "--cpus-per-task=3", "--partition=gpu", "--time=12:00:00",
                                          "--mem=16G", "--gres=gpu:1", "--account=lab", $"--job-name=medanomaly-{plan.Id}" })
            Assert.Contains($"\n#SBATCH {directive}\n", text);
        string script = temp.File("grid", "task.sbatch");
        File.WriteAllText(script, text);
        var cell = plan.Cells[1];
        Exits(plan, cell, 137, 1, 1);

        Assert.Equal((137, $"requeue 77_1\n"), RunTask(plan, script, task: 1, restarts: null));   // attempt 1: killed → requeued
        Assert.Equal((1, $"requeue 77_1\n"), RunTask(plan, script, task: 1, restarts: 1));        // attempt 2
        Assert.Equal((1, ""), RunTask(plan, script, task: 1, restarts: 2));                       // attempt 3: no more

        var calls = File.ReadAllLines(Path.Combine(plan.CellFolder(cell), "calls.txt"));
        Assert.All(calls, call => Assert.Equal(string.Join(" ", cell.TrainArgs) + " | threads=3", call));
        Assert.Equal(3, calls.Length);
        var attempts = CellAttempt.Read(plan.AttemptsFile(cell));
        Assert.Equal([(1, "started"), (1, "exit 137"), (2, "started"), (2, "exit 1"), (3, "started"), (3, "exit 1")], attempts.Select(a => (a.Attempt, a.Event)));
        Assert.All(attempts, a => Assert.Equal("77_1", a.Job));
        string log = File.ReadAllText(plan.LogFile(cell));
        Assert.Contains("== attempt 1 of 3: cell dae-seed0, task 77_1", log);
        Assert.Contains("training in " + plan.CellFolder(cell), log);
        Assert.Contains("== requeueing task 77_1", log);

        var status = GridCellStatus.Of(plan, new Dictionary<int, CellState>()).Single(s => s.Cell == cell);
        Assert.Equal((CellState.Failed, 3, (int?)1), (status.State, status.Attempts, status.LastExitCode));
        Assert.Equal($"failed 3 time(s) (last exit code 1); log: {plan.LogFile(cell)}", status.Describe());
        Assert.Equal(CellState.Pending, GridCellStatus.Of(plan, new Dictionary<int, CellState> { [1] = CellState.Pending })[1].State);

        Assert.Equal((0, ""), RunTask(plan, script, task: 0, restarts: null));
        var states = GridCellStatus.Of(plan, new Dictionary<int, CellState> { [2] = CellState.Running });
        Assert.Equal([CellState.Done, CellState.Failed, CellState.Running, CellState.Failed], states.Select(s => s.State));
        Assert.Equal("never started (its job left the queue first); log: " + plan.LogFile(plan.Cells[3]), states[3].Describe());
    }

    [Fact]
    public void TheLocalExecutorRunsCellsAsProcessesWithCoresOverJobsThreadsAndRetriesUpToThreeAttempts()
    {
        var plan = Plan("ae", "dae");
        Exits(plan, plan.Cells[1], 1);            // fails once, then succeeds
        Exits(plan, plan.Cells[2], 3, 3, 3);      // fails every time
        var executor = new LocalGridExecutor(new CliLauncher(["/bin/bash", FakeCli()]), jobs: 2);
        var submissions = GridRun.SubmitMissing(plan, executor);
        Assert.Equal([0, 1, 2, 3], submissions.Single().Cells);
        Assert.Equal(2, submissions.Single().Jobs);
        var reports = new List<IReadOnlyList<GridCellStatus>>();
        var final = GridRun.Wait(plan, executor, reports.Add, TimeSpan.FromMilliseconds(50));

        Assert.Equal([(CellState.Done, 1), (CellState.Done, 2), (CellState.Failed, 3), (CellState.Done, 1)], final.Select(s => (s.State, s.Attempts)));
        Assert.Contains(reports, r => r.Any(s => s.State == CellState.Running));
        int threads = Math.Max(1, Environment.ProcessorCount / 2);
        Assert.All(plan.Cells, cell => Assert.All(File.ReadAllLines(Path.Combine(plan.CellFolder(cell), "calls.txt")),
            call => Assert.Equal(string.Join(" ", cell.TrainArgs) + $" | threads={threads}", call)));
        Assert.Contains("== attempt 3 of 3: cell ae-seed1", File.ReadAllText(plan.LogFile(plan.Cells[2])));
        Assert.Contains("== attempt 3: exit code 3", File.ReadAllText(plan.LogFile(plan.Cells[2])));

        // A resume submits only the cell that has not completed.
        File.Delete(Path.Combine(plan.CellFolder(plan.Cells[2]), "exits"));
        var again = new LocalGridExecutor(new CliLauncher(["/bin/bash", FakeCli()]), jobs: 2);
        Assert.Equal([2], GridRun.SubmitMissing(plan, again).Single().Cells);
        Assert.All(GridRun.Wait(plan, again, _ => { }, TimeSpan.FromMilliseconds(50)), s => Assert.Equal(CellState.Done, s.State));
        Assert.Equal(2, GridPlan.Load(plan.Folder).Submissions.Count);
    }
}
