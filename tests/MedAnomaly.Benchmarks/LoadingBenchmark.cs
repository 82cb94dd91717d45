using System.Diagnostics;
using MedAnomaly.Data;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// Data loading throughput: NIfTI phantom volumes (generated to a temp dir) → DISYRE preprocessing
/// (quantile scaling, foreground filter, 128×128 slices) → shuffled batches [16, 1, 128, 128] through the
/// prefetching batcher. Prints slices/s; also the phantom generation time.
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
                checksum += b.Labels.Length;
            }
            double batchSeconds = sw.Elapsed.TotalSeconds;
            Console.WriteLine($"batching: {batches} batches [16,1,{size},{size}] in {batchSeconds:0.000} s ({checksum / batchSeconds:0} slices/s)");
            double total = loadSeconds + batchSeconds;
            Console.WriteLine($"end to end (NIfTI → batches): {train.Count / total:0} slices/s");
        }
        finally { Directory.Delete(root, true); }
    }
}
