using System.CommandLine;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly compare`: the main job — methods × seeds on one dataset, then tables, figure and report. By default
/// the cells run one after another in this process; with --jobs N or --executor slurm they run as a grid of
/// `medanomaly train` processes (<see cref="CompareGrid"/>, docs/cluster.md).</summary>
public static class CompareCommand
{
    public static Command Create(string[] args)
    {
        var defaults = new ComparisonOptions();
        var methods = new Option<string>("--methods") { Description = "comma-separated detectors", DefaultValueFactory = _ => string.Join(",", defaults.Methods) };
        var seeds = new Option<int>("--seeds") { Description = "seeds per method (0, 1, …)", DefaultValueFactory = _ => defaults.Seeds };
        var output = new Option<string>("--out") { Description = "folder for the tables, figure and report (and a grid's cells, logs and grid.json)", DefaultValueFactory = _ => defaults.OutputDirectory };
        var shared = new WorkflowOptions();
        shared.Data.Required = false;   // --resume GRID takes it from the grid
        var grid = new CompareGrid.Options();
        var command = new Command("compare", "Train, score and evaluate each method for each seed; write the results table (MD, LaTeX, HTML, CSV), the residual-map figure and an HTML report")
        {
            methods, seeds, output,
        };
        shared.AddTo(command);
        grid.AddTo(command);
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () =>
        {
            var ct = WorkflowOptions.CancelOnCtrlC();
            if (parse.GetValue(grid.Resume) is { } folder) return CompareGrid.Resume(parse, grid, folder, ct);
            if (parse.GetValue(shared.Data) is null) throw new ArgumentException("compare needs --data (a phantom folder or a manifest), or --resume GRID");
            var names = parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var name in names) shared.Setup(parse, name).Detector.Dispose();   // every method and --set checked before any run
            if (!grid.IsGrid(parse)) grid.RefuseGridOnlyOptions(parse);
            var executor = grid.IsGrid(parse) ? CompareGrid.CreateExecutor(parse, grid, grid.ExecutorName(parse), null, parse.GetValue(shared.Device), ct) : null;
            var options = defaults with { Methods = names, Seeds = parse.GetValue(seeds), OutputDirectory = parse.GetValue(output)!, Evaluation = shared.Evaluation(parse) };
            if (executor is null) return InProcess(args, shared, parse, options, ct);
            var data = shared.LoadData(parse);
            var store = RunStore.Open(parse.GetValue(shared.Store)!);
            store.MarkStaleRunsFailed();
            return CompareGrid.Start(parse, shared, grid, executor, data, store, options, ct);
        }));
        return command;
    }

    /// <summary>Every cell in this process, one after another (the default).</summary>
    static int InProcess(string[] args, WorkflowOptions shared, ParseResult parse, ComparisonOptions options, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Progress.Show(progress =>
        {
            var data = shared.LoadData(parse, progress.Work());
            var store = RunStore.Open(parse.GetValue(shared.Store)!);
            store.MarkStaleRunsFailed();
            return Comparison.Run(store, data, options, name => shared.Setup(parse, name), TrainCommand.RunsFolder(store),
                (name, seed) => RunCommandLine(args, name, seed), progress.Line, (name, seed) => progress.Training($"{name} seed {seed}"), ct,
                progress.Work());
        });
        Console.WriteLine();
        PrintResult(result, clock.Elapsed);
        return 0;
    }

    public static void PrintResult(ComparisonResult result, TimeSpan elapsed)
    {
        Console.WriteLine(Tables.Format("md", result.Summary, result.TableOptions));
        Console.WriteLine($"{result.RunIds.Count} runs in {elapsed.TotalMinutes:F1} min; tables: {string.Join(", ", result.Tables)}");
        Console.WriteLine($"figure: {result.Figure} (per test slice, one row per method: input | reconstruction | anomaly map | lesion outline)");
        Console.WriteLine($"report: {result.Report}");
    }

    /// <summary>The `medanomaly train` command that recreates one run of the comparison.</summary>
    static string RunCommandLine(string[] args, string method, ulong seed)
    {
        var kept = new List<string> { "train", "--method", method, "--seed", seed.ToString() };
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] is "--methods" or "--seeds" or "--out") { i++; continue; }
            if (args[i].StartsWith("--methods=") || args[i].StartsWith("--seeds=") || args[i].StartsWith("--out=")) continue;
            kept.Add(args[i]);
        }
        return WorkflowOptions.CommandLine(kept);
    }
}
