using MedAnomaly.Data;

namespace MedAnomaly.Tests.Data;

public class ManifestTests
{
    internal static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, relative);
            if (File.Exists(p) || Directory.Exists(p)) return p;
        }
        throw new FileNotFoundException(relative);
    }

    public static IEnumerable<object[]> ManifestFiles() =>
        Directory.GetFiles(RepoFile("data-manifests"), "*.json").Where(f => !f.EndsWith("schema.json")).Order().Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void Every_shipped_manifest_validates(string file)
    {
        var m = DatasetManifest.Load(Path.Combine(RepoFile("data-manifests"), file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), m.Name);
        Assert.NotEmpty(m.Splits);
        Assert.False(string.IsNullOrWhiteSpace(m.License));
        // Round trip: serialising and parsing again gives the same JSON.
        Assert.Equal(m.ToJson(), DatasetManifest.Parse(m.ToJson()).ToJson());
    }

    [Fact]
    public void Expected_datasets_are_all_shipped()
    {
        var names = ManifestFiles().Select(o => (string)o[0]).ToHashSet();
        foreach (var n in new[] { "brats2021", "atlas2", "ixi", "camcan", "phantom", "medianomaly-brats2021", "medianomaly-braintumor",
                                  "medianomaly-rsna", "medianomaly-vincxr", "medianomaly-lag", "medianomaly-isic2018", "medianomaly-camelyon16" })
            Assert.Contains(n + ".json", names);
    }

    [Fact]
    public void Shipped_phantom_manifest_matches_the_generator()
    {
        var shipped = File.ReadAllText(Path.Combine(RepoFile("data-manifests"), "phantom.json")).Trim();
        Assert.Equal(PhantomSet.Manifest(128).ToJson(), shipped);
    }

    private const string Good = """
        {"schema": "medanomaly-manifest/1", "name": "x", "title": "X", "homepage": "https://example.org", "license": "CC0",
         "modality": "MRI", "format": "nifti", "splits": [{"name": "train", "label": "normal", "images": "a/*.nii.gz"}],
         "preprocess": [], "slicing": {"axis": 2}}
        """;

    [Fact]
    public void Minimal_manifest_parses() => Assert.Equal("x", DatasetManifest.Parse(Good).Name);

    [Theory]
    [InlineData("\"schema\": \"medanomaly-manifest/1\"", "\"schema\": \"v2\"", "schema: expected \"medanomaly-manifest/1\"")]
    [InlineData("\"name\": \"x\"", "\"name\": \"Bad Name\"", "name: expected lower-case")]
    [InlineData("\"homepage\": \"https://example.org\"", "\"homepage\": \"ftp://x\"", "homepage: expected an http(s) URL")]
    [InlineData("\"license\": \"CC0\",", "", "license: required")]
    [InlineData("\"format\": \"nifti\"", "\"format\": \"dicom\"", "format: expected one of nifti, png")]
    [InlineData("\"label\": \"normal\"", "\"label\": \"healthy\"", "splits[0].label: expected \"normal\" or \"anomalous\"")]
    [InlineData("\"images\": \"a/*.nii.gz\"", "\"images\": \"../a/*.nii.gz\"", "splits[0].images: \"../a/*.nii.gz\" contains '..'")]
    [InlineData("\"images\": \"a/*.nii.gz\"", "\"images\": \"/data/*.nii.gz\"", "splits[0].images: \"/data/*.nii.gz\" must be a relative path")]
    [InlineData("\"images\": \"a/*.nii.gz\"", "\"images\": \"a/{channel}.nii.gz\"", "splits[0].images: uses {channel} but the manifest lists no channels")]
    [InlineData("\"images\": \"a/*.nii.gz\"", "\"imgs\": \"a/*.nii.gz\"", "splits[0].imgs: unknown field")]
    [InlineData("\"slicing\": {\"axis\": 2}", "\"slicing\": {\"axis\": 3}", "slicing.axis: expected 0, 1 or 2")]
    [InlineData(", \"slicing\": {\"axis\": 2}", "", "slicing: required for nifti volumes")]
    [InlineData("\"preprocess\": []", "\"preprocess\": [{\"op\": \"resize\", \"height\": 64}]", "preprocess[0].width: required")]
    [InlineData("\"preprocess\": []", "\"preprocess\": [], \"sha256\": {\"a/b.nii\": \"xyz\"}", "sha256[\"a/b.nii\"]: expected 64 lower-case hex digits")]
    [InlineData("\"preprocess\": []", "\"preprocess\": [], \"extra\": 1", "extra: unknown field")]
    [InlineData("\"modality\": \"MRI\"", "\"modality\": 3", "modality: expected a string")]
    public void Broken_manifests_name_the_field(string find, string replace, string expected)
    {
        Assert.Contains(find, Good);
        var e = Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse(Good.Replace(find, replace), "bad.json"));
        Assert.StartsWith("bad.json: " + expected, e.Message);
    }

    [Fact]
    public void Invalid_json_is_reported() =>
        Assert.StartsWith("m.json: not valid JSON", Assert.Throws<InvalidDataException>(() => DatasetManifest.Parse("{", "m.json")).Message);

    [Fact]
    public void Channels_substitute_into_globs_and_mask_rules()
    {
        var root = Directory.CreateTempSubdirectory("manifest").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "S1"));
            foreach (var f in new[] { "S1/S1_t2.nii.gz", "S1/S1_flair.nii.gz", "S1/S1_seg.nii.gz" }) File.WriteAllText(Path.Combine(root, f), "");
            var m = DatasetManifest.Load(Path.Combine(RepoFile("data-manifests"), "brats2021.json"));
            // BraTS layout uses BraTS2021_*; a renamed copy of the rule on a tiny tree:
            var split = m.Splits[0] with { Images = "S*/S*_{channel}.nii.gz" };
            var files = ManifestPaths.Resolve(m, split, root, "flair");
            Assert.Equal("S1/S1_flair.nii.gz", Assert.Single(files).Image);
            Assert.Equal("S1/S1_seg.nii.gz", files[0].Mask);
            Assert.Throws<ArgumentException>(() => ManifestPaths.Resolve(m, split, root, "dwi"));
        }
        finally { Directory.Delete(root, true); }
    }
}
