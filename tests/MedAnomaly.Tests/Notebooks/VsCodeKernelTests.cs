namespace MedAnomaly.Tests.Notebooks;

/// <summary>In the kernel VS Code runs (<c>dotnet-interactive stdio</c>), training progress stays one output updated in
/// place: displayed once, then re-rendered through display-handle updates with the same id. The headless fix (one final
/// output under dotnet-repl, <see cref="EntryPointTests"/>) must not take the live progress away from VS Code users.</summary>
public sealed class VsCodeKernelTests : IDisposable
{
    // Inside the repository (build/ is ignored), so that `dotnet tool run` finds .config/dotnet-tools.json.
    readonly string folder = Directory.CreateDirectory(Path.Combine(NotebookRun.RepositoryRoot, "build", "notebook-tests", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Training_progress_updates_one_display_in_place()
    {
        using var kernel = StdioKernel.Start(folder);
        var setup = kernel.Submit(NotebookRun.PackageReference);
        Assert.True(setup[^1].Type == "CommandSucceeded", $"#r failed: {setup[^1].Body.ToJsonString()}");

        var events = kernel.Submit(
            "var progress = MedAnomaly.Notebooks.NotebookProgress.Show(\"probe\", TimeSpan.Zero);\n" +
            "for (int step = 1; step <= 5; step++) progress.Report(new MedAnomaly.Training.TrainingProgress(step, 5, 1.0 / step, 1e-3, TimeSpan.FromSeconds(step)));\n" +
            "progress.Mode");
        Assert.True(events[^1].Type == "CommandSucceeded", $"the progress cell failed: {events[^1].Body.ToJsonString()}");
        var shown = events.Where(e => e.Type is "DisplayedValueProduced" or "DisplayedValueUpdated"
            && StdioKernel.FormattedTexts(e).Any(t => t.Contains("medanomaly-progress"))).ToList();

        // Displayed at once, then one update per report (the interval is zero), all on one display id.
        Assert.Equal(["DisplayedValueProduced", "DisplayedValueUpdated", "DisplayedValueUpdated", "DisplayedValueUpdated",
            "DisplayedValueUpdated", "DisplayedValueUpdated"], shown.Select(e => e.Type));
        Assert.Single(shown.Select(StdioKernel.ValueId).Distinct());
        Assert.Contains(StdioKernel.FormattedTexts(shown[^1]), t => t.Contains("probe: step 5/5"));
        Assert.Contains(events, e => e.Type == "ReturnValueProduced" && StdioKernel.FormattedTexts(e).Any(t => t.Contains("UpdateInPlace")));
    }
}
