using System.Diagnostics;
using MedAnomaly.Training;
using MedAnomaly.Viz;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace MedAnomaly.Notebooks;

/// <summary>How a <see cref="NotebookProgress"/> shows itself.</summary>
public enum ProgressDisplay
{
    /// <summary>One output, displayed at once and re-rendered through the display handle's <c>Update</c> (VS Code's
    /// Polyglot Notebooks replaces the output in place).</summary>
    UpdateInPlace,
    /// <summary>One output, displayed once with the final state (on the last step). For a kernel run without a front end
    /// (dotnet-repl's <c>--run</c>): it records every <c>Update</c> as a new output of the cell, so live updates would
    /// leave a wall of progress bars in the saved notebook.</summary>
    FinalOnly,
}

/// <summary>Training progress as one output: pass <c>NotebookProgress.Show("DISYRE")</c> as the trainer's
/// <c>IProgress&lt;TrainingProgress&gt;</c>. In a front end (VS Code) it displays a <see cref="TrainingProgressView"/>
/// and re-renders it through the display handle's <c>Update</c> at most every <c>interval</c> (and always on the last
/// step); in a headless run (dotnet-repl) it displays the final state once (<see cref="ProgressDisplay"/>). Either way the
/// saved notebook holds one progress output with the last step. Reports are handled on the caller's thread (no
/// SynchronizationContext hop), so the kernel's invocation context is the cell's.</summary>
public sealed class NotebookProgress : IProgress<TrainingProgress>
{
    readonly TrainingProgressView view;
    readonly TimeSpan interval;
    readonly Stopwatch sinceUpdate = Stopwatch.StartNew();
    DisplayedValue? handle;

    NotebookProgress(string title, TimeSpan interval, ProgressDisplay display)
    {
        view = new TrainingProgressView(title);
        this.interval = interval;
        Mode = display;
        if (display == ProgressDisplay.UpdateInPlace) handle = Show(view);
    }

    /// <summary>Displays the view in the current cell through the invocation context. Not <c>view.Display(...)</c> (the
    /// Formatting extension on object) nor the <c>display()</c> helper: in .NET Interactive 1.0.712001 (VS Code's engine)
    /// those publish the display under one id and return a handle whose <c>Update</c> uses another (measured:
    /// <see cref="DisplayedValue.Update"/> then adds a second output instead of replacing the first);
    /// <c>KernelInvocationContext.Display</c> uses one id for both.</summary>
    static DisplayedValue Show(TrainingProgressView view) =>
        (KernelInvocationContext.Current ?? throw new InvalidOperationException(
            "NotebookProgress shows its output in a notebook cell: no .NET Interactive kernel is running this code"))
        .Display(view, "text/html");

    public TrainingProgressView View => view;
    public ProgressDisplay Mode { get; }

    /// <summary>Shows the progress output in the current cell (at once, or on the last step when the kernel has no front end)
    /// and returns the reporter.</summary>
    /// <param name="display">Null = <see cref="DisplayForCurrentKernel"/>.</param>
    public static NotebookProgress Show(string title = "training", TimeSpan? interval = null, ProgressDisplay? display = null) =>
        new(title, interval ?? TimeSpan.FromSeconds(0.5), display ?? DisplayForCurrentKernel());

    /// <summary><see cref="ProgressDisplay.FinalOnly"/> when the root kernel's front end is .NET Interactive's
    /// <c>AutomationEnvironment</c>, the default of a kernel that no front end configured (dotnet-repl 0.3.259; measured:
    /// VS Code's engine, <c>dotnet-interactive stdio</c> 1.0.712001, has a <c>BrowserFrontendEnvironment</c>);
    /// <see cref="ProgressDisplay.UpdateInPlace"/> otherwise.</summary>
    public static ProgressDisplay DisplayForCurrentKernel() =>
        KernelInvocationContext.Current?.HandlingKernel?.RootKernel is CompositeKernel { FrontendEnvironment: AutomationEnvironment }
            ? ProgressDisplay.FinalOnly
            : ProgressDisplay.UpdateInPlace;

    public void Report(TrainingProgress value)
    {
        view.Report(value);
        bool last = value.Step >= value.TotalSteps;
        if (Mode == ProgressDisplay.FinalOnly)
        {
            if (last && handle is null) handle = Show(view);
            return;
        }
        if (last || sinceUpdate.Elapsed >= interval)
        {
            handle!.Update(view);
            sinceUpdate.Restart();
        }
    }
}
