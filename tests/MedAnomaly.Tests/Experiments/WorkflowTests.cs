using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Experiments;

/// <summary>
/// The `medanomaly` workflow end to end on a small phantom with the tiny preset, each command in its own process
/// as a user runs it: compare two methods (store, tables, figure, report), reproducibility, failures.
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]
public sealed class WorkflowTests : IDisposable
{
    readonly TemporaryFolder folder = new();
    string Data => Path.Combine(folder.Path, "phantom");
    string StorePath => Path.Combine(folder.Path, "runs", "medanomaly.db");

    public WorkflowTests() => PhantomSet.Write(Data, volumes: 6, size: 32, seed: 0, testFraction: 0.34);

    public void Dispose() => folder.Dispose();

    static (int Code, string Output) Cli(params string[] args) => Wait(Start(args));

    static Process Start(params string[] args) => CliProcess.Start(args);

    static (int Code, string Output) Wait(Process p)
    {
        var result = CliProcess.Wait(p);
        return (result.Code, result.Output);
    }

    string[] Train(string method, params string[] extra) =>
        ["train", "--method", method, "--data", Data, "--preset", "tiny", "--store", StorePath, .. extra];

    [Fact]
    public void CompareTwoMethodsRecordsRunsAndWritesTablesFigureAndReport()
    {
        string output = Path.Combine(folder.Path, "compare");
        var (code, text) = Cli("compare", "--methods", "ae,vae", "--seeds", "1", "--data", Data, "--preset", "tiny",
                               "--store", StorePath, "--out", output);
        Assert.True(code == 0, text);

        var store = RunStore.Open(StorePath);
        var runs = store.ListRuns();
        Assert.Equal(["ae", "vae"], runs.Select(r => r.Info.Method).Order());
        foreach (var run in runs)
        {
            Assert.Equal(RunStatus.Completed, run.Status);
            Assert.Contains("\"training\"", run.Info.ConfigJson);
            Assert.Contains(run.Metrics, m => m.Name == "pixel_auroc" && double.IsFinite(m.Value));
            Assert.Contains(run.Artifacts, a => a.Kind == "model" && File.Exists(a.Path));
            Assert.StartsWith("medanomaly train --method " + run.Info.Method, run.Info.Command);
        }

        var markdown = File.ReadAllText(Path.Combine(output, "results.md"));
        var latex = File.ReadAllText(Path.Combine(output, "results.tex"));
        foreach (var run in runs)
        {
            string stored = run.Metrics.Single(m => m.Split == "test" && m.Name == "pixel_auroc").Value.ToString("F3", CultureInfo.InvariantCulture);
            Assert.Matches($@"\|\s*(\*\*)?{run.Info.Method}(\*\*)?\s*\|.*{Regex.Escape(stored)}", markdown);
            Assert.Matches($@"{run.Info.Method}\s*&.*{Regex.Escape(stored)}", latex);
        }
        Assert.Contains(@"\toprule", latex);

        var figure = Png.Read(Path.Combine(output, "residuals.png"));
        Assert.True(figure.Width > 4 * 96 && figure.Height > 2 * 3 * 96, $"figure is {figure.Width}×{figure.Height}");
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.DoesNotMatch(@"<script[^>]+src\s*=", html);
        var markup = Regex.Replace(html, @"<script[^>]*>[\s\S]*?</script>", "<script></script>"); // element attributes only
        Assert.DoesNotMatch(@"\s(src|href)\s*=\s*[""']?https?://", markup);
        Assert.Contains("Plotly.newPlot", html);
    }

