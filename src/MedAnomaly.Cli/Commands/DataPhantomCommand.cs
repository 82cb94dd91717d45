using System.CommandLine;
using System.Diagnostics;
using MedAnomaly.Data;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly data phantom --out DIR --volumes N --size S --seed K [--test-fraction F] [--weak N] [--preview PNG]`.</summary>
public static class DataPhantomCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Output directory (train/, test/, manifest.json)", Required = true };
        var volumes = new Option<int>("--volumes") { Description = "Number of volumes", DefaultValueFactory = _ => 100 };
        var size = new Option<int>("--size") { Description = "Grid size (volumes are size³)", DefaultValueFactory = _ => 128 };
        var seed = new Option<ulong>("--seed") { Description = "Master seed (volume i uses a seed derived from it)", DefaultValueFactory = _ => 0 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Fraction of volumes in the test split (with lesions, ~15% healthy)", DefaultValueFactory = _ => 0.3 };
        var weak = new Option<int>("--weak") { Description = "Also write a weakly labelled training split of this many volumes (weak/: per-slice labels from masks that training never reads)", DefaultValueFactory = _ => 0 };
        var preview = new Option<string?>("--preview") { Description = "Also write a PNG montage of test slices with lesion outlines" };
        var cmd = new Command("phantom", "Generate a synthetic T2-like brain MRI data set with lesion masks and its manifest");
        foreach (var o in new Option[] { outDir, volumes, size, seed, testFraction, weak, preview }) cmd.Options.Add(o);
        cmd.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var sw = Stopwatch.StartNew();
            var s = Progress.Show(progress => PhantomSet.Write(parse.GetValue(outDir)!, parse.GetValue(volumes), parse.GetValue(size), parse.GetValue(seed),
                                                               parse.GetValue(testFraction), weakVolumes: parse.GetValue(weak), progress: progress.Work()));
            string weakPart = s.WeakWithLesions + s.WeakHealthy > 0 ? $" + {s.WeakWithLesions + s.WeakHealthy} weakly labelled ({s.WeakWithLesions} with lesions, {s.WeakHealthy} healthy)" : "";
            Console.WriteLine($"wrote {s.Train} train + {s.TestWithLesions + s.TestHealthy} test volumes ({s.TestWithLesions} with lesions, {s.TestHealthy} healthy){weakPart} " +
                              $"of {parse.GetValue(size)}³ to {s.Directory} in {sw.Elapsed.TotalSeconds:0.0} s; manifest {s.ManifestPath}");
            if (parse.GetValue(preview) is string png)
            {
                WritePreview(png, parse.GetValue(size), parse.GetValue(seed), parse.GetValue(volumes), parse.GetValue(testFraction));
                Console.WriteLine($"preview {png}");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>Regenerates up to 4 test volumes of the set (same seeds as the files) and writes their montage.</summary>
    private static void WritePreview(string png, int size, ulong seed, int volumes, double testFraction)
    {
        int nTest = (int)Math.Round(volumes * testFraction);
        var picks = Enumerable.Range(volumes - nTest, nTest)
            .Select(i => Phantom.Generate(Phantom.VolumeSeed(seed, i), size, PhantomSet.HasLesions(seed, i)))
            .Where(v => v.Lesions.Count > 0).Take(4).ToList();
        if (picks.Count == 0) picks.Add(Phantom.Generate(Phantom.VolumeSeed(seed, 0), size, true));
        string? dir = Path.GetDirectoryName(Path.GetFullPath(png));
        if (dir is not null) Directory.CreateDirectory(dir);
        PhantomPreview.Write(png, picks);
    }
}
