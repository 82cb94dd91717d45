using System.CommandLine;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly train`: one method, one seed — trained, scored on the test split and evaluated, recorded as a run.</summary>
public static class TrainCommand
{
    public static Command Create(string[] args)
    {
        var method = new Option<string>("--method") { Description = "the detector: " + string.Join(", ", MethodCatalog.Names), Required = true };
        var seed = new Option<ulong>("--seed") { Description = "seed of initialisation, batch order and corruptions", DefaultValueFactory = _ => 0 };
        var testSlices = new Option<string?>("--test-slices") { Description = ".npy of integer indices into the test split: score and evaluate only those slices (the command, recorded with the run, names the file)" };
        var shared = new WorkflowOptions();
        var command = new Command("train", "Train a detector on the split its supervision allows (healthy slices, or the weak split for weakly supervised methods), score the test split, store the run and its metrics") { method, seed, testSlices };
        shared.AddTo(command);
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () =>
        {
            var setup = shared.Setup(parse, parse.GetValue(method)!);     // bad --set: error before anything is recorded
            string job = $"{setup.Method} seed {parse.GetValue(seed)}";
            var outcome = Progress.Show(progress =>
            {
                var data = shared.LoadData(parse, progress.Work());
                if (parse.GetValue(testSlices) is { } indices) data = data with { Test = TestSliceSelection.Select(data.Test, indices, "--test-slices") };
                var store = RunStore.Open(parse.GetValue(shared.Store)!);
                store.MarkStaleRunsFailed();
                using var detector = setup.Detector;
                progress.Line(ResumeHint(setup.Training, WorkflowOptions.CommandLine(args)));
                return ExperimentRunner.Run(store, data, setup, parse.GetValue(seed), RunsFolder(store), WorkflowOptions.CommandLine(args),
                                            progress.Training(job), WorkflowOptions.CancelOnCtrlC(), progress.Work(job));
            });
            Console.WriteLine($"run {outcome.RunId} completed");
            foreach (var m in outcome.Metrics) Console.WriteLine($"  {m.Split,-6} {m.Name,-18} {m.Value:F6}");
            return 0;
        }));
        return command;
    }

    /// <summary>How often the run checkpoints and the command that resumes it, printed before training: after a kill
    /// nothing more can be printed.</summary>
    public static string ResumeHint(Training.TrainingOptions training, string command)
    {
        var cadence = new List<string>();
        if (training.CheckpointSeconds > 0) cadence.Add($"every {training.CheckpointSeconds:0.###} s");
        if (training.CheckpointEvery > 0) cadence.Add($"every {training.CheckpointEvery} steps");
        string when = cadence.Count == 0 ? "only when stopped with Ctrl-C" : string.Join(" and ", cadence);
        return $"checkpoints {when}; if this run is interrupted (Ctrl-C, kill, crash), the same command resumes it:{Environment.NewLine}  {command}";
    }

    /// <summary>Models and checkpoints live beside the store: runs/ID/…, runs/checkpoints/….</summary>
    public static string RunsFolder(RunStore store) => Path.GetDirectoryName(Path.GetFullPath(store.Path))!;
}
