using System.CommandLine;
using MedAnomaly.Experiments;
using Spectre.Console;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly demo`: the main job on the embedded phantom (see <see cref="DenoisingDemo"/>).</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var defaults = new DenoisingDemoOptions();
        var steps = new Option<int>("--steps") { Description = "training steps", DefaultValueFactory = _ => defaults.Steps };
        var size = new Option<int>("--size") { Description = "phantom grid size (slices are SIZE×SIZE)", DefaultValueFactory = _ => defaults.Size };
        var seed = new Option<ulong>("--seed") { Description = "seed of data, noise and initialisation", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<string>("--out") { Description = "folder for the figure", DefaultValueFactory = _ => defaults.OutputDirectory };
        var command = new Command("demo", "Train a denoising UNet on healthy phantom slices and map lesions by its residuals")
        {
            steps, size, seed, output,
        };
        command.SetAction(parse => CliErrors.RunWithTorch(parse, () =>
        {
            var options = defaults with
            {
                Steps = parse.GetValue(steps), Size = parse.GetValue(size), Seed = parse.GetValue(seed),
                OutputDirectory = parse.GetValue(output)!,
            };
            if (options.Steps <= 0) throw new ArgumentException($"--steps must be positive, got {options.Steps}");
            return Run(options);
        }));
        return command;
    }

    static int Run(DenoisingDemoOptions options)
    {
        DenoisingDemoResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: options.Steps);
                double running = double.NaN;
                var progress = new ActionProgress<(int Step, double Loss)>(p =>
                {
                    running = double.IsNaN(running) ? p.Loss : 0.9 * running + 0.1 * p.Loss;
                    task.Value = p.Step;
                    task.Description = $"training  loss {running:F5}";
                    if (p.Step == 1 || p.Step % Math.Max(1, options.Steps / 10) == 0)
                        AnsiConsole.MarkupLine($"step {p.Step,5}   loss {p.Loss:F5}   (running mean {running:F5})");
                });
                result = DenoisingDemo.Run(options, progress, line => AnsiConsole.MarkupLine(Markup.Escape(line)));
            });
        var r = result!;
        AnsiConsole.MarkupLine($"[bold]{r.Losses.Count} steps[/] at {r.SecondsPerStep * 1000:F0} ms/step; loss {r.Losses[0].Loss:F5} → {r.Losses[^1].Loss:F5}");
        var table = new Table().AddColumn("pixel metric (pooled over test slices with lesions)").AddColumn("value");
        table.AddRow("AUROC", $"{r.PixelAuroc:F4}");
        table.AddRow("AP (step-wise, scikit-learn)", $"{r.PixelAp:F4}");
        table.AddRow("best Dice (exact, all thresholds)", $"{r.BestDice:F4} at {r.BestDiceThreshold:G4}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"figure: {Markup.Escape(r.FigurePath)} (input | reconstruction | residual | lesion outline)");
        return 0;
    }
}
