using MedAnomaly.Data;
using MedAnomaly.Experiments;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Tests.TestSupport;

namespace MedAnomaly.Tests.Cli;

/// <summary>
/// Commands that need no tensors never load libtorch (src/MedAnomaly.Cli/Program.cs, CliErrors.RunWithTorch): with
/// MEDANOMALY_LIBTORCH pointing at a folder without libtorch, which makes every load fail, `--help`, `metrics`,
/// `data info`, `data check` and `runs` still work, while `doctor` fails with TorchNative's one-line message.
/// </summary>
public sealed class LazyLibTorchTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    CliResult WithoutLibTorch(params string[] args) =>
        CliProcess.Wait(CliProcess.Start(args, new Dictionary<string, string?> { ["MEDANOMALY_LIBTORCH"] = temp.Path }));

    [Fact]
    public void CommandsWithoutTensorsRunWhereLibTorchCannotLoad()
    {
        string scores = temp.File("scores.npy"), labels = temp.File("labels.npy"), store = temp.File("medanomaly.db");
        Npy.Write(scores, [0.1f, 0.9f, 0.2f, 0.8f], 4);
        Npy.Write(labels, [0f, 1f, 0f, 1f], 4);
        var set = PhantomSet.Write(temp.File("phantom"), volumes: 2, size: 16, seed: 0, testFraction: 0.5);
        var runs = RunStore.Open(store);
        runs.CompleteRun(runs.BeginRun(new RunInfo("ae", "phantom", "{}", 0, "medanomaly train")), [new MetricValue("test", "pixel_auroc", 0.5)]);
        string[][] commands =
        [
            ["--help"],
            ["metrics", "--scores", scores, "--labels", labels],
            ["data", "info", scores],
            ["data", "check", set.ManifestPath, "--root", set.Directory],
            ["runs", "list", "--store", store],
            ["runs", "table", "--store", store],
        ];
        foreach (var command in commands)
        {
            var result = WithoutLibTorch(command);
            Assert.True(result.Code == 0, $"{string.Join(" ", command)}: {result.Output}");
        }
        WithoutLibTorch("doctor").AssertOneLineError("libtorch_cpu.so of libtorch 2.10.0 was not found", $"Looked in: {temp.Path}");
    }
}
