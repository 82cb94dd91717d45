using System.Globalization;

namespace MedAnomaly.Experiments;

/// <summary>Where a grid cell stands. <see cref="Pending"/> and <see cref="Running"/> come from the executor's queue;
/// <see cref="Done"/> and <see cref="Failed"/> from the cell's attempts file once it has left the queue.</summary>
public enum CellState
{
    Pending,
    Running,
    Done,
    /// <summary>Out of the queue without a successful attempt: failed <see cref="GridPlan.MaxAttempts"/> times, killed
    /// with its job (scancel, time limit), or never started.</summary>
    Failed,
}

/// <summary>One line of a cell's <c>attempts.tsv</c>: attempt number, <c>started</c> or <c>exit CODE</c>, UTC time, host,
/// and the job (Slurm <c>ARRAYJOB_TASK</c>, or <c>local</c>). The Slurm task script (<see cref="SlurmScript"/>) and the
/// local executor append the same lines.</summary>
public sealed record CellAttempt(int Attempt, string Event, string Utc, string Host, string Job)
{
    public int? ExitCode => Event.StartsWith("exit ", StringComparison.Ordinal) && int.TryParse(Event[5..], out int code) ? code : null;

    public static void Append(string path, int attempt, string @event, string job)
    {
        string utc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        File.AppendAllText(path, $"{attempt}\t{@event}\t{utc}\t{Environment.MachineName}\t{job}\n");
    }

    /// <summary>The lines of <paramref name="path"/>, none when it does not exist; malformed lines are skipped.</summary>
    public static IReadOnlyList<CellAttempt> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var attempts = new List<CellAttempt>();
        foreach (var line in File.ReadAllLines(path))
        {
            var fields = line.Split('\t');
            if (fields.Length >= 5 && int.TryParse(fields[0], out int attempt)) attempts.Add(new CellAttempt(attempt, fields[1], fields[2], fields[3], fields[4]));
        }
        return attempts;
    }
}

/// <summary>A cell's state, how many attempts it made (in all submissions) and how the last one ended.</summary>
public sealed record GridCellStatus(GridCell Cell, CellState State, int Attempts, int? LastExitCode, string Log)
{
    /// <summary>The state of every cell: done when its last attempt exited 0; otherwise the queue's state (index → pending or
    /// running) when the executor still holds it; otherwise failed.</summary>
    public static IReadOnlyList<GridCellStatus> Of(GridPlan plan, IReadOnlyDictionary<int, CellState> queued) =>
        plan.Cells.Select(cell =>
        {
            var attempts = CellAttempt.Read(plan.AttemptsFile(cell));
            int? lastExit = attempts.LastOrDefault(a => a.ExitCode is not null)?.ExitCode;
            bool done = attempts.Count > 0 && attempts[^1].ExitCode == 0;
            var state = done ? CellState.Done : queued.TryGetValue(cell.Index, out var q) ? q : CellState.Failed;
            return new GridCellStatus(cell, state, attempts.Count(a => a.Event == "started"), lastExit, plan.LogFile(cell));
        }).ToList();

    /// <summary>Why a cell that is not done is missing, for the report: e.g. "failed 3 times (last exit 137); log: …".</summary>
    public string Describe() => State switch
    {
        CellState.Done => "done",
        CellState.Pending => "pending",
        CellState.Running => "running",
        _ when Attempts == 0 => $"never started (its job left the queue first); log: {Log}",
        _ when LastExitCode is null => $"stopped from outside after {Attempts} attempt(s) (cancelled, time limit, node failure); log: {Log}",
        _ => $"failed {Attempts} time(s) (last exit code {LastExitCode}); log: {Log}",
    };
}
