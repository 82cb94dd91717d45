using System.Diagnostics;
using MedAnomaly.Corruptions;
using MedAnomaly.Data;
using MedAnomaly.Metrics;
using MedAnomaly.Networks;
using TorchSharp;
using static TorchSharp.torch;
using MedAnomaly.Viz;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Experiments;

/// <summary>Settings of <see cref="DenoisingDemo"/>; the defaults run in a few minutes on 2 CPU cores.</summary>
public sealed record DenoisingDemoOptions
{
    public int TrainVolumes { get; init; } = 12;
    public int TestVolumes { get; init; } = 4;
    /// <summary>Phantom grid size (volumes are Size³, slices Size²).</summary>
    public int Size { get; init; } = 64;
    public int Steps { get; init; } = 300;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-3;
    public ulong Seed { get; init; } = 0;
    public CoarseNoise Noise { get; init; } = new(Sigma: 0.2, Resolution: 16);
    public UNet2dConfig Network { get; init; } = new() { Channels = [16, 32, 64], AttentionLevels = [], TimeConditioned = false };
    public string OutputDirectory { get; init; } = "out/demo";
}

/// <summary>What the demo measured.</summary>
public sealed record DenoisingDemoResult(int TrainSlices, int TestSlices, IReadOnlyList<(int Step, double Loss)> Losses,
    double SecondsPerStep, double PixelAuroc, double PixelAp, double BestDice, double BestDiceThreshold, string FigurePath);

/// <summary>
/// The main job until the method comparison exists: generate phantom brains, train a denoising UNet on
/// healthy slices with coarse noise (the DAE of Kascenas et al. 2022), then score lesioned test slices by
/// the residual |x − x̂| inside the brain and report pixel AUROC, AP and exact best Dice, with a figure.
/// </summary>
public static class DenoisingDemo
{
    public static DenoisingDemoResult Run(DenoisingDemoOptions options, IProgress<(int Step, double Loss)>? progress = null,
        Action<string>? log = null, CancellationToken ct = default)
    {
        log ??= _ => { };
        Directory.CreateDirectory(options.OutputDirectory);
        torch.manual_seed((long)options.Seed);

        log($"generating {options.TrainVolumes} healthy and {options.TestVolumes} lesioned phantom volumes ({options.Size}³)");
        var train = Slices(options, options.TrainVolumes, withLesions: false, offset: 0);
        var test = Slices(options, options.TestVolumes, withLesions: true, offset: 1000).Where(s => s.Label == 1).ToList();
        log($"{train.Count} training slices, {test.Count} test slices with lesions");

        using var model = new UNet2d(options.Network);
        var losses = Train(model, new SliceDataset(train), options, progress, ct, out double secondsPerStep);
        var (maps, reconstructions) = Score(model, test);
        var (auroc, ap, dice) = PixelMetrics(test, maps);
        var figure = Path.Combine(options.OutputDirectory, "residuals.png");
        WriteFigure(figure, test, reconstructions, maps);
        return new DenoisingDemoResult(train.Count, test.Count, losses, secondsPerStep, auroc, ap, dice.Dice, dice.Threshold, figure);
    }

    /// <summary>Axial slices (≥ 20 % brain) of generated phantom volumes, scaled to [0,1] as DISYRE does.</summary>
    static List<SliceItem> Slices(DenoisingDemoOptions o, int count, bool withLesions, int offset)
    {
        var recipe = new PreprocessRecipe([PreprocessStep.QuantileScale(0, 0.98, 0), PreprocessStep.ForegroundThreshold(0)]);
        var perVolume = new List<SliceItem>[count];
        Parallel.For(0, count, i =>
        {
            var v = Phantom.Generate(Phantom.VolumeSeed(o.Seed, offset + i), o.Size, withLesions);
            var mask = PhantomSet.ToVolume(v, Array.ConvertAll(v.Mask, b => (float)b));
            perVolume[i] = SliceDataset.FromVolume(PhantomSet.ToVolume(v, v.Image), mask, recipe, axis: 2, minForeground: 0.2,
                source: $"phantom-{offset + i}");
        });
        return perVolume.SelectMany(s => s).ToList();
    }

