using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MedAnomaly.Data;

namespace MedAnomaly.Cli.Commands;

/// <summary>`medanomaly data info FILE [--json]`: format, shape, dtype, voxel size, affine and value statistics
/// of a .nii / .nii.gz / .png / .npy file.</summary>
public static class DataInfoCommand
{
    /// <summary>What `data info` reports. Statistics are over finite values (population std, ddof = 0);
    /// NonFinite counts NaN/±Inf values.</summary>
    public sealed record Summary(string File, string Format, long[] Shape, string DType, double[]? VoxelSize,
                                 double[][]? Affine, double Min, double Max, double Mean, double Std, long NonFinite);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN for empty data
    };

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A .nii, .nii.gz, .png or .npy file" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var cmd = new Command("info", "Print a data file's format, shape, dtype, voxel size, affine and value statistics");
        cmd.Arguments.Add(file);
        cmd.Options.Add(json);
        cmd.SetAction(parse => CliErrors.Run(parse, () =>
        {
            var summary = Summarise(parse.GetValue(file)!);
            Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(summary, JsonOptions) : Format(summary));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Reads the file (format from its extension, else its magic bytes) and summarises it.</summary>
    public static Summary Summarise(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}");
        switch (DetectFormat(path))
        {
            case "nifti":
                var image = Nifti.ReadRaw(path);
                var volume = Nifti.ToVolume(image);
                var a = volume.Affine;
                var affine = Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, 4).Select(c => a[r, c]).ToArray()).ToArray();
                return Make(path, $"NIfTI-{image.Header.Version}{(image.Header.BigEndian ? " (big-endian)" : "")}",
                    volume.Dims.Select(d => (long)d).ToArray(), volume.SourceType.ToString(), volume.VoxelSize, affine, volume.Data);
            case "png":
                var png = Png.Read(path);
                return Make(path, $"PNG ({png.ColorType}, read as grey in [0,1])", [png.Height, png.Width],
                    $"{png.BitDepth}-bit", null, null, png.Pixels);
            default:
                var npy = Npy.Read(path);
                return Make(path, "NPY", npy.Shape, npy.DType.ToString(), null, null, npy.ToFloat64());
        }
    }

    private static string DetectFormat(string path)
    {
        string name = path.ToLowerInvariant();
        if (name.EndsWith(".nii") || name.EndsWith(".nii.gz")) return "nifti";
        if (name.EndsWith(".png")) return "png";
        if (name.EndsWith(".npy")) return "npy";
        var head = new byte[4];
        using (var fs = File.OpenRead(path)) fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (head[0] == 0x89 && head[1] == 'P') return "png";
        if (head[0] == 0x93 && head[1] == 'N') return "npy";
        if (head[0] == 0x1F && head[1] == 0x8B) return "nifti";
        if (BitConverter.ToInt32(head) is 348 or 540 || System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head) is 348 or 540) return "nifti";
        throw new InvalidDataException($"{path}: unknown format (expected .nii, .nii.gz, .png or .npy)");
    }

    private static Summary Make<T>(string path, string format, long[] shape, string dtype, double[]? voxel, double[][]? affine, IReadOnlyList<T> values)
        where T : struct, IConvertible
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        long n = 0, nonFinite = 0;
        foreach (var t in values)
        {
            double v = t.ToDouble(CultureInfo.InvariantCulture);
            if (!double.IsFinite(v)) { nonFinite++; continue; }
            min = Math.Min(min, v); max = Math.Max(max, v); sum += v; n++;
        }
        double mean = n > 0 ? sum / n : double.NaN, squares = 0;
        foreach (var t in values)
        {
            double v = t.ToDouble(CultureInfo.InvariantCulture);
            if (double.IsFinite(v)) squares += (v - mean) * (v - mean);
        }
        if (n == 0) { min = max = double.NaN; }
        return new Summary(path, format, shape, dtype, voxel, affine, min, max, mean, n > 0 ? Math.Sqrt(squares / n) : double.NaN, nonFinite);
    }

    private static string Format(Summary s)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"file:       {s.File}",
            $"format:     {s.Format}",
            $"shape:      ({string.Join(", ", s.Shape)})",
            $"dtype:      {s.DType}",
        };
        if (s.VoxelSize is not null) lines.Add($"voxel size: ({string.Join(", ", s.VoxelSize.Select(v => v.ToString("G6", inv)))})");
        if (s.Affine is not null)
        {
            lines.Add("affine:");
            lines.AddRange(s.Affine.Select(r => "  [" + string.Join(", ", r.Select(v => v.ToString("F4", inv).PadLeft(11))) + "]"));
        }
        lines.Add(string.Create(inv, $"values:     min {s.Min:G6}, max {s.Max:G6}, mean {s.Mean:G6}, std {s.Std:G6}"));
        if (s.NonFinite > 0) lines.Add($"non-finite: {s.NonFinite}");
        return string.Join(Environment.NewLine, lines);
    }
}
