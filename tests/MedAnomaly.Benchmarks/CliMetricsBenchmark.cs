using System.Globalization;
using System.Text.Json;
using MedAnomaly.Data;
using MedAnomaly.Randomness;

namespace MedAnomaly.Benchmarks;

/// <summary>
/// `medanomaly metrics` on 10 million pixels (40 maps of 500×500, a disc lesion in every other one) as a whole process,
/// start to exit, against a whole python3 scikit-learn script on the same .npy files (peers/metrics_npy_sklearn.py:
/// pixel AUROC, AP and best Dice, image AUROC and AP). Goal: ≥ 20× faster. The in-process comparison is `metrics`.
/// </summary>
public sealed class CliMetricsBenchmark : IBenchmark
{
    public string Name => "cli-metrics";
    public string Description => "`medanomaly metrics` on 10M pixels vs a scikit-learn script, both whole processes";

    const int Height = 500, Width = 500;

    public void Run(bool quick)
    {
        int images = quick ? 4 : 40, rounds = quick ? 1 : 3;
        string folder = Directory.CreateTempSubdirectory("medanomaly-cli-metrics-").FullName;
        try
        {
            string maps = Path.Combine(folder, "maps.npy"), masks = Path.Combine(folder, "masks.npy");
            Write(maps, masks, images);
            string ours = "", theirs = "";
            var (medanomaly, sklearn) = WholeProcess.TakeTurns(rounds,
                () => { var r = WholeProcess.Medanomaly("metrics", "--scores", maps, "--masks", masks, "--json"); ours = r.Stdout; return r.Seconds; },
                () => { var r = WholeProcess.Run(Peer.Python, [Peer.Script("metrics_npy_sklearn.py"), maps, masks]); theirs = r.Stdout; return r.Seconds; });
            Console.WriteLine($"{images * Height * Width:N0} pixels in {images} maps of {Height}×{Width} (.npy float32 maps, uint8 masks); median of {rounds}, taking turns");
            Console.WriteLine($"medanomaly metrics (whole process)       {medanomaly:F3} s");
            Console.WriteLine($"python3 + scikit-learn (whole process)   {sklearn:F3} s");
            Compare(ours, theirs);
            Console.WriteLine($"speed ratio: {sklearn / medanomaly:F1}x faster than scikit-learn as whole processes (target >= 20x)");
        }
        finally { Directory.Delete(folder, true); }
    }

    /// <summary>Seeded maps: uniform noise in [0, 1), +0.5 inside a disc lesion of radius 20–60 in every other image.</summary>
    static void Write(string mapsPath, string masksPath, int images)
    {
        var rng = new SeededRandom(7);
        var maps = new float[images * Height * Width];
        var masks = new byte[maps.Length];
        for (int i = 0; i < images; i++)
        {
            double cy = rng.Uniform(100, 400), cx = rng.Uniform(100, 400), r = rng.Uniform(20, 60);
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                {
                    int k = (i * Height + y) * Width + x;
                    bool lesion = i % 2 == 0 && (y - cy) * (y - cy) + (x - cx) * (x - cx) < r * r;
                    masks[k] = lesion ? (byte)1 : (byte)0;
                    maps[k] = (float)rng.Uniform(0, 1) + (lesion ? 0.5f : 0f);
                }
        }
        Npy.Write(mapsPath, maps, images, Height, Width);
        Npy.Write(masksPath, masks, images, Height, Width);
    }

    /// <summary>Both sides must compute the same numbers, or the ratio means nothing.</summary>
    static void Compare(string oursJson, string theirsLine)
    {
        using var doc = JsonDocument.Parse(oursJson);
        var pixel = doc.RootElement.GetProperty("pixel");
        var image = doc.RootElement.GetProperty("image");
        double[] ours = [pixel.GetProperty("auroc").GetDouble(), pixel.GetProperty("ap").GetDouble(), pixel.GetProperty("best_dice").GetDouble(),
                         image.GetProperty("auroc").GetDouble(), image.GetProperty("ap").GetDouble()];
        var theirs = theirsLine.Trim().Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        string[] names = ["pixel AUROC", "pixel AP", "pixel best Dice", "image AUROC", "image AP"];
        double worst = ours.Zip(theirs, (a, b) => Math.Abs(a - b) / Math.Max(1e-300, Math.Abs(b))).Max();
        Console.WriteLine(string.Join("; ", names.Select((n, i) => $"{n} {ours[i]:F6} (sklearn {theirs[i]:F6})")) + $"; largest rel diff {worst:E1}");
    }
}
