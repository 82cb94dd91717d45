using MedAnomaly.Data;
using MedAnomaly.Methods;
using MedAnomaly.Runtime;
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
    public static IReadOnlyList<string> TableMetrics => tableMetrics;
    static readonly string[] tableMetrics = ["pixel_auroc", "pixel_ap", "best_dice", "hd95", "image_auroc", "image_ap"];

    /// <summary>The method × metric table of <paramref name="rows"/> as a comparison shows it (mean ± std over seeds): the
    /// <see cref="TableMetrics"/> in their order, of split "test" and of each other post-processing as a row of its own
    /// (<see cref="ResultsFrame.AsTableRow"/>), methods in order of first appearance.</summary>
    public static SeedSummary Table(IEnumerable<ResultRow> rows) =>
        SeedStatistics.Summarize(ResultsFrame.Create(rows.Select(ResultsFrame.AsTableRow).Where(r => TableMetrics.Contains(r.Metric))
            .OrderBy(r => Array.IndexOf(tableMetrics, r.Metric))), split: MetricRows.Split);

    public static ComparisonResult Run(RunStore store, ExperimentData data, ComparisonOptions options, Func<string, MethodSetup> setupFor,
        string runsFolder, Func<string, ulong, string> commandFor, Action<string>? log = null,
        Func<string, ulong, IProgress<TrainingProgress>?>? progressFor = null, CancellationToken ct = default,
        IProgress<WorkProgress>? work = null)
    {
        if (options.Seeds < 1) throw new ArgumentException($"--seeds must be at least 1, got {options.Seeds}");
        log ??= _ => { };
        var outcomes = new List<CellOutcome>();
        var scored = new Dictionary<long, ScoredSet>();
        for (ulong seed = options.FirstSeed; seed < options.FirstSeed + (ulong)options.Seeds; seed++)
            foreach (var method in options.Methods)
            {
                ct.ThrowIfCancellationRequested();
                using var setup = new DisposableSetup(setupFor(method) with { Evaluation = options.Evaluation });
                log($"{method}, seed {seed}: training {setup.Value.Training.Steps} steps");
                var outcome = ExperimentRunner.Run(store, data, setup.Value, seed, runsFolder, commandFor(method, seed), progressFor?.Invoke(method, seed), ct,
                                                   WorkProgress.Under(work, $"{method} seed {seed}"));
                log($"{method}, seed {seed}: run {outcome.RunId}, " + string.Join(", ", outcome.Metrics.Where(m => m.Split == MetricRows.Split).Select(m => $"{m.Name} {m.Value:F4}")));
                outcomes.Add(new CellOutcome(method, seed, outcome.RunId, outcome.Metrics, setup.Value.Detector.Supervision.Label()));
                if (seed == options.FirstSeed) scored[outcome.RunId] = outcome.Scored;
            }
        return WriteOutputs(data, options, outcomes, (o, slices) => scored[o.RunId].Subset(slices), store.GetRun, work);
    }

    /// <summary>The tables, figure and report of runs already in a store (a grid's cells after <see cref="RunStore.Merge"/>):
    /// the metrics as stored; for the figure, each method's lowest-seed model (its <c>model</c> artifact) scores the
    /// figure's slices on the CPU. A <paramref name="missing"/> cell counts as a seed without values ("–" in the tables
    /// when a method has no seed left).</summary>
    public static ComparisonResult FromStore(ExperimentData data, ComparisonOptions options, IReadOnlyList<RunRecord> runs,
        IReadOnlyList<(string Method, ulong Seed)>? missing = null, IProgress<WorkProgress>? work = null)
    {
        if (runs.Count == 0) throw new ArgumentException("no completed run to tabulate");
        var supervision = runs.GroupBy(r => r.Info.Method).ToDictionary(g => g.Key, g => ExperimentRunner.SupervisionOf(g.First().Info.ConfigJson));
        var outcomes = runs.Select(r => new CellOutcome(r.Info.Method, unchecked((ulong)r.Info.Seed), r.Id, r.Metrics, supervision[r.Info.Method]))
            .Concat((missing ?? []).Select(m => new CellOutcome(m.Method, m.Seed, 0,
                TableMetrics.Select(name => new MetricValue(MetricRows.Split, name, double.NaN)).ToList(), supervision.GetValueOrDefault(m.Method, "–"))))
            .OrderBy(o => o.Seed).ThenBy(o => options.Methods.ToList().IndexOf(o.Method)).ToList();
        var byId = runs.ToDictionary(r => r.Id);
        return WriteOutputs(data, options, outcomes, (o, slices) => ScoreModel(byId[o.RunId], new SliceDataset(slices.Select(i => data.Test[i]).ToList())),
            id => byId[id], work);
    }

    static ScoredSet ScoreModel(RunRecord run, SliceDataset slices)
    {
        var model = run.Artifacts.LastOrDefault(a => a.Kind == "model")
            ?? throw new InvalidDataException($"run {run.Id} ({run.Info.Method}, seed {run.Info.Seed}) recorded no model; the figure needs it");
        using var detector = DetectorRegistry.Load(model.Path);
        return ScoredSet.Score(detector, slices);
    }

    /// <summary>One cell's run: what the tables and the figure need of it. <see cref="RunId"/> 0: a missing cell.</summary>
    /// <param name="Supervision">The table's Supervision column (<see cref="SupervisionText.Label"/>).</param>
    sealed record CellOutcome(string Method, ulong Seed, long RunId, IReadOnlyList<MetricValue> Metrics, string Supervision);

    /// <param name="figureSet">A cell's maps over the given test slices (indices into data.Test), in that order.</param>
    /// <param name="runOf">A cell's stored run, for the report's provenance table.</param>
    static ComparisonResult WriteOutputs(ExperimentData data, ComparisonOptions options, IReadOnlyList<CellOutcome> outcomes,
        Func<CellOutcome, int[], ScoredSet> figureSet, Func<long, RunRecord> runOf, IProgress<WorkProgress>? work)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var rows = outcomes.SelectMany(o => ResultsFrame.RowsOf(o.Method, o.Metrics, unchecked((long)o.Seed), data.Name, o.RunId)
            .Select(row => (Row: row, o.Supervision))).ToList();
        var summary = Table(rows.Select(r => r.Row));
        var supervisionOfRow = rows.Select(r => (Label: ResultsFrame.AsTableRow(r.Row).Method, r.Supervision))
            .DistinctBy(r => r.Label).ToDictionary(r => r.Label, r => r.Supervision);
        var tableOptions = TableOptions with { RowColumns = [new RowColumn("Supervision", supervisionOfRow)] };
        var tables = new[] { "md", "tex", "html", "csv" }.Select(ext => Path.Combine(options.OutputDirectory, $"results.{ext}")).ToList();
        var written = WorkProgress.Start(work, "writing tables, figure and report", tables.Count + 2, "files");
        foreach (var path in tables)
        {
            Tables.Write(path, summary, tableOptions);
            written.Add();
        }

        // One row per method, in order of appearance: its run with the lowest seed, on the test slices with the largest lesions.
        var slices = ResidualFigure.LargestLesions(data.Test.Items, options.FigureSlices);
        var shown = outcomes.Where(o => o.RunId != 0).GroupBy(o => o.Method).Select(g => g.MinBy(o => o.Seed)!).ToList();
        var figureSets = shown.Select(o => (o.Method, figureSet(o, slices))).ToList();
        string figure = Path.Combine(options.OutputDirectory, "residuals.png");
        var shownSlices = Enumerable.Range(0, slices.Length).ToArray();
        ResidualFigure.Write(figure, figureSets, shownSlices);
        written.Add();
        string report = Path.Combine(options.OutputDirectory, "report.html");
        var provenance = outcomes.Where(o => o.RunId != 0).Select(o => RunProvenance.Of(runOf(o.RunId))).ToList();
        string caption = $"Residual maps of the test slices with the largest visible lesions (each method's lowest seed). {ResidualFigure.Describe(figureSets, shownSlices)}";
        HtmlReport.ForResults($"MedAnomaly comparison on {data.Name}", summary, figure, tableOptions, caption, provenance).Write(report);
        written.Add();
        return new ComparisonResult(summary, outcomes.Where(o => o.RunId != 0).Select(o => o.RunId).ToList(), tables, figure, report) { TableOptions = tableOptions };
    }

    sealed class DisposableSetup(MethodSetup value) : IDisposable
    {
        public MethodSetup Value { get; } = value;
        public void Dispose() => Value.Detector.Dispose();
    }
}
