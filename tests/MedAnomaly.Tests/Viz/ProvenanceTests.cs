using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MedAnomaly.Cli.Commands;
using MedAnomaly.Experiments;
using MedAnomaly.Methods;
using MedAnomaly.Metrics;
using MedAnomaly.Tests.Experiments;
using MedAnomaly.Viz;

namespace MedAnomaly.Tests.Viz;

/// <summary>
/// Issue #18 item 6: the report says where every number came from. <see cref="RunProvenance"/> reads a stored run back as
/// its method, seed, preset, command, the settings that differ from the preset (computed from the stored config JSON
/// against the preset's), the evaluation settings, the code and the times; <see cref="HtmlReport.AddProvenance"/> prints
/// one table row per run.
/// </summary>
public sealed class ProvenanceTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("medanomaly train --method ae --data ph --preset tiny", "tiny")]
    [InlineData("medanomaly train --method ae --preset=paper --data ph", "paper")]
    [InlineData("medanomaly train --method ae --data ph", "quick")]            // the CLI's default
    [InlineData("notebooks/07-compare.ipynb (size=64)", null)]
    [InlineData("", null)]
    public void ThePresetIsTheCommandsOwn(string command, string? preset) => Assert.Equal(preset, RunProvenance.PresetOf(command));

    [Fact]
    public void CommandsSplitAsTheCliQuotesThem()
    {
        string[] args = ["train", "--data", "my data/phantom", "--set", "name=a \"b\"", "--set", "Network.WidthMultipliers=[1,2]", ""];
        var tokens = RunProvenance.CommandLineTokens(WorkflowOptions.CommandLine(args));
        Assert.Equal(["medanomaly", .. args[..^1]], tokens);   // an empty argument is not quoted by the CLI: it vanishes
    }

    static MethodSetup Setup(string preset, params (string Key, string Value)[] overrides) => MethodCatalog.Create("ae", preset, overrides);

    [Fact]
    public void TheChangesAreTheSettingsThatDifferFromThePreset()
    {
        using var plain = new DisposableDetector(Setup("tiny"));
        Assert.Empty(RunProvenance.Differences(Config(plain.Setup, 3), DetectorRegistry.Get("ae").Preset(PresetName.Tiny), 3));

        using var changed = new DisposableDetector(Setup("tiny", ("steps", "12"), ("learningRate", "0.0001"), ("Network.LatentSize", "4"),
                                                         ("Network.WidthMultipliers", "[1,2,2,2]"), ("batchSize", "4")));
        var changes = RunProvenance.Differences(Config(changed.Setup, 3), DetectorRegistry.Get("ae").Preset(PresetName.Tiny), 3);
        Assert.Equal(["Network.WidthMultipliers=[1,2,2,2]", "Network.LatentSize=4", "Steps=12", "BatchSize=4", "LearningRate=0.0001"], changes);

        // Against another preset, everything the presets differ in shows.
        var againstQuick = RunProvenance.Differences(Config(plain.Setup, 3), DetectorRegistry.Get("ae").Preset(PresetName.Quick), 3);
        Assert.Contains("Network.InputSize=32", againstQuick);
        Assert.Contains("Steps=10", againstQuick);
    }

    static JsonObject Config(MethodSetup setup, ulong seed) => JsonNode.Parse(ExperimentRunner.ConfigJson(setup, seed))!.AsObject();

    sealed class DisposableDetector(MethodSetup setup) : IDisposable
    {
        public MethodSetup Setup { get; } = setup;
        public void Dispose() => Setup.Detector.Dispose();
    }

    [Fact]
    public void AStoredRunReadsBackWithEverythingTheReportPrints()
    {
        using var setup = new DisposableDetector(Setup("tiny", ("steps", "12")));
        var store = RunStore.Open(temp.File("runs.db"));
        string command = WorkflowOptions.CommandLine(["train", "--method", "ae", "--seed", "7", "--data", "ph", "--preset", "tiny", "--set", "steps=12"]);
        var evaluation = new EvaluationSettings { PostProcessing = [MapPostProcessing.Parse("fg-weight"), MapPostProcessing.None] };
        long id = store.BeginRun(new RunInfo("ae", "phantom", ExperimentRunner.ConfigJson(setup.Setup with { Evaluation = evaluation }, 7), 7, command)
        {
            GitRevision = "0123456789abcdef0123456789abcdef01234567", TorchSharpVersion = "0.107.0", LibtorchVersion = "2.10.0",
        });
        store.CompleteRun(id, [new MetricValue("test", "pixel_auroc", 0.5)]);
        var run = store.GetRun(id);

        var provenance = RunProvenance.Of(run);
        Assert.Equal((id, "ae", "phantom", 7L, "tiny", command), (provenance.Id, provenance.Method, provenance.Dataset, provenance.Seed, provenance.Preset, provenance.Command));
        Assert.Equal(["Steps=12"], provenance.Changes);
        Assert.Equal("image score mean; post-processing fg-weight, none", provenance.Evaluation);
        Assert.Equal(("0123456789abcdef0123456789abcdef01234567", "0.107.0", "2.10.0"), (provenance.GitRevision, provenance.TorchSharpVersion, provenance.LibtorchVersion));
        Assert.Equal((run.StartedUtc, run.EndedUtc, RunStatus.Completed), (provenance.StartedUtc, provenance.EndedUtc, provenance.Status));
        Assert.Contains(Environment.MachineName, provenance.Machine);

        // A notebook's run: the closest preset, and what differs from it.
        var notebook = RunProvenance.Of(run with { Info = run.Info with { Command = "notebooks/04-autoencoders.ipynb" } });
        Assert.Equal("closest: tiny", notebook.Preset);
        Assert.Equal(["Steps=12"], notebook.Changes);
        var unknown = RunProvenance.Of(run with { Info = run.Info with { Method = "not-registered" } });
        Assert.Equal((null, 0), (unknown.Preset, unknown.Changes.Count));
    }

    [Fact]
    public void TheReportPrintsOneRowAndTheCommandPerRun()
    {
        var first = new RunProvenance(3, "ae", "phantom", 0, "tiny", "medanomaly train --method ae --set \"name=<b>\"", ["Steps=12", "Network.LatentSize=4"],
            "image score mean; post-processing none", "0123456789abcdef0123456789abcdef01234567", "0.107.0", "2.10.0", "lab (Linux)",
            RunStatus.Completed, new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc), new DateTime(2025, 1, 2, 3, 5, 6, DateTimeKind.Utc));
        var second = first with { Id = 4, Seed = 1, Changes = [], GitRevision = null, Status = RunStatus.Failed, EndedUtc = null };
        string html = new HtmlReport("r").AddTable(SampleResults.Summary()).AddProvenance([first, second]).ToHtml();

        var table = Regex.Match(html, @"<table class=""medanomaly-provenance"">[\s\S]*?</table>").Value;
        Assert.Contains("<th scope=\"col\">changed from the preset</th>", table);
        Assert.Contains("<tr class=\"run\" data-run=\"3\"><td>3</td><td>ae</td><td>phantom</td><td>0</td><td>tiny</td>" +
                        "<td><code>Steps=12</code><br><code>Network.LatentSize=4</code></td><td>image score mean; post-processing none</td>" +
                        "<td>git <code>0123456789abcdef0123456789abcdef01234567</code><br>TorchSharp 0.107.0<br>libtorch 2.10.0</td>" +
                        "<td>lab (Linux)</td><td>2025-01-02 03:04:05</td><td>2025-01-02 03:05:06</td></tr>", table);
        Assert.Contains("<td colspan=\"11\">command: <code>medanomaly train --method ae --set &quot;name=&lt;b&gt;&quot;</code></td>", table);
        Assert.Contains("<td>4 (failed)</td>", table);
        Assert.Contains("<td>none</td>", table);
        Assert.Contains("git <code>unknown</code>", table);
        Assert.Equal(2, Regex.Matches(table, "<tr class=\"command\"").Count);
    }
}
