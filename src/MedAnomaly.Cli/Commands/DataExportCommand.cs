using System.CommandLine;
using MedAnomaly.Data;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// `medanomaly data export --data DIR --out DIR [--root DIR]`: the slices `train` and `score` use (loaded by
/// <see cref="ExperimentData.Load"/>), written as NumPy arrays for external programs such as the peer runners of
/// benchmarks/peers/: train.npy float32 [N,H,W], test.npy float32 [M,H,W], test_masks.npy uint8 [M,H,W] (zeros for a
/// slice without a mask), test_foreground.npy uint8 [M,H,W], test_volume_ids.npy int32 [M]
/// (<see cref="ExperimentData.TestVolumeIds"/>), test_labels.npy uint8 [M], and slices.txt (one
/// <see cref="SliceItem.Origin"/> per line, train then test). Every file is written to a temporary name, then renamed.
/// </summary>
public static class DataExportCommand
{
    /// <summary>What an export wrote.</summary>
    public sealed record Summary(string Folder, int Train, int Test, int Height, int Width, int TestWithoutMask);

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "dataset folder with manifest.json, or a manifest file", Required = true };
        var root = new Option<string?>("--root") { Description = "the data folder of a manifest file (default: the manifest's folder)" };
        var output = new Option<string>("--out") { Description = "output folder", Required = true };
        var cmd = new Command("export", "Write a dataset's train and test slices, masks, foreground, volume ids and labels as .npy files") { data, root, output };
        cmd.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var s = Export(Progress.Show(progress => ExperimentData.Load(parse.GetValue(data)!, parse.GetValue(root), progress: progress.Work())), parse.GetValue(output)!);
            string missing = s.TestWithoutMask > 0 ? $" ({s.TestWithoutMask} test slices have no mask: written as zeros)" : "";
            Console.WriteLine($"wrote {s.Train} train + {s.Test} test slices of {s.Height}×{s.Width} to {s.Folder}{missing}");
            return 0;
        }));
        return cmd;
    }

    /// <exception cref="InvalidDataException">Slices of different sizes (the arrays need one H×W).</exception>
    public static Summary Export(ExperimentData data, string folder)
    {
        var (h, w) = CommonSize(data);
        Directory.CreateDirectory(folder);
        string Path(string name) => System.IO.Path.Combine(folder, name);
        var train = data.Train.Items;
        var test = data.Test.Items;
        Npy.Write(Path("train.npy"), Concat(train, s => s.Image), train.Count, h, w);
        Npy.Write(Path("test.npy"), Concat(test, s => s.Image), test.Count, h, w);
        Npy.Write(Path("test_masks.npy"), Concat(test, s => s.Mask ?? new byte[h * w]), test.Count, h, w);
        Npy.Write(Path("test_foreground.npy"), Concat(test, s => s.Foreground), test.Count, h, w);
        Npy.Write(Path("test_volume_ids.npy"), data.TestVolumeIds(), test.Count);
        Npy.Write(Path("test_labels.npy"), test.Select(s => s.Label != 0 ? (byte)1 : (byte)0).ToArray(), test.Count);
        WriteLinesAtomically(Path("slices.txt"), train.Concat(test).Select(s => s.Origin));
        return new Summary(System.IO.Path.GetFullPath(folder), train.Count, test.Count, h, w, test.Count(s => s.Mask is null));
    }

    static (int Height, int Width) CommonSize(ExperimentData data)
    {
        var first = data.Train[0];
        var other = data.Train.Items.Concat(data.Test.Items).FirstOrDefault(s => s.Height != first.Height || s.Width != first.Width);
        if (other is not null)
            throw new InvalidDataException($"{data.Source}: slice {other.Origin} is {other.Height}×{other.Width} but {first.Origin} is " +
                                           $"{first.Height}×{first.Width}; export needs one slice size (add a resize step to the manifest's recipe)");
        return (first.Height, first.Width);
    }

    /// <summary>The per-slice arrays one after the other (C order [count, H, W]).</summary>
    static T[] Concat<T>(IReadOnlyList<SliceItem> slices, Func<SliceItem, T[]> part)
    {
        if (slices.Count == 0) return [];
        int size = part(slices[0]).Length;
        var result = new T[(long)slices.Count * size];
        for (int i = 0; i < slices.Count; i++) part(slices[i]).CopyTo(result, (long)i * size);
        return result;
    }

    static void WriteLinesAtomically(string path, IEnumerable<string> lines)
    {
        string tmp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!,
                                            $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllLines(tmp, lines);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
