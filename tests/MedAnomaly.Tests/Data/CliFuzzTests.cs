using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Methods;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace MedAnomaly.Tests.Data;

/// <summary>
/// Issue #18 item 11 through the CLI: mutated NIfTI, PNG and NPY files (<c>data info</c>, <c>metrics</c>), manifests
/// (<c>data export</c>, <c>data check</c>), run stores (<c>runs list | show | table</c>) and detector checkpoints
/// (<c>score</c>, which loads libtorch) — each a process of the built CLI, a few at a time. Every one ends within
/// <see cref="Timeout"/> with exit code 0, or 1 and at most one <c>error:</c> line (and a hint that is not "this looks
/// like a bug"); never a native crash (a signal's exit code), a stack trace or a hang.
/// </summary>
public sealed partial class CliFuzzTests(ITestOutputHelper output) : IDisposable
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>One invocation: the files it reads (written first) and its arguments.</summary>
    sealed record CliCase(string Name, string What, IReadOnlyList<(string Path, byte[] Bytes)> Files, string[] Args);

    [Fact]
    public void MutatedFilesThroughTheCliEndInOneLineErrors()
    {
        var rng = new Random(20251121);
        var cases = new List<CliCase>();
        cases.AddRange(Codecs(rng));
        cases.AddRange(Manifests(rng));
        cases.AddRange(Stores(rng));
        cases.AddRange(Checkpoints(rng));
        Assert.True(cases.Count >= 200, $"only {cases.Count} CLI cases");

        var failures = new List<string>();
        var outcomes = new int[2];
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, c =>
        {
            foreach (var (path, bytes) in c.Files)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
            }
            string? problem = Problem(Run(c.Args), out int code);
            lock (failures)
            {
                if (problem is not null) failures.Add($"{c.Name} ({c.What}): medanomaly {string.Join(" ", c.Args)}\n{problem}");
                else outcomes[code]++;
            }
        });
        output.WriteLine($"{cases.Count} CLI cases in {clock.Elapsed.TotalSeconds:F0} s: {outcomes[0]} exit 0, {outcomes[1]} one-line errors");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed; the first ones:\n\n{string.Join("\n\n", failures.Take(10))}");
        Assert.True(outcomes[1] > cases.Count / 2, $"only {outcomes[1]} of {cases.Count} mutated inputs were refused");
    }

    /// <summary>The process's result, or null when it did not end within <see cref="Timeout"/> (it is killed).</summary>
    static CliResult? Run(string[] args)
    {
        using var process = CliProcess.Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            return null;
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>What is wrong with the way the command ended, or null when it ended as it should.</summary>
    static string? Problem(CliResult? result, out int code)
    {
        code = result?.Code ?? -1;
        if (result is null) return $"no answer after {Timeout.TotalSeconds:0} s";
        if (result.Code is not (0 or 1)) return $"exit code {result.Code} (a signal or a crash)\n{result.Output}";
        if (StackFrame().IsMatch(result.Output) || result.Output.Contains("Unhandled exception")) return $"a stack trace\n{result.Output}";
        var lines = result.ErrorLines;
        if (lines.Length == 0) return null;
        if (!lines[0].StartsWith("error: ") || lines.Length > 2 || (lines.Length == 2 && !lines[1].StartsWith("hint: ")))
            return $"stderr is not one error line:\n{result.Stderr}";
        if (lines.Length == 2 && lines[1].Contains("looks like a bug")) return $"an unexpected exception:\n{result.Stderr}";
        return null;
    }

    [GeneratedRegex(@"(?m)^\s+at \S+\(")]
    private static partial Regex StackFrame();

    string CaseFolder(string kind, int i) => temp.File("cases", $"{kind}-{i}");

    /// <summary><c>data info</c> on NIfTI, PNG and NPY fixtures, <c>metrics</c> on maps and masks.</summary>
    IEnumerable<CliCase> Codecs(Random rng)
    {
        var files = new[] { "nifti", "png", "npy" }
            .SelectMany(kind => Directory.GetFiles(Path.Combine(Fixtures, kind)).Where(f => !f.EndsWith(".json")).Order())
            .ToList();
        for (int i = 0; i < 2 * files.Count; i++)
        {
            string source = files[i % files.Count];
            var bytes = File.ReadAllBytes(source);
            int header = source.EndsWith(".gz") ? bytes.Length : Math.Min(bytes.Length, 560);
            var (mutated, what) = Fuzz.Mutate(rng, bytes, header, i);
            string path = Path.Combine(CaseFolder("info", i), Path.GetFileName(source));
            yield return new CliCase(Path.GetFileName(source), what, [(path, mutated)], ["data", "info", path]);
        }

        var maps = NpyBytes(Enumerable.Range(0, 4 * 16 * 16).Select(k => (float)(k % 17) / 17).ToArray());
        var masks = NpyBytes(Enumerable.Range(0, 4 * 16 * 16).Select(k => (byte)(k % 17 == 16 ? 1 : 0)).ToArray());
        for (int i = 0; i < 20; i++)
        {
            string folder = CaseFolder("metrics", i);
            bool mutateMaps = i % 2 == 0;
            var (mutated, what) = Fuzz.Mutate(rng, mutateMaps ? maps : masks, 128, i);
            byte[] m = mutateMaps ? mutated : maps, g = mutateMaps ? masks : mutated;
            yield return new CliCase(mutateMaps ? "maps.npy" : "masks.npy", what,
                [(Path.Combine(folder, "maps.npy"), m), (Path.Combine(folder, "masks.npy"), g)],
                ["metrics", "--scores", Path.Combine(folder, "maps.npy"), "--masks", Path.Combine(folder, "masks.npy")]);
        }
    }

    /// <summary>A [4,16,16] array as .npy file bytes.</summary>
    byte[] NpyBytes<T>(T[] values) where T : unmanaged
    {
        string path = temp.File($"array-{typeof(T).Name}.npy");
        Npy.Write(path, values, 4, 16, 16);
        return File.ReadAllBytes(path);
    }

    string Phantom()
    {
        string data = temp.File("phantom");
        if (!Directory.Exists(data)) PhantomSet.Write(data, volumes: 3, size: 32, seed: 0, testFraction: 0.34);
        return data;
    }

    /// <summary><c>data export</c> (the loading of train, compare, score) and <c>data check</c> on mutated manifests.</summary>
    IEnumerable<CliCase> Manifests(Random rng)
    {
        string data = Phantom();
        var bytes = File.ReadAllBytes(Path.Combine(data, "manifest.json"));
        var json = JsonNode.Parse(bytes)!;
        for (int i = 0; i < 40; i++)
        {
            var (mutated, what) = i % 2 == 0 ? Fuzz.Mutate(rng, bytes, bytes.Length, i / 2)
                : Fuzz.MutateJson(rng, json) switch { var (node, change) => (Encoding.UTF8.GetBytes(node.ToJsonString()), change) };
            string folder = CaseFolder("manifest", i), manifest = Path.Combine(folder, "manifest.json");
            yield return new CliCase("manifest.json", what, [(manifest, mutated)], i % 3 == 2
                ? ["data", "check", manifest, "--root", data]
                : ["data", "export", "--data", manifest, "--root", data, "--out", Path.Combine(folder, "export")]);
        }
    }

    /// <summary><c>runs list</c>, <c>runs show</c> and <c>runs table</c> on mutated stores.</summary>
    IEnumerable<CliCase> Stores(Random rng)
    {
        string path = temp.File("store", "medanomaly.db");
        var store = RunStore.Open(path);
        for (int seed = 0; seed < 3; seed++)
        {
            long id = store.BeginRun(new RunInfo("ae", "phantom", """{"method":"ae"}""", seed, $"medanomaly train --method ae --seed {seed} --data ph"));
            store.CompleteRun(id, [new MetricValue("test", "pixel_auroc", 0.7 + seed / 10.0)]);
        }
        SqliteConnection.ClearAllPools();
        var bytes = File.ReadAllBytes(path);
        string[][] commands = [["runs", "list"], ["runs", "show", "2"], ["runs", "table"]];
        for (int i = 0; i < 39; i++)
        {
            var (mutated, what) = Fuzz.Mutate(rng, bytes, bytes.Length, i);
            string file = Path.Combine(CaseFolder("store", i), "medanomaly.db");
            yield return new CliCase("store", what, [(file, mutated)], [.. commands[i % 3], "--store", file]);
        }
    }

    /// <summary><c>score</c> of runs whose saved model is a mutated AE checkpoint (header bytes or header JSON).</summary>
    IEnumerable<CliCase> Checkpoints(Random rng)
    {
        string data = Phantom();
        string model = temp.File("model", "ae.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        var (detector, _) = DetectorRegistry.Create("ae", PresetName.Tiny);
        using (detector) detector.Save(model);
        var bytes = File.ReadAllBytes(model);
        int header = 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var (json, weights) = CheckpointFuzzTests.Split(bytes);

        string storePath = temp.File("score-store", "medanomaly.db");
        var store = RunStore.Open(storePath);
        var cases = new List<CliCase>();
        for (int i = 0; i < 16; i++)
        {
            var (mutated, what) = i % 2 == 0 ? Fuzz.Mutate(rng, bytes, header, i / 2) : CheckpointFuzzTests.MutateHeader(rng, json, weights);
            string file = Path.Combine(CaseFolder("checkpoint", i), "model.safetensors");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, mutated);
            long id = store.BeginRun(new RunInfo("ae", "phantom", """{"method":"ae"}""", i, $"medanomaly train --method ae --data {data}"));
            store.RecordArtifact(id, "model", file);
            store.CompleteRun(id, []);
            cases.Add(new CliCase("ae.safetensors", what, [], ["score", "--run", id.ToString(), "--store", storePath, "--out", Path.Combine(CaseFolder("checkpoint", i), "maps")]));
        }
        SqliteConnection.ClearAllPools();
        return cases;
    }
}
