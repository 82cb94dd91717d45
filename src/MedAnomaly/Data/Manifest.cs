using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MedAnomaly.Data;

/// <summary>How a split's mask path is derived from an image path: replace the first occurrence of
/// <paramref name="Replace"/> (after {channel} substitution) with <paramref name="With"/>.</summary>
public sealed record MaskRule(string Replace, string With);

/// <summary>A split whose file names come from a JSON list inside the dataset (MedIAnomaly's data.json):
/// <paramref name="File"/> relative to the root, <paramref name="Key"/> a '/'-separated path to an array of
/// names (e.g. "test/1"), names relative to <paramref name="Dir"/>.</summary>
public sealed record ListSource(string File, string Key, string Dir);

/// <summary>One split of a dataset: where its images are and whether they are normal.</summary>
/// <param name="Label">"normal" (image label 0) or "anomalous" (label 1); with masks, a slice's label is
/// whether its mask has a lesion pixel.</param>
/// <param name="Images">Glob relative to the root ('*' and '?' within one path segment, {channel}), or null with a list.</param>
/// <param name="LabelsOnly">"slice_labels": "from_mask": a weakly labelled split. Each slice's label is 1 when its mask has a
/// lesion voxel (any label of the segmentation), as Wolleb et al. 2022 label BraTS slices; the masks serve only that and
/// are not loaded with the split (<see cref="SliceDataset.Load"/>), so training on it sees image labels, never masks.</param>
public sealed record ManifestSplit(string Name, string Label, string? Images, IReadOnlyList<string> Exclude, MaskRule? Mask, ListSource? List,
                                   bool LabelsOnly = false);

