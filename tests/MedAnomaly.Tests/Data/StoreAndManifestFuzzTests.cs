using System.Text;
using System.Text.Json.Nodes;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.Experiments;
using Microsoft.Data.Sqlite;

namespace MedAnomaly.Tests.Data;

/// <summary>
/// Issue #18 item 11, run stores and manifests. A run store with runs, metrics and artifacts is mutated anywhere in its
/// pages (<see cref="Fuzz.Mutate"/>) and read as the commands and reports read it (list, show, results, provenance):
/// the only errors are the store's own (<see cref="RunStoreException"/>: damaged, not a store; InvalidDataException:
/// empty, not SQLite, another program's; <see cref="RunNotFoundException"/>). A dataset manifest is mutated byte by byte
/// and structurally (<see cref="Fuzz.MutateJson"/>) and its data set loaded and checked: only InvalidDataException, the
/// preprocessing's ArgumentException, a missing file or folder (IOException) or NotSupportedException.
/// </summary>
public sealed class StoreAndManifestFuzzTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    const int StoreCases = 600, ManifestByteCases = 150, ManifestJsonCases = 150;

    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A store as the CLI leaves it: two completed runs and a failed one, with metrics and a model artifact.</summary>
    byte[] Store()
    {
        string path = temp.File("store", "medanomaly.db");
        var store = RunStore.Open(path);
        string model = temp.File("model.safetensors");
        File.WriteAllText(model, "weights");
        for (int seed = 0; seed < 3; seed++)
        {
            long id = store.BeginRun(new RunInfo("ae", "phantom", """{"method":"ae","config":{},"training":{"Steps":10}}""", seed,
                $"medanomaly train --method ae --seed {seed} --data ph --preset tiny") { GitRevision = new string('a', 40) });
            if (seed == 2) { store.FailRun(id, "out of memory"); continue; }
            store.RecordArtifact(id, "model", model);
            store.CompleteRun(id, [new MetricValue("test", "pixel_auroc", 0.8 + seed / 10.0), new MetricValue("test", "image_ap", double.NaN)]);
        }
        SqliteConnection.ClearAllPools();   // closing the last connection folds the WAL into the file
        return File.ReadAllBytes(path);
    }

    /// <summary>Everything the CLI's readers and the report do with a store.</summary>
    void ReadStore(byte[] bytes, int index)
    {
        string path = temp.File("cases", $"store-{index}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        try
        {
            var store = RunStore.OpenReadOnly(path);
            foreach (var run in store.ListRuns()) RunProvenance.Of(run);
            store.ReadResults();
            store.GetRun(1);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
        }
    }

    [Fact]
    public void MutatedStoresReadOrThrowTheStoresErrors()
    {
        var bytes = Store();
        Fuzz.Check("store", "unmodified", () => ReadStore(bytes, -1));
        var failures = new Fuzz.Failures();
        var rng = new Random(20251119);
        int rejected = 0;
        for (int i = 0; i < StoreCases; i++)
        {
            var (mutated, what) = Fuzz.Mutate(rng, bytes, bytes.Length, i);
            int index = i;
            if (failures.Check("store", what, () => ReadStore(mutated, index), typeof(RunStoreException), typeof(InvalidDataException), typeof(RunNotFoundException)) is not null)
                rejected++;
        }
        failures.AssertNone();
        output.WriteLine($"{StoreCases} stores, {rejected} refused");
        Assert.True(rejected > StoreCases / 4, $"only {rejected} of {StoreCases} mutated stores were refused");
    }

    [Fact]
    public void MutatedManifestsLoadOrThrowTypedErrors()
    {
        string data = temp.File("phantom");
        PhantomSet.Write(data, volumes: 3, size: 24, seed: 0, testFraction: 0.34);
        var bytes = File.ReadAllBytes(Path.Combine(data, "manifest.json"));
        var json = JsonNode.Parse(bytes)!;
        Fuzz.Check("manifest", "unmodified", () => LoadManifest(bytes, data, -1));
        var failures = new Fuzz.Failures();
        var rng = new Random(20251120);
        int rejected = 0;
        for (int i = 0; i < ManifestByteCases + ManifestJsonCases; i++)
        {
            var (mutated, what) = i < ManifestByteCases
                ? Fuzz.Mutate(rng, bytes, bytes.Length, i)
                : Fuzz.MutateJson(rng, json) switch { var (node, change) => (Encoding.UTF8.GetBytes(node.ToJsonString()), change) };
            int index = i;
            if (failures.Check("manifest", what, () => LoadManifest(mutated, data, index),
                           typeof(InvalidDataException), typeof(ArgumentException), typeof(IOException), typeof(NotSupportedException)) is not null)
                rejected++;
        }
        failures.AssertNone();
        output.WriteLine($"{ManifestByteCases + ManifestJsonCases} manifests, {rejected} refused");
        Assert.True(rejected > (ManifestByteCases + ManifestJsonCases) / 2, $"only {rejected} mutated manifests were refused");
    }

    /// <summary>The manifest loaded with its data (as train, compare and data export do) and checked (as data check does).</summary>
    void LoadManifest(byte[] bytes, string root, int index)
    {
        string path = temp.File("manifests", $"manifest-{index}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        try
        {
            ExperimentData.Load(path, root);
            ManifestCheck.Run(DatasetManifest.Load(path), root, null);
        }
        finally { File.Delete(path); }
    }
}
