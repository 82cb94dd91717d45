using System.Diagnostics;
using MedAnomaly.Data;
using MedAnomaly.Networks;
using MedAnomaly.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Data loading throughput: NIfTI phantom volumes (generated to a temp dir) → DISYRE preprocessing
/// (quantile scaling, foreground filter, 128×128 slices) → shuffled batches [16, 1, 128, 128] through the
/// prefetching batcher and into tensors. Prints slices/s beside the rate at which training the reference
/// UNet on the same [16,1,128,128] batches consumes slices: loading must never starve training.
/// </summary>
public sealed class LoadingBenchmark : IBenchmark
{
    public string Name => "loading";
    public string Description => "slices/s from NIfTI phantom volumes through preprocessing to [16,1,128,128] batches";

    public void Run(bool quick)
    {
        int volumes = quick ? 6 : 40, size = 128;
        string root = Directory.CreateTempSubdirectory("medanomaly-loading").FullName;
        try
        {
            var sw = Stopwatch.StartNew();
            var set = PhantomSet.Write(root, volumes, size, seed: 1, testFraction: 0.3);
            Console.WriteLine($"phantom: {volumes} volumes of {size}³ written in {sw.Elapsed.TotalSeconds:0.00} s ({volumes / sw.Elapsed.TotalSeconds:0.0} volumes/s)");

            var manifest = DatasetManifest.Load(set.ManifestPath);
            sw.Restart();
            var train = SliceDataset.Load(manifest, root, "train");
            double loadSeconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"load+preprocess: {set.Train} volumes → {train.Count} slices in {loadSeconds:0.00} s ({train.Count / loadSeconds:0} slices/s)");

            sw.Restart();
            long checksum = 0;
            int batches = 0;
            foreach (var b in new Batcher(train, 16, seed: 0).Epoch())
            {
                batches++;
                using var tensors = b.ToTensors();
                checksum += tensors.Images.size(0);
            }
            double batchSeconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"batching into tensors: {batches} batches [16,1,{size},{size}] in {batchSeconds:0.000} s ({checksum / batchSeconds:0} slices/s)");
            double total = loadSeconds + batchSeconds;
            Console.WriteLine($"end to end (NIfTI → batches): {train.Count / total:0} slices/s");
            double trainingRate = TrainingSlicesPerSecond(size, quick ? 2 : 5);
            Console.WriteLine($"training the reference UNet on [16,1,{size},{size}] consumes {trainingRate:0.0} slices/s: " +
                              $"loading is {train.Count / total / trainingRate:0}× faster (target > 1: loading never starves training)");
        }
        finally { Directory.Delete(root, true); }
    }

    /// <summary>Slices per second of AdamW training steps of the reference UNet (median step, after one warm-up).</summary>
    static double TrainingSlicesPerSecond(int size, int steps)
    {
        torch.manual_seed(0);
        using var model = new UNet2d();
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4);
        var times = new List<double>();
        for (int step = 0; step <= steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.rand(16, 1, size, size);
            var clock = Stopwatch.StartNew();
            optimizer.zero_grad();
            F.mse_loss(model.forward(x, torch.randint(0, 1000, [16])), x).backward();
            optimizer.step();
            if (step > 0) times.Add(clock.Elapsed.TotalSeconds);
        }
        return 16 / Statistics.Median(times);
    }
}
