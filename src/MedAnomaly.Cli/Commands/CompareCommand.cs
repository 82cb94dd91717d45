using System.CommandLine;
using MedAnomaly.Experiments;
using Spectre.Console;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly compare`: the main job — methods × seeds on one dataset, then tables, figure and report.</summary>
public static class CompareCommand
{
    public static Command Create(string[] args)
    {
        var defaults = new ComparisonOptions();
        var methods = new Option<string>("--methods") { Description = "comma-separated detectors", DefaultValueFactory = _ => string.Join(",", defaults.Methods) };
        var seeds = new Option<int>("--seeds") { Description = "seeds per method (0, 1, …)", DefaultValueFactory = _ => defaults.Seeds };
        var output = new Option<string>("--out") { Description = "folder for the tables, figure and report", DefaultValueFactory = _ => defaults.OutputDirectory };
        var shared = new WorkflowOptions();
        var command = new Command("compare", "Train, score and evaluate each method for each seed; write the results table (MD, LaTeX, HTML, CSV), the residual-map figure and an HTML report")
        {
            methods, seeds, output,
        };
        shared.AddTo(command);
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () =>
        {
            var names = parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var name in names) shared.Setup(parse, name).Detector.Dispose();   // every method and --set checked before any run
            var data = shared.LoadData(parse);
            var store = RunStore.Open(parse.GetValue(shared.Store)!);
            store.MarkStaleRunsFailed();
            var options = defaults with { Methods = names, Seeds = parse.GetValue(seeds), OutputDirectory = parse.GetValue(output)!, Evaluation = shared.Evaluation(parse) };
            var ct = WorkflowOptions.CancelOnCtrlC();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            ComparisonResult? result = null;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx => result = Comparison.Run(store, data, options, name => shared.Setup(parse, name), TrainCommand.RunsFolder(store),
                    (name, seed) => RunCommandLine(args, name, seed), line => AnsiConsole.MarkupLine(Markup.Escape(line)),
                    (name, seed) => Progress.Reporter(ctx.AddTask(Markup.Escape($"{name} seed {seed}")), $"{name} seed {seed}"), ct));
            Console.WriteLine();
            Console.WriteLine(Tables.Format("md", result!.Summary, result.TableOptions));
            Console.WriteLine($"{result.RunIds.Count} runs in {clock.Elapsed.TotalMinutes:F1} min; tables: {string.Join(", ", result.Tables)}");
            Console.WriteLine($"figure: {result.Figure} (per test slice, one row per method: input | reconstruction | anomaly map | lesion outline)");
            Console.WriteLine($"report: {result.Report}");
            return 0;
        }));
        return command;
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