/// <summary>
/// A dataset manifest (data-manifests/*.json; schema in data-manifests/schema.json and docs/data.md): where
/// the data comes from, its licence, layout, splits and preprocessing recipe. Loading validates every field
/// and names the first bad one.
/// </summary>
public sealed record DatasetManifest(
    string Name, string Title, string? Homepage, string License, string? Citation, string Modality, string Format,
    IReadOnlyList<string> Channels, string? DefaultChannel, IReadOnlyList<ManifestSplit> Splits,
    PreprocessRecipe Preprocess, int? SliceAxis, double MinForeground, IReadOnlyDictionary<string, string> Sha256, string? Notes)
{
    public const string SchemaId = "medanomaly-manifest/1";
    public static readonly string[] Formats = { "nifti", "png" };
    public static readonly string[] Labels = { "normal", "anomalous" };
    /// <summary>The value of a split's "slice_labels" that makes it weakly labelled (<see cref="ManifestSplit.LabelsOnly"/>).</summary>
    public const string SliceLabelsFromMask = "from_mask";

    /// <summary>Loads and validates a manifest file.</summary>
    public static DatasetManifest Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"manifest {path} not found", path);
        return Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    /// <summary>Parses and validates manifest JSON; errors read "SOURCE: field: what was expected".</summary>
    public static DatasetManifest Parse(string json, string source = "manifest")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON: {e.Message}"); }
        using (doc)
        {
            try { return FromJson(doc.RootElement); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{source}: {e.Message}"); }
        }
    }

    private static readonly string[] TopLevel = { "$schema", "schema", "name", "title", "homepage", "license", "citation", "modality", "format",
        "channels", "default_channel", "splits", "preprocess", "slicing", "sha256", "notes" };

    private static DatasetManifest FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"expected a JSON object at the top level, got {root.ValueKind}");
        foreach (var p in root.EnumerateObject())
            if (!TopLevel.Contains(p.Name)) throw new InvalidDataException($"{p.Name}: unknown field; expected one of {string.Join(", ", TopLevel)}");
        string schema = Str(root, "schema", required: true)!;
        if (schema != SchemaId) throw new InvalidDataException($"schema: expected \"{SchemaId}\", got \"{schema}\"");
        string name = Str(root, "name", required: true)!;
        if (!Regex.IsMatch(name, "^[a-z0-9][a-z0-9_.-]*$")) throw new InvalidDataException($"name: expected lower-case letters, digits, '_', '-' or '.', got \"{name}\"");
        string? homepage = Str(root, "homepage");
        if (homepage is not null && (!Uri.TryCreate(homepage, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http")))
            throw new InvalidDataException($"homepage: expected an http(s) URL, got \"{homepage}\"");
        string format = Str(root, "format", required: true)!;
        if (!Formats.Contains(format)) throw new InvalidDataException($"format: expected one of {string.Join(", ", Formats)}, got \"{format}\"");

        var channels = StrArray(root, "channels");
        string? defaultChannel = Str(root, "default_channel");
        if (channels.Count > 0 && defaultChannel is null) throw new InvalidDataException("default_channel: required when channels are listed");
        if (defaultChannel is not null && !channels.Contains(defaultChannel))
            throw new InvalidDataException($"default_channel: \"{defaultChannel}\" is not one of channels [{string.Join(", ", channels)}]");

        var splits = ParseSplits(root, channels.Count > 0);
        var preprocess = root.TryGetProperty("preprocess", out var pre) ? PreprocessRecipe.Parse(pre) : throw new InvalidDataException("preprocess: required (an array of steps, possibly empty)");
        var (axis, minFg) = ParseSlicing(root, format);
        var sha = ParseSha(root);
        return new DatasetManifest(name, Str(root, "title", required: true)!, homepage, Str(root, "license", required: true)!, Str(root, "citation"),
            Str(root, "modality", required: true)!, format, channels, defaultChannel, splits, preprocess, axis, minFg, sha, Str(root, "notes"));
    }

    private static List<ManifestSplit> ParseSplits(JsonElement root, bool hasChannels)
    {
        if (!root.TryGetProperty("splits", out var arr) || arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() == 0)
            throw new InvalidDataException("splits: required, a non-empty array of {name, label, images|list, ...}");
        var splits = new List<ManifestSplit>();
        var names = new HashSet<string>();
        int i = 0;
        foreach (var s in arr.EnumerateArray())
        {
            string path = $"splits[{i++}]";
            if (s.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: expected an object");
            foreach (var p in s.EnumerateObject())
                if (p.Name is not ("name" or "label" or "images" or "exclude" or "mask" or "list" or "slice_labels" or "notes"))
                    throw new InvalidDataException($"{path}.{p.Name}: unknown field; expected name, label, images, exclude, mask, list, slice_labels, notes");
            string name = Str(s, "name", true, path)!;
            if (!names.Add(name)) throw new InvalidDataException($"{path}.name: duplicate split name \"{name}\"");
            string label = Str(s, "label", true, path)!;
            if (!Labels.Contains(label)) throw new InvalidDataException($"{path}.label: expected \"normal\" or \"anomalous\", got \"{label}\"");
            string? images = Str(s, "images", false, path);
            ListSource? list = null;
            if (s.TryGetProperty("list", out var l))
            {
                if (l.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}.list: expected an object {{file, key, dir}}");
                list = new ListSource(Str(l, "file", true, $"{path}.list")!, Str(l, "key", true, $"{path}.list")!, Str(l, "dir", true, $"{path}.list")!);
                ManifestPaths.CheckRelative(list.File, $"{path}.list.file");
                ManifestPaths.CheckRelative(list.Dir, $"{path}.list.dir");
            }
            if ((images is null) == (list is null)) throw new InvalidDataException($"{path}: expected exactly one of \"images\" (a glob) or \"list\"");
            if (images is not null)
            {
                ManifestPaths.CheckRelative(images, $"{path}.images");
                if (images.Contains("{channel}") && !hasChannels) throw new InvalidDataException($"{path}.images: uses {{channel}} but the manifest lists no channels");
            }
            var exclude = StrArray(s, "exclude", path);
            foreach (var (e, k) in exclude.Select((e, k) => (e, k))) ManifestPaths.CheckRelative(e, $"{path}.exclude[{k}]");
            MaskRule? mask = null;
            if (s.TryGetProperty("mask", out var m))
            {
                if (m.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}.mask: expected an object {{replace, with}}");
                mask = new MaskRule(Str(m, "replace", true, $"{path}.mask")!, Str(m, "with", true, $"{path}.mask")!);
                if (mask.Replace.Length == 0) throw new InvalidDataException($"{path}.mask.replace: expected a non-empty string");
                if (mask.With.Contains("..") || mask.Replace.Contains("..")) throw new InvalidDataException($"{path}.mask: '..' is not allowed");
            }
            string? sliceLabels = Str(s, "slice_labels", false, path);
            if (sliceLabels is not (null or SliceLabelsFromMask))
                throw new InvalidDataException($"{path}.slice_labels: expected \"{SliceLabelsFromMask}\", got \"{sliceLabels}\"");
            if (sliceLabels is not null && mask is null)
                throw new InvalidDataException($"{path}.slice_labels: \"{SliceLabelsFromMask}\" needs a mask rule (\"mask\": {{replace, with}}) to derive the labels from");
            splits.Add(new ManifestSplit(name, label, images, exclude, mask, list, LabelsOnly: sliceLabels is not null));
        }
        return splits;
    }

    private static (int? axis, double minFg) ParseSlicing(JsonElement root, string format)
    {
        if (!root.TryGetProperty("slicing", out var s))
        {
            if (format == "nifti") throw new InvalidDataException("slicing: required for nifti volumes ({\"axis\": 0|1|2, \"min_foreground\": 0..1})");
            return (null, 0);
        }
        if (s.ValueKind != JsonValueKind.Object) throw new InvalidDataException("slicing: expected an object {axis, min_foreground}");
        if (!s.TryGetProperty("axis", out var a) || a.ValueKind != JsonValueKind.Number || !a.TryGetInt32(out int axis) || axis is < 0 or > 2)
            throw new InvalidDataException("slicing.axis: expected 0, 1 or 2");
        double minFg = 0;
        if (s.TryGetProperty("min_foreground", out var f))
        {
            if (f.ValueKind != JsonValueKind.Number || f.GetDouble() is < 0 or > 1) throw new InvalidDataException("slicing.min_foreground: expected a number in [0, 1]");
            minFg = f.GetDouble();
        }
        return (axis, minFg);
    }

    private static Dictionary<string, string> ParseSha(JsonElement root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("sha256", out var o)) return result;
        if (o.ValueKind != JsonValueKind.Object) throw new InvalidDataException("sha256: expected an object {\"relative/path\": \"64 hex digits\"}");
        foreach (var p in o.EnumerateObject())
        {
            ManifestPaths.CheckRelative(p.Name, $"sha256[\"{p.Name}\"]");
            if (p.Value.ValueKind != JsonValueKind.String || !Regex.IsMatch(p.Value.GetString()!, "^[0-9a-f]{64}$"))
                throw new InvalidDataException($"sha256[\"{p.Name}\"]: expected 64 lower-case hex digits");
            result[p.Name] = p.Value.GetString()!;
        }
        return result;
    }

    private static string? Str(JsonElement o, string name, bool required = false, string? path = null)
    {
        string where = path is null ? name : $"{path}.{name}";
        if (!o.TryGetProperty(name, out var v))
            return required ? throw new InvalidDataException($"{where}: required (a string)") : null;
        if (v.ValueKind != JsonValueKind.String) throw new InvalidDataException($"{where}: expected a string, got {v.ValueKind}");
        string s = v.GetString()!;
        if (required && s.Trim().Length == 0) throw new InvalidDataException($"{where}: expected a non-empty string");
        return s;
    }

    private static List<string> StrArray(JsonElement o, string name, string? path = null)
    {
        string where = path is null ? name : $"{path}.{name}";
        if (!o.TryGetProperty(name, out var v)) return new List<string>();
        if (v.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{where}: expected an array of strings");
        var list = new List<string>();
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) throw new InvalidDataException($"{where}[{i}]: expected a string");
            list.Add(e.GetString()!);
            i++;
        }
        return list;
    }

    /// <summary>The manifest as JSON (the same schema it was parsed from).</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["schema"] = SchemaId, ["name"] = Name, ["title"] = Title,
        };
        if (Homepage is not null) o["homepage"] = Homepage;
        o["license"] = License;
        if (Citation is not null) o["citation"] = Citation;
        o["modality"] = Modality;
        o["format"] = Format;
        if (Channels.Count > 0) { o["channels"] = new JsonArray(Channels.Select(c => (JsonNode)c).ToArray()); o["default_channel"] = DefaultChannel; }
        var splits = new JsonArray();
        foreach (var s in Splits)
        {
            var so = new JsonObject { ["name"] = s.Name, ["label"] = s.Label };
            if (s.Images is not null) so["images"] = s.Images;
            if (s.List is not null) so["list"] = new JsonObject { ["file"] = s.List.File, ["key"] = s.List.Key, ["dir"] = s.List.Dir };
            if (s.Exclude.Count > 0) so["exclude"] = new JsonArray(s.Exclude.Select(e => (JsonNode)e).ToArray());
            if (s.Mask is not null) so["mask"] = new JsonObject { ["replace"] = s.Mask.Replace, ["with"] = s.Mask.With };
            if (s.LabelsOnly) so["slice_labels"] = SliceLabelsFromMask;
            splits.Add(so);
        }
        o["splits"] = splits;
        o["preprocess"] = Preprocess.ToJson();
        if (SliceAxis is int axis) o["slicing"] = new JsonObject { ["axis"] = axis, ["min_foreground"] = MinForeground };
        if (Sha256.Count > 0)
        {
            var sha = new JsonObject();
            foreach (var (k, v) in Sha256.OrderBy(p => p.Key, StringComparer.Ordinal)) sha[k] = v;
            o["sha256"] = sha;
        }
        if (Notes is not null) o["notes"] = Notes;
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
