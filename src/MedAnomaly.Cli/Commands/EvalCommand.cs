using System.CommandLine;
using System.Globalization;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// `medanomaly eval --run ID`: loads the run's model, scores the test split (or the run's --test-slices) again and
/// computes every metric; it prints them beside the stored values and says whether they are reproduced to the last
/// digit. With <c>--data</c> it evaluates the model on another dataset (the store keeps a run's metrics as recorded: a
/// completed run is never changed).
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var run = new Option<long>("--run") { Description = "the run id", Required = true };
        var data = new Option<string?>("--data") { Description = "evaluate on this dataset instead of the run's own" };
        var root = new Option<string?>("--root") { Description = "the data folder of a manifest file" };
        var store = new Option<string>("--store") { Description = "the run store (SQLite)", DefaultValueFactory = _ => RunStore.DefaultPath };
        var command = new Command("eval", "Recompute every metric of a run from its saved model and compare with the stored values") { run, data, root, store };
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () =>
        {
            var runStore = RunStore.OpenReadOnly(parse.GetValue(store)!);
            var record = runStore.GetRun(parse.GetValue(run));
            var model = record.Artifacts.FirstOrDefault(a => a.Kind == "model")
                        ?? throw new InvalidOperationException($"run {record.Id} has no saved model (status {record.Status.ToString().ToLowerInvariant()})");
            var (dataset, metrics) = Progress.Show(progress =>
            {
                var dataset = LoadData(record.Info.Command, parse.GetValue(data), parse.GetValue(root), progress.Work());
                if (parse.GetValue(data) is null && Argument(record.Info.Command, "--test-slices") is { } listed)   // the slices the run was evaluated on
                    dataset = dataset with { Test = TestSliceSelection.Select(dataset.Test, listed, "the run's --test-slices") };
                using var detector = MethodCatalog.Load(model.Path);
                var scored = ScoredSet.Score(detector, dataset.Test, progress: progress.Work());
                return (dataset, scored.Metrics(ExperimentRunner.EvaluationOf(record.Info.ConfigJson), dataset.TestVolumeIds(), progress.Work()));
            });
            bool same = true;
            foreach (var m in metrics)
            {
                var stored = record.Metrics.FirstOrDefault(s => s.Split == m.Split && s.Name == m.Name)?.Value;
                bool equal = stored is double v && (v == m.Value || (double.IsNaN(v) && double.IsNaN(m.Value)));
                same &= equal;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {m.Split,-20} {m.Name,-18} {m.Value:R}   stored {(stored is double s2 ? s2.ToString("R", CultureInfo.InvariantCulture) : "–")}  {(equal ? "=" : "≠")}"));
            }
            Console.WriteLine(parse.GetValue(data) is null ? (same ? "every stored metric reproduced" : "some metrics differ from the stored ones") : $"evaluated on {dataset.Name}");
            return 0;
        }));
        return command;
    }

    /// <summary>The run's data (or <paramref name="data"/>) with the channels and test split of the command that made it.</summary>
    public static ExperimentData LoadData(string commandLine, string? data, string? root, IProgress<Runtime.WorkProgress>? progress = null) =>
        ExperimentData.Load(data ?? DataArgument(commandLine), root, Argument(commandLine, "--channels"), Argument(commandLine, "--test-split") ?? "test", progress);

    /// <summary>The --data value of the command that made the run.</summary>
    public static string DataArgument(string commandLine) =>
        Argument(commandLine, "--data") ?? throw new ArgumentException("the run's command has no --data; pass --data");

    /// <summary>The value of <paramref name="option"/> in a recorded command line, or null.</summary>
    public static string? Argument(string commandLine, string option)
    {
        var tokens = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int i = Array.IndexOf(tokens, option);
        if (i >= 0 && i + 1 < tokens.Length) return tokens[i + 1].Trim('"');
        var inline = tokens.FirstOrDefault(t => t.StartsWith(option + "="));
        return inline?[(option.Length + 1)..].Trim('"');
    }
}
