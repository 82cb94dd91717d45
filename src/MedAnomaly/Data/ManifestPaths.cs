using System.Text.Json;
using System.Text.RegularExpressions;

namespace MedAnomaly.Data;

/// <summary>One image of a split resolved on disk: relative paths (forward slashes) inside the root.</summary>
public sealed record ManifestFile(string Split, string Label, string Image, string? Mask);

/// <summary>
/// Resolves a manifest's globs and lists against a local root, keeping every path inside the root:
/// globs must be relative with no '..' segment, and each match (after following symlinks) must lie under
/// the root's real path.
/// </summary>
public static class ManifestPaths
{
    /// <summary>Rejects absolute paths, backslashes, '..' segments and empty segments.</summary>
    public static void CheckRelative(string path, string field)
    {
        if (path.Length == 0) throw new InvalidDataException($"{field}: expected a non-empty relative path");
        if (path.StartsWith('/') || path.Contains('\\') || Regex.IsMatch(path, "^[A-Za-z]:"))
            throw new InvalidDataException($"{field}: \"{path}\" must be a relative path with '/' separators (absolute paths are not allowed)");
        foreach (var seg in path.Split('/'))
        {
            if (seg == "..") throw new InvalidDataException($"{field}: \"{path}\" contains '..'; paths must stay inside the dataset root");
            if (seg.Length == 0) throw new InvalidDataException($"{field}: \"{path}\" has an empty path segment");
        }
    }

    /// <summary>The files of <paramref name="split"/> under <paramref name="root"/> (sorted, ordinal), with the
    /// mask paths derived from the images (not checked for existence here).</summary>
    public static List<ManifestFile> Resolve(DatasetManifest manifest, ManifestSplit split, string root, string? channel = null)
    {
        channel ??= manifest.DefaultChannel;
        if (channel is not null && manifest.Channels.Count > 0 && !manifest.Channels.Contains(channel))
            throw new ArgumentException($"channel \"{channel}\": expected one of {string.Join(", ", manifest.Channels)}");
        string Sub(string s) => channel is null ? s : s.Replace("{channel}", channel);
        List<string> images;
        if (split.Images is not null)
        {
            images = Glob(root, Sub(split.Images));
            var excluded = split.Exclude.SelectMany(e => Glob(root, Sub(e))).ToHashSet(StringComparer.Ordinal);
            images = images.Where(p => !excluded.Contains(p)).ToList();
        }
        else images = FromList(root, split.List!);
        return images.Select(img => new ManifestFile(split.Name, split.Label, img, MaskOf(img, split.Mask, Sub))).ToList();
    }

    private static string? MaskOf(string image, MaskRule? rule, Func<string, string> sub)
    {
        if (rule is null) return null;
        string find = sub(rule.Replace);
        int at = image.IndexOf(find, StringComparison.Ordinal);
        if (at < 0) throw new InvalidDataException($"mask rule: image \"{image}\" does not contain \"{find}\" to replace");
        return image[..at] + sub(rule.With) + image[(at + find.Length)..];
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, refusing anything that
    /// resolves (lexically or through symlinks) outside the root.</summary>
    public static string Full(string root, string relative)
    {
        CheckRelative(relative, "path");
        string rootFull = Path.GetFullPath(root);
        string full = Path.GetFullPath(Path.Combine(rootFull, relative));
        if (!IsUnder(rootFull, full)) throw new InvalidDataException($"path \"{relative}\" resolves outside the root {rootFull}");
        string realRoot = RealPath(rootFull);
        string real = RealPath(full);
        if (!IsUnder(realRoot, real)) throw new InvalidDataException($"path \"{relative}\" is a link to {real}, outside the root {realRoot}");
        return full;
    }

    /// <summary>Expands a glob ('*', '?' within a segment) relative to the root; returns sorted relative paths of files.</summary>
    public static List<string> Glob(string root, string pattern)
    {
        CheckRelative(pattern, "glob");
        var current = new List<string> { "" };
        var segments = pattern.Split('/');
        for (int s = 0; s < segments.Length; s++)
        {
            bool last = s == segments.Length - 1;
            var regex = new Regex("^" + Regex.Escape(segments[s]).Replace("\\*", "[^/]*").Replace("\\?", "[^/]") + "$");
            var next = new List<string>();
            foreach (var dir in current)
            {
                string full = Full(root, dir.Length == 0 ? "." : dir);
                if (!Directory.Exists(full)) continue;
                var entries = last ? Directory.EnumerateFiles(full) : Directory.EnumerateDirectories(full);
                foreach (var e in entries)
                {
                    string name = Path.GetFileName(e);
                    if (!regex.IsMatch(name)) continue;
                    string rel = dir.Length == 0 ? name : dir + "/" + name;
                    Full(root, rel); // refuses symlinks escaping the root
                    next.Add(rel);
                }
            }
            current = next;
        }
        current.Sort(StringComparer.Ordinal);
        return current;
    }

    private static List<string> FromList(string root, ListSource list)
    {
        string file = Full(root, list.File);
        if (!File.Exists(file)) throw new FileNotFoundException($"split list {list.File} not found under {root}", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var e = doc.RootElement;
        foreach (var key in list.Key.Split('/'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out e))
                throw new InvalidDataException($"{list.File}: no key \"{list.Key}\" (missing \"{key}\")");
        }
        if (e.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{list.File}: \"{list.Key}\" is not an array of file names");
        var result = new List<string>();
        foreach (var item in e.EnumerateArray())
        {
            string rel = list.Dir.TrimEnd('/') + "/" + (item.GetString() ?? throw new InvalidDataException($"{list.File}: \"{list.Key}\" holds a non-string"));
            CheckRelative(rel, $"{list.File}:{list.Key}");
            result.Add(rel);
        }
        return result;
    }

    private static bool IsUnder(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    /// <summary>The path with every symlink component resolved (for files or directories that exist).</summary>
    private static string RealPath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string current = "/";
        foreach (var part in parts)
        {
            string next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : Path.GetFullPath(target.FullName);
            }
            current = next;
        }
        return current;
    }
}
