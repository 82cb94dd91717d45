using MedAnomaly.Training;
using Spectre.Console;

namespace MedAnomaly.Cli.Commands;

/// <summary>Spectre.Console progress bars with an ETA for training.</summary>
public static class Progress
{
    public static T Training<T>(int steps, string label, Func<IProgress<TrainingProgress>, T> body)
    {
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: steps);
                result = body(Reporter(task, label));
            });
        return result;
    }

    public static IProgress<TrainingProgress> Reporter(ProgressTask task, string label)
    {
        bool first = true;
        return new ActionProgress<TrainingProgress>(p =>
        {
            // The first step reported after a resume is the one after the checkpoint's.
            if (first && p.Step > 1) AnsiConsole.MarkupLine(Markup.Escape($"{label}: resumed from the checkpoint at step {p.Step - 1} of {p.TotalSteps}"));
            first = false;
            Update(task, label, p);
        });
    }

    static void Update(ProgressTask task, string label, TrainingProgress p)
    {
        task.MaxValue = p.TotalSteps;
        task.Value = p.Step;
        task.Description = Markup.Escape($"{label}  loss {p.Loss:F5}");
    }
}

/// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
public sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
