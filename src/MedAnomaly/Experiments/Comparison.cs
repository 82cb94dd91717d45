using MedAnomaly.Methods;
using MedAnomaly.Training;
using MedAnomaly.Viz;

namespace MedAnomaly.Experiments;

/// <summary>What <c>medanomaly compare</c> runs.</summary>
public sealed record ComparisonOptions
{
    public IReadOnlyList<string> Methods { get; init; } = ["ae", "vae", "dae", "ddpm", "disyre"];
    public int Seeds { get; init; } = 3;
    public ulong FirstSeed { get; init; } = 0;
    /// <summary>Where the tables, the figure and the report go.</summary>
    public string OutputDirectory { get; init; } = "runs/compare";
    /// <summary>Test slices shown in the residual-map figure.</summary>
    public int FigureSlices { get; init; } = 3;
    /// <summary>Image score and map post-processings, the same for every method.</summary>
    public EvaluationSettings Evaluation { get; init; } = EvaluationSettings.Default;
}

/// <summary>The files a comparison wrote and the summary they show.</summary>
public sealed record ComparisonResult(SeedSummary Summary, IReadOnlyList<long> RunIds, IReadOnlyList<string> Tables, string Figure, string Report)
{
    /// <summary>How its tables print: <see cref="Comparison.TableOptions"/> with the supervision column.</summary>
    public TableOptions TableOptions { get; init; } = Comparison.TableOptions;
}

/// <summary>
/// The main job: every method × seed trained, scored and evaluated on one dataset (each a run in the store),
/// then the method × metric table (mean ± std over seeds) as Markdown, LaTeX, HTML and CSV, the residual-map
/// figure (the same test slices for every method, first seed) and a self-contained HTML report with charts.
/// Every method is evaluated under the same <see cref="EvaluationSettings"/>; each extra post-processing adds a row
/// "method (post-processing)" computed from the same maps. Each method trains on the split its supervision allows
/// (<see cref="ExperimentData.TrainingSetFor"/>), and a "Supervision" column says which ("none" / "image labels").
/// </summary>
public static class Comparison
{
    /// <summary>How the tables print: errors and distances (FPR@95%TPR, HD95) are lower-is-better, the rest are scores.</summary>
    public static TableOptions TableOptions { get; } = new() { LowerIsBetter = MetricRows.LowerIsBetter };

    /// <summary>The columns of the comparison's tables (the run store keeps every metric).</summary>
    public static IReadOnlyList<string> TableMetrics { get; } = ["pixel_auroc", "pixel_ap", "best_dice", "hd95", "image_auroc", "image_ap"];

    public static ComparisonResult Run(RunStore store, ExperimentData data, ComparisonOptions options, Func<string, MethodSetup> setupFor,
        string runsFolder, Func<string, ulong, string> commandFor, Action<string>? log = null,
        Func<string, ulong, IProgress<TrainingProgress>?>? progressFor = null, CancellationToken ct = default)
    {
        if (options.Seeds < 1) throw new ArgumentException($"--seeds must be at least 1, got {options.Seeds}");
        log ??= _ => { };
        var outcomes = new List<(string Method, ulong Seed, RunOutcome Outcome)>();
        var supervision = new Dictionary<string, string>();
        for (ulong seed = options.FirstSeed; seed < options.FirstSeed + (ulong)options.Seeds; seed++)
            foreach (var method in options.Methods)
            {
                ct.ThrowIfCancellationRequested();
                using var setup = new DisposableSetup(setupFor(method) with { Evaluation = options.Evaluation });
                supervision[method] = setup.Value.Detector.Supervision.Label();
                log($"{method}, seed {seed}: training {setup.Value.Training.Steps} steps");
                var outcome = ExperimentRunner.Run(store, data, setup.Value, seed, runsFolder, commandFor(method, seed), progressFor?.Invoke(method, seed), ct);
                log($"{method}, seed {seed}: run {outcome.RunId}, " + string.Join(", ", outcome.Metrics.Where(m => m.Split == MetricRows.Split).Select(m => $"{m.Name} {m.Value:F4}")));
                outcomes.Add((method, seed, outcome));
            }
        return WriteOutputs(data, options, outcomes, supervision);
    }

    static ComparisonResult WriteOutputs(ExperimentData data, ComparisonOptions options, List<(string Method, ulong Seed, RunOutcome Outcome)> outcomes,
        Dictionary<string, string> supervision)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var rows = outcomes.SelectMany(o => o.Outcome.Metrics.Where(m => IsTest(m.Split) && TableMetrics.Contains(m.Name))
            .GroupBy(m => m.Split)
            .SelectMany(split => ResultsFrame.RowsOf(RowLabel(o.Method, split.Key), split.Select(m => m with { Split = MetricRows.Split }),
                unchecked((long)o.Seed), data.Name, o.Outcome.RunId)));
        var summary = SeedStatistics.Summarize(ResultsFrame.Create(rows), split: MetricRows.Split);
        var supervisionOfRow = outcomes.SelectMany(o => o.Outcome.Metrics.Select(m => (Row: RowLabel(o.Method, m.Split), o.Method)))
            .DistinctBy(r => r.Row).ToDictionary(r => r.Row, r => supervision[r.Method]);
        var tableOptions = TableOptions with { RowColumns = [new RowColumn("Supervision", supervisionOfRow)] };
        var tables = new[] { "md", "tex", "html", "csv" }.Select(ext => Path.Combine(options.OutputDirectory, $"results.{ext}")).ToList();
        foreach (var path in tables) Tables.Write(path, summary, tableOptions);

        var firstSeed = outcomes.Where(o => o.Seed == options.FirstSeed).Select(o => (o.Method, o.Outcome.Scored)).ToList();
        var slices = ResidualFigure.LargestLesions(firstSeed[0].Scored, options.FigureSlices);
        string figure = Path.Combine(options.OutputDirectory, "residuals.png");
        ResidualFigure.Write(figure, firstSeed, slices);
        string report = Path.Combine(options.OutputDirectory, "report.html");
        HtmlReport.ForResults($"MedAnomaly comparison on {data.Name}", summary, figure, tableOptions).Write(report);
        return new ComparisonResult(summary, outcomes.Select(o => o.Outcome.RunId).ToList(), tables, figure, report) { TableOptions = tableOptions };
    }

    static bool IsTest(string split) => split == MetricRows.Split || EvaluationSettings.PostProcessingOf(split) is not null;

    /// <summary>"disyre" for the main post-processing, "disyre (fg-weight)" for another.</summary>
    public static string RowLabel(string method, string split) =>
        EvaluationSettings.PostProcessingOf(split) is { } post ? $"{method} ({post})" : method;

    sealed class DisposableSetup(MethodSetup value) : IDisposable
    {
        public MethodSetup Value { get; } = value;
        public void Dispose() => Value.Detector.Dispose();
    }
}
