using System.Security.Cryptography;

namespace MedAnomaly.Data;

/// <summary>The result of <see cref="ManifestCheck.Run"/>: a readable report and the problems found.</summary>
public sealed record ManifestCheckReport(IReadOnlyList<string> Lines, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;

    public override string ToString()
    {
        var all = new List<string>(Lines);
        if (Ok) all.Add("OK: no problems found");
        else
        {
            all.Add($"FAILED: {Problems.Count} problem(s):");
            all.AddRange(Problems.Select(p => "  - " + p));
        }
        return string.Join(Environment.NewLine, all);
    }
}

/// <summary>
/// Checks a local copy of a dataset against its manifest: every split has files; each image and mask exists
/// and is readable by the codec of the manifest's format; shapes and stored datatypes agree within a split;
/// masks have their image's shape; files listed under "sha256" match their digest. Paths stay inside the root.
/// </summary>
public static class ManifestCheck
{
    /// <summary>Reads a file's (shape, datatype) for the consistency check; throws InvalidDataException if unreadable.</summary>
    public delegate (int[] shape, string dtype) Inspector(string path);

    /// <summary>Inspectors per manifest format.</summary>
    public static readonly Dictionary<string, Inspector> Inspectors = new()
    {
        ["nifti"] = path => { var v = Nifti.Read(path); return (v.Dims, v.SourceType.ToString().ToLowerInvariant()); },
        ["png"] = path => { var g = Png.Read(path); return (new[] { g.Height, g.Width }, $"{g.ColorType.ToString().ToLowerInvariant()}{g.BitDepth}"); },
    };

    public static ManifestCheckReport Run(DatasetManifest manifest, string root, string? channel = null)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"dataset root {root} does not exist");
        if (!Inspectors.TryGetValue(manifest.Format, out var inspect))
            throw new NotSupportedException($"no reader registered for format \"{manifest.Format}\"");
        var lines = new List<string> { $"manifest {manifest.Name} ({manifest.Title}), format {manifest.Format}, root {Path.GetFullPath(root)}" };
        var problems = new List<string>();
        foreach (var split in manifest.Splits)
        {
            List<ManifestFile> files;
            try { files = ManifestPaths.Resolve(manifest, split, root, channel); }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                problems.Add($"split {split.Name}: {e.Message}");
                continue;
            }
            if (files.Count == 0)
            {
                string where = split.Images?.Replace("{channel}", channel ?? manifest.DefaultChannel ?? "{channel}") ?? $"{split.List!.File} ({split.List.Key})";
                problems.Add($"split {split.Name}: no files match {where}");
                continue;
            }
            var shapes = new Dictionary<string, int>();
            int masks = 0;
            foreach (var f in files)
            {
                var info = Inspect(root, f.Image, inspect, problems);
                if (info is not null) { string key = Describe(info.Value); shapes[key] = shapes.GetValueOrDefault(key) + 1; }
                if (f.Mask is null) continue;
                var maskInfo = Inspect(root, f.Mask, inspect, problems, $" (mask of {f.Image})");
                if (maskInfo is null) continue;
                masks++;
                if (info is not null && !maskInfo.Value.shape.SequenceEqual(info.Value.shape))
                    problems.Add($"{f.Mask}: mask shape {Shape(maskInfo.Value.shape)} differs from its image's {Shape(info.Value.shape)}");
            }
            lines.Add($"split {split.Name} ({split.Label}): {files.Count} images" + (split.Mask is null ? "" : $", {masks} masks readable"));
            foreach (var (key, count) in shapes.OrderByDescending(p => p.Value)) lines.Add($"  {key}: {count}");
            if (shapes.Count > 1) problems.Add($"split {split.Name}: inconsistent shapes/datatypes: {string.Join("; ", shapes.Select(p => $"{p.Key} ×{p.Value}"))}");
        }
        CheckDigests(manifest, root, lines, problems);
        return new ManifestCheckReport(lines, problems);
    }

    private static (int[] shape, string dtype)? Inspect(string root, string relative, Inspector inspect, List<string> problems, string what = "")
    {
        try
        {
            string full = ManifestPaths.Full(root, relative);
            if (!File.Exists(full)) { problems.Add($"{relative}: missing{what}"); return null; }
            return inspect(full);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            problems.Add($"{relative}: unreadable{what}: {e.Message}");
            return null;
        }
    }

    private static void CheckDigests(DatasetManifest manifest, string root, List<string> lines, List<string> problems)
    {
        if (manifest.Sha256.Count == 0) { lines.Add("sha256: none listed in the manifest"); return; }
        int bad = 0;
        foreach (var (relative, expected) in manifest.Sha256.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            try
            {
                string full = ManifestPaths.Full(root, relative);
                if (!File.Exists(full)) { problems.Add($"{relative}: listed in sha256 but missing"); bad++; continue; }
                string actual = Sha256Of(full);
                if (actual != expected) { problems.Add($"{relative}: sha256 {actual} does not match the manifest's {expected}"); bad++; }
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                problems.Add($"{relative}: {e.Message}"); bad++;
            }
        }
        lines.Add($"sha256: {manifest.Sha256.Count} files checked, {bad} failed");
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static string Shape(int[] shape) => string.Join("x", shape);
    private static string Describe((int[] shape, string dtype) info) => $"shape {Shape(info.shape)} {info.dtype}";
}