    /// <summary>compare on a phantom with a weak split: the unsupervised method trains on the healthy split, the weakly
    /// supervised one on the image-labelled one; each run records which, and the tables say it in a column of their own.</summary>
    [Fact]
    public void CompareFeedsEachMethodItsSplitAndReportsItsSupervision()
    {
        string data = Path.Combine(folder.Path, "phantom-weak"), output = Path.Combine(folder.Path, "compare-weak");
        Assert.Equal(0, Cli("data", "phantom", "--out", data, "--volumes", "6", "--size", "32", "--test-fraction", "0.34", "--weak", "3").Code);
        var (code, text) = Cli("compare", "--methods", "ae,gradcam", "--seeds", "1", "--data", data, "--preset", "tiny",
                               "--store", StorePath, "--out", output, "--set", "steps=2");
        Assert.True(code == 0, text);
        var runs = RunStore.Open(StorePath).ListRuns().ToDictionary(r => r.Info.Method);
        Assert.Contains("\"supervision\":\"none\",\"training_split\":\"train\"", runs["ae"].Info.ConfigJson);
        Assert.Contains("\"supervision\":\"image labels\",\"training_split\":\"weak\"", runs["gradcam"].Info.ConfigJson);
        var markdown = File.ReadAllLines(Path.Combine(output, "results.md"));
        Assert.StartsWith("| Method | Supervision |", markdown[0]);
        Assert.Contains(markdown, line => line.StartsWith("| ae | none |"));
        Assert.Contains(markdown, line => line.StartsWith("| gradcam | image labels |"));
        Assert.Contains(markdown, line => line.StartsWith("| gradcam (fg-weight) | image labels |"));
        Assert.Contains("| gradcam | image labels |", text);   // the table the command prints
    }

    [Fact]
    public void RerunningARunsCommandReproducesEveryMetric()
    {
        Assert.Equal(0, Cli(Train("ae")).Code);
        var first = RunStore.Open(StorePath).GetRun(1);
        var (code, text) = Cli(["runs", "show", "1", "--store", StorePath]);
        Assert.Equal(0, code);
        Assert.Contains("recreate: " + first.Info.Command, text);

        var args = Regex.Matches(first.Info.Command, @"[^\s""]+|""[^""]*""").Select(m => m.Value.Trim('"')).Skip(1).ToArray();
        Assert.Equal(0, Cli(args).Code);
        var second = RunStore.Open(StorePath).GetRun(2);
        Assert.Equal(first.Metrics.Where(m => m.Split == "test").Select(m => (m.Name, m.Value)),
                     second.Metrics.Where(m => m.Split == "test").Select(m => (m.Name, m.Value)));
    }

    [Fact]
    public void MissingDataOrBadSetValueFailsClearlyAndRecordsNothing()
    {
        var (code, text) = Cli(["train", "--method", "ae", "--data", Path.Combine(folder.Path, "nowhere"), "--store", StorePath]);
        Assert.Equal(1, code);
        Assert.Contains("no such folder or manifest", text);
        (code, text) = Cli(Train("ae", "--set", "steps=many"));
        Assert.Equal(1, code);
        Assert.Contains("--set steps=many: expected a number", text);
        (code, text) = Cli(Train("ae", "--set", "no_such_key=1"));
        Assert.Equal(1, code);
        Assert.Contains("--set no_such_key", text);
        Assert.False(File.Exists(StorePath) && RunStore.Open(StorePath).ListRuns().Count > 0, "a failed command recorded a run");
    }

    /// <summary>DISYRE's DAG corruption blurs in float64, a convolution libtorch 2.10 offers to NNPACK first; where NNPACK
    /// cannot start (this VM) it logged a warning per call until TorchNative switched NNPACK off (LibTorchContext).</summary>
    [Fact]
    public void TrainingDisyreLogsNoLibTorchWarnings()
    {
        var (code, text) = Cli(Train("disyre"));
        Assert.True(code == 0, text);
        Assert.DoesNotContain("NNPACK", text);
        Assert.DoesNotMatch(@"\[W\d{4} ", text); // c10's warning prefix, e.g. [W1201 05:32:09.71 NNPACK.cpp:56]
    }

    [Fact]
    public void TwoProcessesWritingToTheSameStoreBothLand()
    {
        var a = Start(Train("ae", "--seed", "1"));
        var b = Start(Train("vae", "--seed", "2"));
        var (codeA, textA) = Wait(a);
        var (codeB, textB) = Wait(b);
        Assert.True(codeA == 0, textA);
        Assert.True(codeB == 0, textB);
        Assert.All(RunStore.Open(StorePath).ListRuns(), r => Assert.Equal(RunStatus.Completed, r.Status));
        Assert.Equal(2, RunStore.Open(StorePath).ListRuns().Count);
    }

