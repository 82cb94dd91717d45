namespace MedAnomaly.Runtime;

/// <summary>How far one phase of a longer job has come: <see cref="Done"/> of <see cref="Total"/> <see cref="Unit"/>
/// (e.g. 48 of 120 slices scored). A phase reports 0 when it starts and <see cref="Total"/> when it ends, so a display
/// can always show its 100 %. Reports may come from several threads (a parallel loop) and out of order.</summary>
/// <param name="Phase">What is being done, e.g. "scoring" or "ae seed 0 scoring" (<see cref="Under"/>).</param>
public readonly record struct WorkProgress(string Phase, long Done, long Total, string Unit)
{
    public bool IsFinished => Done >= Total;

    /// <summary>The same progress as part of a larger job: "ae seed 0" + "scoring" → "ae seed 0 scoring".</summary>
    public WorkProgress Under(string job) => string.IsNullOrEmpty(job) ? this : this with { Phase = $"{job} {Phase}" };

    /// <summary>Reports to <paramref name="inner"/> with every phase under <paramref name="job"/>; null stays null.</summary>
    public static IProgress<WorkProgress>? Under(IProgress<WorkProgress>? inner, string job) =>
        inner is null ? null : new Relay(p => inner.Report(p.Under(job)));

    /// <summary>Counts the units of one phase as they finish (thread-safe) and reports each count; reports 0 at once.</summary>
    public static Counter Start(IProgress<WorkProgress>? progress, string phase, long total, string unit) => new(progress, phase, total, unit);

    /// <summary>See <see cref="Start"/>.</summary>
    public sealed class Counter
    {
        readonly IProgress<WorkProgress>? progress;
        readonly string phase, unit;
        readonly long total;
        long done;

        internal Counter(IProgress<WorkProgress>? progress, string phase, long total, string unit)
        {
            (this.progress, this.phase, this.total, this.unit) = (progress, phase, total, unit);
            progress?.Report(new WorkProgress(phase, 0, total, unit));
        }

        /// <summary><paramref name="units"/> more are done.</summary>
        public void Add(long units = 1)
        {
            long now = Interlocked.Add(ref done, units);
            progress?.Report(new WorkProgress(phase, now, total, unit));
        }
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> would post to the thread pool, out of order).</summary>
    sealed class Relay(Action<WorkProgress> report) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => report(value);
    }
}