    /// <summary>Minimises ‖net(x + coarse noise) − x‖² with AdamW (Kascenas et al. 2022).</summary>
    static List<(int, double)> Train(UNet2d model, SliceDataset data, DenoisingDemoOptions o, IProgress<(int, double)>? progress,
        CancellationToken ct, out double secondsPerStep)
    {
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: o.LearningRate, weight_decay: 0);
        using var rng = new Generator(o.Seed + 1);
        var batcher = new Batcher(data, o.BatchSize, o.Seed) { DropLast = true };
        var losses = new List<(int, double)>();
        var clock = Stopwatch.StartNew();
        int step = 0;
        model.train();
        for (int epoch = 0; step < o.Steps; epoch++)
            foreach (var batch in batcher.Epoch(epoch, ct))
            {
                if (step++ >= o.Steps) break;
                using var scope = torch.NewDisposeScope();
                var clean = batch.ToTensors().Images;
                var noisy = o.Noise.Apply(clean, null, rng).Corrupted;
                optimizer.zero_grad();
                var loss = F.mse_loss(model.forward(noisy, null), clean);
                double value = loss.item<float>();
                if (!double.IsFinite(value)) throw new InvalidOperationException($"training diverged: loss is {value} at step {step}");
                loss.backward();
                optimizer.step();
                losses.Add((step, value));
                progress?.Report((step, value));
            }
        secondsPerStep = clock.Elapsed.TotalSeconds / Math.Max(1, losses.Count);
        return losses;
    }

    /// <summary>Anomaly map = |x − net(x)| · foreground, per slice [H·W].</summary>
    static (float[][] Maps, float[][] Reconstructions) Score(UNet2d model, List<SliceItem> test)
    {
        model.eval();
        var maps = new float[test.Count][];
        var recon = new float[test.Count][];
        using var noGrad = torch.no_grad();
        for (int i = 0; i < test.Count; i++)
        {
            using var scope = torch.NewDisposeScope();
            var item = test[i];
            var x = torch.tensor(item.Image, [1, 1, item.Height, item.Width]);
            var xHat = model.forward(x, null);
            var foreground = torch.tensor(Array.ConvertAll(item.Foreground, b => (float)b), [1, 1, item.Height, item.Width]);
            maps[i] = ((x - xHat).abs() * foreground).data<float>().ToArray();
            recon[i] = xHat.clamp(0, 1).data<float>().ToArray();
        }
        return (maps, recon);
    }

    /// <summary>Pixel-level metrics pooled over all test pixels (MedIAnomaly's convention).</summary>
    static (double Auroc, double Ap, BestDiceResult Dice) PixelMetrics(List<SliceItem> test, float[][] maps)
    {
        var scores = maps.SelectMany(m => m).ToArray();
        var labels = test.SelectMany(s => s.Mask!.Select(v => v > 0)).ToArray();
        return (Roc.Auroc(scores, labels), Precision.AveragePrecision(scores, labels), BestDice.Exact(scores, labels));
    }

    /// <summary>Rows: the four test slices with the largest lesions; columns: input, reconstruction, residual, mask.</summary>
    static void WriteFigure(string path, List<SliceItem> test, float[][] recon, float[][] maps)
    {
        var chosen = Enumerable.Range(0, test.Count).OrderByDescending(i => test[i].Mask!.Count(v => v > 0)).Take(4);
        double top = maps.SelectMany(m => m).DefaultIfEmpty(0).Max();
        var rows = chosen.Select(i =>
        {
            var s = test[i];
            var mask = Array.ConvertAll(s.Mask!, b => (float)b);
            return (IReadOnlyList<Panel>)new[]
            {
                new Panel(s.Image, s.Height, s.Width),
                new Panel(recon[i], s.Height, s.Width),
                new Panel(maps[i], s.Height, s.Width, 0, top, Heat: true),
                new Panel(s.Image, s.Height, s.Width, Outline: mask),
            };
        }).ToList();
        Montage.Write(path, rows);
    }
}
