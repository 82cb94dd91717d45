using System.Globalization;
using MedAnomaly.Runtime;
using MedAnomaly.Training;
using Spectre.Console;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// A command's progress on the console, for every phase that can take more than a second (loading, training, scoring,
/// evaluating, writing): in a terminal, live Spectre.Console bars with percentage, elapsed and remaining time; otherwise
/// (output redirected to a file or a pipe, or a terminal without ANSI) plain <see cref="ProgressLines"/> that end with
/// each phase's 100 % line. Thread-safe (phantom volumes are written in parallel).
/// </summary>
public sealed class Progress
{
    readonly ProgressContext? live;
    readonly ProgressLines lines = new(Console.WriteLine);
    readonly Dictionary<string, ProgressTask> tasks = [];
    readonly object gate = new();

    Progress(ProgressContext? live) => this.live = live;

    /// <summary>Whether the live display is used: stdout is an interactive terminal that understands ANSI.</summary>
    public static bool IsLive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>Runs <paramref name="body"/> with a progress display that lasts as long as it does.</summary>
    public static T Show<T>(Func<Progress, T> body)
    {
        if (!IsLive) return body(new Progress(null));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => result = body(new Progress(ctx)));
        return result;
    }

    /// <summary>A trainer's steps, as phase "training" of <paramref name="job"/> (e.g. "ae seed 0"), with the loss; says so
    /// when the first step reported follows a checkpoint's.</summary>
    public IProgress<TrainingProgress> Training(string job)
    {
        bool first = true;
        string phase = $"{job} training";
        return new ActionProgress<TrainingProgress>(p =>
        {
            if (first && p.Step > 1) Line($"{job}: resumed from the checkpoint at step {p.Step - 1} of {p.TotalSteps}");
            first = false;
            Update(phase, p.Step, p.TotalSteps, "steps", string.Create(CultureInfo.InvariantCulture, $", loss {p.Loss:F5}"));
        });
    }

    /// <summary>Phases reported by the library (<see cref="WorkProgress"/>), under <paramref name="job"/> when one is given.</summary>
    public IProgress<WorkProgress> Work(string job = "") =>
        new ActionProgress<WorkProgress>(p => { var q = p.Under(job); Update(q.Phase, q.Done, q.Total, q.Unit, ""); });

    /// <summary>A line of text above the live bars (or between the plain lines).</summary>
    public void Line(string text)
    {
        if (live is null) Console.WriteLine(text);
        else AnsiConsole.MarkupLine(Markup.Escape(text));
    }

    void Update(string phase, long done, long total, string unit, string detail)
    {
        if (live is null)
        {
            lines.Report(phase, done, total, unit, detail);
            return;
        }
        lock (gate)
        {
            if (!tasks.TryGetValue(phase, out var task) || (task.IsFinished && done == 0 && total > 0)) tasks[phase] = task = live.AddTask(Markup.Escape(phase));
            task.MaxValue = Math.Max(1, total);
            task.Value = Math.Max(task.Value, total <= 0 ? 1 : done);
            task.Description = Markup.Escape(phase + detail.Replace(", ", "  "));
        }
    }
}

/// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
public sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
