using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Methods;
using MedAnomaly.Training;
using TorchSharp;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Seconds per training step of each method's paper preset on this machine's CPU, for the grid estimate of
/// docs/cluster.md: the published network, optimiser and precision on phantom slices. A step at the published batch
/// and slice size can take minutes and tens of GB on a CPU (AnoDDPM's UNet at 256², batch 16), so the large ones are
/// measured smaller and scaled linearly to the published batch and pixel count (convolutions cost per sample and per
/// pixel; the attention layers, at ≤ 32² tokens, are a small share). The table says what was measured. Median of the
/// timed steps after one warm-up step; the published step count turns it into hours per cell.
/// `MedAnomaly.Benchmarks paper-steps [METHOD…] [--quick]`: only these methods; --quick: one timed step.
/// </summary>
public sealed class PaperStepsBenchmark : IBenchmark
{
    public string Name => "paper-steps";
    public string Description => "paper presets: CPU seconds per training step (scaled to the published batch and slice) and hours per cell";

    /// <summary>Per method: the slice its paper trained on (AE/VAE 64², DAE 128², DDPM 256², DISYRE 128² crops), the slice
    /// and batch measured here, and another precision than the preset's (DISYRE's bf16 is emulated on most CPUs, so it is
    /// timed in fp32 too).</summary>
    static readonly (string Method, int PaperSize, int Size, int Batch, Precision? Precision)[] Cases =
        [("ae", 64, 64, 64, null), ("vae", 64, 64, 64, null), ("dae", 128, 128, 16, null), ("ddpm", 256, 128, 1, null),
         ("disyre", 128, 128, 2, null), ("disyre", 128, 128, 2, Precision.Float32)];

    public void Run(bool quick)
    {
        int timed = quick ? 1 : 3;
        var only = Environment.GetCommandLineArgs().Skip(1).Where(a => Cases.Any(c => c.Method == a)).ToHashSet();
        Console.WriteLine($"threads {torch.get_num_threads()}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}, 1 warm-up + {timed} timed steps");
        Console.WriteLine("| method | parameters | precision | measured: slice, batch | s/step | published: slice, batch | s/step scaled | published steps | CPU hours per cell |");
        Console.WriteLine("| :-- | --: | :-- | --: | --: | --: | --: | --: | --: |");
        string root = Directory.CreateTempSubdirectory("medanomaly-paper-steps-").FullName;
        try
        {
            foreach (var c in Cases.Where(c => only.Count == 0 || only.Contains(c.Method))) Measure(root, c.Method, c.PaperSize, c.Size, c.Batch, c.Precision, timed);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    static void Measure(string root, string method, int paperSize, int size, int batch, Precision? precision, int timed)
    {
        string data = Path.Combine(root, $"phantom{size}");
        if (!Directory.Exists(data)) PhantomSet.Write(data, volumes: 3, size: size, seed: 0, testFraction: 0.34);
        var train = ExperimentData.Load(data).Train;
        var (detector, preset) = DetectorRegistry.Create(method, PresetName.Paper);
        using (detector)
        {
            var options = preset.Training with
            {
                Steps = 1 + timed, BatchSize = batch, WarmupSteps = 0, CheckpointSeconds = 0, CheckpointEvery = 0, CheckpointPath = null,
                Precision = precision ?? preset.Training.Precision,
            };
            var stepEnds = new List<TimeSpan>();
            detector.Fit(train, options, new StepClock(stepEnds));
            var seconds = stepEnds.Zip(stepEnds.Skip(1), (a, b) => (b - a).TotalSeconds).Order().ToList();
            double measured = seconds[seconds.Count / 2];
            int published = preset.Training.BatchSize;
            double scaled = measured * published / batch * ((double)paperSize * paperSize / (size * size));
            double hours = scaled * preset.Training.Steps / 3600;
            long parameters = ((ITrainingObjective)detector).Network.parameters().Sum(t => t.numel());
            Console.WriteLine($"| {method} | {parameters:N0} | {options.Precision} | {size}², {batch} | {measured:F2} | {paperSize}², {published} | {scaled:F1} | {preset.Training.Steps:N0} | {hours:N0} |");
        }
    }

    /// <summary>The elapsed time at the end of each step.</summary>
    sealed class StepClock(List<TimeSpan> ends) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => ends.Add(value.Elapsed);
    }
}