    [Fact]
    public void ARunKilledMidTrainingIsMarkedFailedAndResumes()
    {
        string[] args = Train("dae", "--set", "steps=400", "--set", "checkpointEvery=2");
        var process = Start(args);
        string checkpoints = Path.Combine(folder.Path, "runs", "checkpoints");
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(checkpoints) && Directory.EnumerateFiles(checkpoints, "*.safetensors").Any()) && clock.Elapsed < TimeSpan.FromMinutes(2))
            Thread.Sleep(100);
        Thread.Sleep(500);
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        var checkpoint = Directory.EnumerateFiles(checkpoints, "*.safetensors").Single();
        int stepAtKill = MedAnomaly.Training.TrainingCheckpoint.ReadInfo(checkpoint).Step;
        Assert.InRange(stepAtKill, 2, 399);

        var (code, text) = Cli(args);
        Assert.True(code == 0, text);
        var runs = RunStore.Open(StorePath).ListRuns().OrderBy(r => r.Id).ToList();
        Assert.Equal(RunStatus.Failed, runs[0].Status);
        Assert.Contains("ended", runs[0].Error);
        Assert.Equal(RunStatus.Completed, runs[1].Status);
        Assert.False(File.Exists(checkpoint), "the checkpoint of a completed run is removed");
    }

    /// <summary>
    /// kill -9 (Process.Kill sends SIGKILL on Linux) after the first checkpoint, which the tiny preset writes by time
    /// (checkpointSeconds; no step-based checkpoints), then the same command again: it resumes, and its final loss, test
    /// metrics and model file are identical to those of an uninterrupted run of the same command on CPU.
    /// </summary>
    [Fact]
    public void AKilledRunResumesFromItsTimedCheckpointAndEndsAsAnUninterruptedRun()
    {
        string[] Command(string store) => ["train", "--method", "ae", "--data", Data, "--preset", "tiny", "--set", "steps=600",
                                           "--set", "checkpointSeconds=0.5", "--store", store];
        string uninterruptedStore = Path.Combine(folder.Path, "uninterrupted", "medanomaly.db");
        var (code, text) = Cli(Command(uninterruptedStore));
        Assert.True(code == 0, text);

        string killedStore = Path.Combine(folder.Path, "killed", "medanomaly.db");
        var process = Start(Command(killedStore));
        string checkpoints = Path.Combine(folder.Path, "killed", "checkpoints");
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(checkpoints) && Directory.EnumerateFiles(checkpoints, "*.safetensors").Any()) && !process.HasExited
               && clock.Elapsed < TimeSpan.FromMinutes(2))
            Thread.Sleep(20);
        Assert.False(process.HasExited, "the run finished before its first timed checkpoint");
        process.Kill();                                    // SIGKILL: no handler runs, no last checkpoint
        process.WaitForExit();
        string hint = process.StandardOutput.ReadToEnd();
        Assert.Contains("if this run is interrupted (Ctrl-C, kill, crash), the same command resumes it:", hint);
        Assert.Contains("medanomaly " + string.Join(" ", Command(killedStore)), hint);
        int stepAtKill = MedAnomaly.Training.TrainingCheckpoint.ReadInfo(Directory.EnumerateFiles(checkpoints, "*.safetensors").Single()).Step;
        Assert.InRange(stepAtKill, 1, 599);

        (code, text) = Cli(Command(killedStore));
        Assert.True(code == 0, text);
        Assert.Contains($"resumed from the checkpoint at step {stepAtKill} of 600", text);
        var uninterrupted = RunStore.OpenReadOnly(uninterruptedStore).GetRun(1);
        var resumed = RunStore.OpenReadOnly(killedStore).ListRuns().Single(r => r.Status == RunStatus.Completed);
        static IEnumerable<(string, string, double)> Results(RunRecord run) =>
            run.Metrics.Where(m => m.Name != "seconds_per_step").Select(m => (m.Split, m.Name, m.Value));
        Assert.Equal(Results(uninterrupted), Results(resumed));
        Assert.Contains(resumed.Metrics, m => m.Name == "final_loss");
        string Model(RunRecord run) => run.Artifacts.Single(a => a.Kind == "model").Path;
        Assert.Equal(File.ReadAllBytes(Model(uninterrupted)), File.ReadAllBytes(Model(resumed)));
    }
}
