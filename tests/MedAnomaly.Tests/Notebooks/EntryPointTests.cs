using System.Text.Json.Nodes;

namespace MedAnomaly.Tests.Notebooks;

/// <summary>One fresh kernel (dotnet-repl 0.3.259, the engine of VS Code's Polyglot Notebooks) runs a notebook whose first
/// cell is the documented entry point and whose next cell touches <c>torch</c> before any MedAnomaly type.</summary>
public sealed class EntryPointFixture : IDisposable
{
    // Inside the repository (build/ is ignored), so that `dotnet tool run` finds .config/dotnet-tools.json.
    readonly string folder = Directory.CreateDirectory(Path.Combine(NotebookRun.RepositoryRoot, "build", "notebook-tests", Guid.NewGuid().ToString("N"))).FullName;
    public int ExitCode { get; }
    public JsonObject? Executed { get; }
    public string Log { get; }

    public EntryPointFixture()
    {
        var notebook = NotebookRun.Notebook(
            NotebookRun.PackageReference,
            "TorchSharp.torch.arange(6).reshape(2, 3).sum().item<long>()",
            "MedAnomaly.Viz.Figures.Images(TorchSharp.torch.linspace(0, 1, 32 * 32).reshape(1, 1, 32, 32))",
            "MedAnomaly.Viz.Charts.Lines(\"t\", \"x\", \"y\", (\"a\", new double[] { 0, 1 }, new double[] { 1, 2 }))",
            "MedAnomaly.Notebooks.NotebookParameters.Get(\"steps\", 7) * 2",
            // Five reports with no throttling: the old progress (display + Update per report) left six outputs here.
            "var progress = MedAnomaly.Notebooks.NotebookProgress.Show(\"probe\", TimeSpan.Zero);\n" +
            "for (int step = 1; step <= 5; step++) progress.Report(new MedAnomaly.Training.TrainingProgress(step, 5, 1.0 / step, 1e-3, TimeSpan.FromSeconds(step)));\n" +
            "progress.Mode");
        (ExitCode, Executed, Log) = NotebookRun.Execute(folder, notebook, new Dictionary<string, string> { ["MEDANOMALY_NB_STEPS"] = "21" });
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}

public sealed class EntryPointTests(EntryPointFixture run) : IClassFixture<EntryPointFixture>
{
    JsonObject Executed => run.Executed ?? throw new Xunit.Sdk.XunitException($"dotnet repl wrote no notebook (exit {run.ExitCode}):\n{run.Log}");

    [Fact]
    public void Every_cell_runs_without_an_error_output()
    {
        var errors = Enumerable.Range(0, 6).SelectMany(i => NotebookRun.Outputs(Executed, i).Where(o => o.Type == "error").Select(o => $"cell {i}: {o.Text}")).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void A_first_cell_touching_torch_works_in_a_fresh_kernel()
    {
        var outputs = NotebookRun.Outputs(Executed, 1);
        Assert.Contains(outputs, o => o.Mime is "text/plain" or "text/html" && o.Text.Contains(">15<") || o.Text.Trim() == "15");
        Assert.Contains(NotebookRun.Outputs(Executed, 0), o => o.Text.Contains("TorchSharp 0.107.0, libtorch 2.10.0"));
    }

    [Fact]
    public void Figures_render_as_png_and_charts_as_offline_html()
    {
        var png = Assert.Single(NotebookRun.Outputs(Executed, 2), o => o.Mime == "image/png");
        byte[] bytes = Convert.FromBase64String(png.Text);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        var html = Assert.Single(NotebookRun.Outputs(Executed, 3), o => o.Mime == "text/html").Text;
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("plotly.js 2.28.0, inlined", html); // the first chart of the session carries plotly.js
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("require.config", html);
    }

    [Fact]
    public void A_parameter_override_reaches_the_notebook()
    {
        var outputs = NotebookRun.Outputs(Executed, 4);
        Assert.Contains(outputs, o => o.Text.Contains(">42<") || o.Text.Trim() == "42");
    }

    [Fact]
    public void Training_progress_leaves_one_output_with_the_final_step_in_a_headless_run()
    {
        // dotnet-repl records each display-handle Update as a new output; NotebookProgress must not use them there.
        var outputs = NotebookRun.Outputs(Executed, 5);
        var progress = outputs.Where(o => o.Text.Contains("medanomaly-progress")).ToList();
        Assert.True(progress.Count == 1, $"expected one progress output, found {progress.Count}:\n{string.Join("\n", progress.Select(o => o.Text))}");
        Assert.Contains("probe: step 5/5", progress[0].Text);
        Assert.Contains(outputs, o => o.Text.Contains("FinalOnly"));
    }
}
