using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using MedAnomaly.Checkpoints;
using MedAnomaly.Methods;
using MedAnomaly.Tests.Experiments;
using TorchSharp;
using Xunit.Abstractions;

namespace MedAnomaly.Tests.Data;

/// <summary>
/// Issue #18 item 11, checkpoints: a saved detector of every method (tiny preset) mutated byte by byte in its safetensors
/// header (<see cref="Fuzz.Mutate"/>) and structurally (<see cref="Fuzz.MutateJson"/> of the header: tensor shapes,
/// dtypes and offsets, the method's name and its config). Each file is loaded with <see cref="DetectorRegistry.Load"/>
/// and, when it loads, scores a batch: the only errors are InvalidDataException (a file that is not a valid detector)
/// and NotSupportedException, and nothing reaches libtorch before the shapes are checked (a libtorch error in an op
/// ends the process).
/// </summary>
public sealed class CheckpointFuzzTests(ITestOutputHelper output) : IDisposable
{
    const int ByteCases = 150, JsonCases = 60;
    static readonly string[] Methods = ["ae", "vae", "dae", "ddpm", "disyre"];

    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>An untrained detector of the tiny preset, as its file's bytes.</summary>
    byte[] Saved(string method)
    {
        var (detector, _) = DetectorRegistry.Create(method, PresetName.Tiny);
        using (detector)
        {
            string path = temp.File($"{method}.safetensors");
            detector.Save(path);
            return File.ReadAllBytes(path);
        }
    }

    /// <summary>The header's length prefix and JSON, and the data after it.</summary>
    internal static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        long n = BinaryPrimitives.ReadInt64LittleEndian(file);
        return (JsonNode.Parse(Encoding.UTF8.GetString(file, 8, (int)n))!.AsObject(), file[(8 + (int)n)..]);
    }

    static byte[] Join(JsonNode header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var length = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, json.Length);
        return [.. length, .. json, .. data];
    }

    /// <summary>Loads the file as a detector; when it loads, scores two 32×32 slices.</summary>
    void Load(string method, byte[] bytes, int index)
    {
        string path = temp.File($"{method}-{index}.safetensors");
        File.WriteAllBytes(path, bytes);
        try
        {
            using var detector = DetectorRegistry.Load(path);
            using var scope = torch.NewDisposeScope();
            var images = torch.rand([2, 1, 32, 32], generator: new torch.Generator(7));
            var output = detector.Score(images);
            Assert.Equal([2, 1, 32, 32], output.Map.shape);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MutatedCheckpointsLoadOrThrowInvalidData()
    {
        var failures = new Fuzz.Failures();
        var rng = new Random(20251118);
        int cases = 0, rejected = 0;
        foreach (var method in Methods)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            int before = rejected;
            var bytes = Saved(method);
            Fuzz.Check(method, "unmodified", () => Load(method, bytes, -1));   // the valid file loads and scores
            int header = 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
            var (json, data) = Split(bytes);
            for (int i = 0; i < ByteCases + JsonCases; i++, cases++)
            {
                var (mutated, what) = i < ByteCases ? Fuzz.Mutate(rng, bytes, header, i) : MutateHeader(rng, json, data);
                int index = i;
                if (failures.Check(method, what, () => Load(method, mutated, index), typeof(InvalidDataException), typeof(NotSupportedException)) is not null)
                    rejected++;
            }
            output.WriteLine($"{method}: {ByteCases + JsonCases} cases, {rejected - before} rejected, {clock.Elapsed.TotalSeconds:F1} s (process CPU {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s)");
        }
        failures.AssertNone();
        Assert.True(cases >= 1000, $"only {cases} cases");
        Assert.True(rejected > cases / 2, $"only {rejected} of {cases} corrupt checkpoints were rejected");
    }

    /// <summary>A structural change of the header, half of them inside the metadata's config JSON.</summary>
    internal static (byte[] Bytes, string What) MutateHeader(Random rng, JsonObject header, byte[] data)
    {
        if (rng.Next(2) == 0 || header["__metadata__"]?["config"] is null)
        {
            var (mutated, what) = Fuzz.MutateJson(rng, header);
            return (Join(mutated, data), what);
        }
        var copy = header.DeepClone().AsObject();
        var config = JsonNode.Parse((string)copy["__metadata__"]!["config"]!)!;
        var (changed, change) = Fuzz.MutateJson(rng, config);
        copy["__metadata__"]!["config"] = changed.ToJsonString();
        return (Join(copy, data), "config " + change);
    }
}
