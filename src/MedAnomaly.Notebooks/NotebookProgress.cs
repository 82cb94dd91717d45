using System.Diagnostics;
using MedAnomaly.Training;
using MedAnomaly.Viz;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace MedAnomaly.Notebooks;

/// <summary>Training progress as one output that updates in place: pass <c>NotebookProgress.Show("DISYRE")</c> as the
/// trainer's <c>IProgress&lt;TrainingProgress&gt;</c>. It displays a <see cref="TrainingProgressView"/> and re-renders it
/// through the display handle's <c>Update</c> at most every <c>interval</c> (and always on the last step). Reports are
/// handled on the caller's thread (no SynchronizationContext hop), so the kernel's invocation context is the cell's.</summary>
public sealed class NotebookProgress : IProgress<TrainingProgress>
{
    readonly TrainingProgressView view;
    readonly DisplayedValue handle;
    readonly TimeSpan interval;
    readonly Stopwatch sinceUpdate = Stopwatch.StartNew();

    NotebookProgress(string title, TimeSpan interval)
    {
        view = new TrainingProgressView(title);
        this.interval = interval;
        handle = view.Display("text/html");
    }

    public TrainingProgressView View => view;

    /// <summary>Displays the progress output in the current cell and returns the reporter.</summary>
    public static NotebookProgress Show(string title = "training", TimeSpan? interval = null) =>
        new(title, interval ?? TimeSpan.FromSeconds(0.5));

    public void Report(TrainingProgress value)
    {
        view.Report(value);
        if (value.Step >= value.TotalSteps || sinceUpdate.Elapsed >= interval)
        {
            handle.Update(view);
            sinceUpdate.Restart();
        }
    }
}
