using System.Diagnostics;
using System.Globalization;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// Progress as plain lines, for output that is not a terminal (a log file, a pipe, a batch job): for each job, a line at
/// its first report, each time it passes another tenth, at most <see cref="Interval"/> apart in between, and always one
/// at 100 % — e.g. <c>ae seed 0 scoring: 100 % (24/24 slices, 0.8 s)</c>. Thread-safe; reports of a job that arrive out
/// of order (from a parallel loop) or after its 100 % line are dropped. A job that finished and starts again from 0 is a
/// new run of it.
/// </summary>
public sealed class ProgressLines
{
    /// <summary>The longest silence while a job runs, between its tenths.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    readonly Action<string> write;
    readonly Func<TimeSpan> now;
    readonly Dictionary<string, Job> jobs = [];
    readonly object gate = new();

    /// <param name="clock">The time since some fixed start (default: a stopwatch started now).</param>
    public ProgressLines(Action<string> write, Func<TimeSpan>? clock = null)
    {
        this.write = write;
        var watch = Stopwatch.StartNew();
        now = clock ?? (() => watch.Elapsed);
    }

    sealed class Job(TimeSpan started)
    {
        public TimeSpan Started = started, LastLine;
        public long Done = -1;
        public int Tenth = -1;
        public bool Finished;
    }

    /// <param name="detail">Appended inside the parentheses, e.g. ", loss 0.01234".</param>
    public void Report(string job, long done, long total, string unit, string detail = "")
    {
        lock (gate)
        {
            var time = now();
            if (!jobs.TryGetValue(job, out var state) || (state.Finished && done == 0)) jobs[job] = state = new Job(time);
            if (state.Finished || done <= state.Done && state.Done >= 0 && done < total) return;
            int tenth = total <= 0 ? 10 : (int)Math.Min(10, 10 * done / total);
            bool due = state.Done < 0 || tenth > state.Tenth || time - state.LastLine >= Interval;
            state.Done = done;
            if (!due) return;
            state.Tenth = tenth;
            state.LastLine = time;
            state.Finished = done >= total;
            write(Line(job, done, total, unit, detail, time - state.Started));
        }
    }

    static string Line(string job, long done, long total, string unit, string detail, TimeSpan elapsed)
    {
        long percent = total <= 0 ? 100 : Math.Min(100, 100 * done / total);
        string left = done > 0 && done < total ? $", about {Duration(elapsed * ((total - done) / (double)done))} left" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{job}: {percent} % ({done}/{total} {unit}{detail}, {Duration(elapsed)}{left})");
    }

    /// <summary>"0.8 s", "42 s", "3 min 20 s", "1 h 05 min".</summary>
    public static string Duration(TimeSpan t) => t.TotalSeconds switch
    {
        < 10 => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s"),
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0} s"),
        < 3600 => $"{(int)t.TotalMinutes} min {t.Seconds:00} s",
        _ => $"{(int)t.TotalHours} h {t.Minutes:00} min",
    };
}
