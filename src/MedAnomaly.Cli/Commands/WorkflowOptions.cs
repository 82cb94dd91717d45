using System.CommandLine;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>The options `train` and `compare` share, and turning them into a <see cref="MethodSetup"/>.</summary>
public sealed class WorkflowOptions
{
    public Option<string> Data { get; } = new("--data") { Description = "a folder with manifest.json (medanomaly data phantom --out DIR) or a manifest file", Required = true };
    public Option<string?> Root { get; } = new("--root") { Description = "the data folder of a manifest file (default: the manifest's folder)" };
    public Option<string?> Channels { get; } = new("--channels") { Description = "the manifest's channel(s) as image channels: one, several joined by ',', or all (default: its default channel); every network then takes that many" };
    public Option<string> TestSplit { get; } = new("--test-split") { Description = "the split scored and evaluated (e.g. BraTS's weak-test)", DefaultValueFactory = _ => "test" };
    public Option<string> Preset { get; } = new("--preset") { Description = "tiny (seconds), quick (minutes on 2 CPU cores) or paper (the published settings, for a GPU)", DefaultValueFactory = _ => Methods.Presets.Default.ToString().ToLowerInvariant() };
    public Option<string[]> Set { get; } = new("--set") { Description = "override a setting: key=value (a training option such as steps=200, or a method setting)", AllowMultipleArgumentsPerToken = false };
    public Option<string?> Precision { get; } = new("--precision") { Description = "fp32 or bf16 (mixed precision: bf16 forward/backward, float32 master weights)" };
    public Option<string?> Device { get; } = new("--device") { Description = "cpu (default) or cuda" };
    public Option<string> Store { get; } = new("--store") { Description = "the run store (SQLite)", DefaultValueFactory = _ => RunStore.DefaultPath };
    public Option<long?> Budget { get; } = new("--budget") { Description = "train on this many slices in all, whatever the method: steps = ⌈budget / batch size⌉, warm-up scaled alike (an equal budget for a comparison)" };
    public Option<string> Post { get; } = new("--post") { Description = "map post-processings evaluated for every method, comma-separated; the first is the main result: none, fg-weight, medianK, ccN, or steps joined by '+'", DefaultValueFactory = _ => string.Join(",", EvaluationSettings.Default.PostProcessing.Select(p => p.Name)) };
    public Option<string> ImageScore { get; } = new("--image-score") { Description = "image score from a map, for every method: mean, max, topK (over the slice) or fg-mean, fg-max, fg-topK (over the brain)", DefaultValueFactory = _ => EvaluationSettings.Default.ImageScore.ToString() };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Data, Root, Channels, TestSplit, Preset, Set, Precision, Device, Store, Budget, Post, ImageScore }) command.Options.Add(option);
    }

    /// <summary>The data of --data, --root, --channels and --test-split: each method then trains on the split its supervision
    /// allows (<see cref="ExperimentData.TrainingSetFor"/>).</summary>
    public ExperimentData LoadData(ParseResult parse, IProgress<Runtime.WorkProgress>? progress = null) =>
        ExperimentData.Load(parse.GetValue(Data)!, parse.GetValue(Root), parse.GetValue(Channels), parse.GetValue(TestSplit)!, progress);

    /// <summary>The evaluation settings of --post and --image-score.</summary>
    public EvaluationSettings Evaluation(ParseResult parse)
    {
        var settings = new EvaluationSettings
        {
            ImageScore = Metrics.ImageScoring.Parse(parse.GetValue(ImageScore)!),
            PostProcessing = parse.GetValue(Post)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Metrics.MapPostProcessing.Parse).ToList(),
        };
        settings.Validate();
        return settings;
    }

    /// <summary>The method's preset with the overrides applied and checked (training options, device, network); an
    /// unknown key or a bad value throws before anything runs.</summary>
    public MethodSetup Setup(ParseResult parse, string method)
    {
        var overrides = ConfigOverrides.Parse(parse.GetValue(Set) ?? []);
        int channels = ExperimentData.ChannelCount(parse.GetValue(Data)!, parse.GetValue(Root), parse.GetValue(Channels));
        var setup = MethodCatalog.Create(method, parse.GetValue(Preset)!, overrides, channels);
        var training = setup.Training;
        if (parse.GetValue(Precision) is { } precision)
            training = training with { Precision = precision switch
            {
                "fp32" => Training.Precision.Float32,
                "bf16" => Training.Precision.BFloat16,
                _ => throw new ArgumentException($"--precision {precision}: expected fp32 or bf16"),
            } };
        if (parse.GetValue(Device) is { } device) training = training with { Device = device };
        if (parse.GetValue(Budget) is { } budget) training = Training.TrainingBudget.Slices(training, budget);
        training.Validate();   // every training option and the device, before any data is read or anything recorded
        return setup with { Training = training, Evaluation = Evaluation(parse) };
    }

    /// <summary>These options as `train` takes them, for a grid cell's command: paths made absolute (a cell may run in
    /// another folder or on another machine), the optional ones only when given, --store left to the cell.</summary>
    public List<string> TrainArguments(ParseResult parse)
    {
        var args = new List<string> { "--data", Path.GetFullPath(parse.GetValue(Data)!) };
        if (parse.GetValue(Root) is { } root) args.AddRange(["--root", Path.GetFullPath(root)]);
        args.AddRange(["--preset", parse.GetValue(Preset)!]);
        foreach (var set in parse.GetValue(Set) ?? []) args.AddRange(["--set", set]);
        if (parse.GetValue(Precision) is { } precision) args.AddRange(["--precision", precision]);
        if (parse.GetValue(Device) is { } device) args.AddRange(["--device", device]);
        if (parse.GetValue(Budget) is { } budget) args.AddRange(["--budget", budget.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(["--post", parse.GetValue(Post)!, "--image-score", parse.GetValue(ImageScore)!]);
        return args;
    }

    /// <summary>The command line as typed, to record with the run.</summary>
    public static string CommandLine(IEnumerable<string> args) =>
        "medanomaly " + string.Join(" ", args.Select(a => a.Any(c => char.IsWhiteSpace(c) || c == '"') ? $"\"{a.Replace("\"", "\\\"")}\"" : a));

    /// <summary>A token cancelled by Ctrl-C (the first press: finish the step, checkpoint, stop) and by SIGTERM, which
    /// Slurm sends before it kills a preempted or timed-out task (the same: checkpoint, stop; docs/cluster.md).</summary>
    public static CancellationToken CancelOnCtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cts.IsCancellationRequested) return;   // a second Ctrl-C ends the process
            e.Cancel = true;
            Console.Error.WriteLine("stopping after this step (a checkpoint is written); Ctrl-C again to abort");
            cts.Cancel();
        };
        Terminations.Add(System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            if (cts.IsCancellationRequested) return;   // a second SIGTERM ends the process
            context.Cancel = true;
            Console.Error.WriteLine("SIGTERM: stopping after this step (a checkpoint is written)");
            cts.Cancel();
        }));
        return cts.Token;
    }

    /// <summary>Kept for the life of the process: a collected registration would restore the default SIGTERM handling.</summary>
    static readonly List<System.Runtime.InteropServices.PosixSignalRegistration> Terminations = [];
}
