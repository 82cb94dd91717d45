using System.CommandLine;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Runtime;
using MedAnomaly.Viz;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// `medanomaly score --run ID --data …`: the run's model scores the test split of a dataset and writes the anomaly
/// maps: <c>maps.npy</c> [N,H,W] float32 (+ <c>scores.npy</c> [N], <c>sources.txt</c> naming each slice) and one
/// labelled PNG per slice with --png (input | reconstruction | anomaly map | lesion outline, <see cref="ResidualFigure"/>). Slices of NIfTI volumes are written as NPY slices too; a map volume in NIfTI needs
/// the volumes' geometry back from the slicer, which this command does not reconstruct yet.
/// </summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var run = new Option<long>("--run") { Description = "the run id", Required = true };
        var data = new Option<string?>("--data") { Description = "the dataset to score (default: the run's)" };
        var root = new Option<string?>("--root") { Description = "the data folder of a manifest file" };
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => "out/score" };
        var png = new Option<bool>("--png") { Description = "also write input | map | outline PNGs, one per slice" };
        var store = new Option<string>("--store") { Description = "the run store (SQLite)", DefaultValueFactory = _ => RunStore.DefaultPath };
        var slices = new Option<string?>("--slices") { Description = ".npy of integer indices into the test split: score only those slices, in that order" };
        var command = new Command("score", "Write a run's anomaly maps for a dataset's test split (NPY, optional PNG)") { run, data, root, output, png, store, slices };
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () =>
        {
            var record = RunStore.OpenReadOnly(parse.GetValue(store)!).GetRun(parse.GetValue(run));
            var model = record.Artifacts.FirstOrDefault(a => a.Kind == "model")
                        ?? throw new InvalidOperationException($"run {record.Id} has no saved model");
            var folder = parse.GetValue(output)!;
            var (scored, seconds) = Progress.Show(progress =>
            {
                var dataset = EvalCommand.LoadData(record.Info.Command, parse.GetValue(data), parse.GetValue(root), progress.Work());
                using var detector = MethodCatalog.Load(model.Path);
                var test = parse.GetValue(slices) is { } indices ? TestSliceSelection.Select(dataset.Test, indices, "--slices") : dataset.Test;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var scored = ScoredSet.Score(detector, test, progress: progress.Work());
                var seconds = clock.Elapsed.TotalSeconds;
                Directory.CreateDirectory(folder);
                Npy.Write(Path.Combine(folder, "maps.npy"), scored.Maps, scored.Slices.Count, scored.Height, scored.Width);
                Npy.Write(Path.Combine(folder, "scores.npy"), scored.Scores, scored.Slices.Count);
                File.WriteAllLines(Path.Combine(folder, "sources.txt"), scored.Slices.Select(s => s.Origin));
                if (parse.GetValue(png)) WritePngs(folder, record.Info.Method, scored, progress.Work());
                return (scored, seconds);
            });
            Console.WriteLine($"{scored.Slices.Count} maps ({scored.Height}×{scored.Width}) written to {folder}; scoring took {seconds:F1} s ({seconds / scored.Slices.Count:F3} s per slice)");
            return 0;
        }));
        return command;
    }

    static void WritePngs(string folder, string method, ScoredSet scored, IProgress<WorkProgress> progress)
    {
        var written = WorkProgress.Start(progress, "writing PNGs", scored.Slices.Count, "files");
        for (int i = 0; i < scored.Slices.Count; i++)
        {
            ResidualFigure.Write(Path.Combine(folder, $"slice_{i:D5}.png"), [(method, scored)], [i]);
            written.Add();
        }
    }
}
