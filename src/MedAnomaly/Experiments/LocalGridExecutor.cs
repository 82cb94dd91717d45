using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MedAnomaly.Experiments;

/// <summary>
/// Runs a grid's cells on this machine as separate processes, <paramref name="jobs"/> at a time, each with libtorch on
/// ⌊cores / jobs⌋ threads (<c>MEDANOMALY_NUM_THREADS</c>). A cell's output is appended to its log; a failed attempt is
/// retried at once, up to <see cref="GridPlan.MaxAttempts"/>, and resumes from the cell's checkpoint. Cancelling
/// <paramref name="ct"/> sends SIGINT to the running cells (each checkpoints and stops, as on Ctrl-C) and starts no more.
/// </summary>
public sealed class LocalGridExecutor(CliLauncher launcher, int jobs, CancellationToken ct = default) : IGridExecutor
{
    readonly ConcurrentDictionary<int, CellState> states = new();
    readonly ConcurrentDictionary<int, Process> running = new();
    Task? workers;

    public string Name => "local";
    public bool Detached => false;

    /// <summary>libtorch threads of each cell.</summary>
    public int ThreadsPerCell { get; } = Math.Max(1, Environment.ProcessorCount / Math.Max(1, jobs));

    public void Prepare()
    {
        if (jobs < 1) throw new ArgumentException($"--jobs must be at least 1, got {jobs}");
    }

    public IReadOnlyList<GridSubmission> Submit(GridPlan plan, IReadOnlyList<GridCell> cells)
    {
        Prepare();
        if (workers is { IsCompleted: false }) throw new InvalidOperationException("the local executor is still running an earlier submission");
        foreach (var cell in cells) states[cell.Index] = CellState.Pending;
        var queue = new ConcurrentQueue<GridCell>(cells.OrderBy(c => c.Index));
        var registration = ct.Register(Interrupt);
        workers = Task.WhenAll(Enumerable.Range(0, jobs).Select(_ => Task.Run(() =>
        {
            while (queue.TryDequeue(out var cell)) RunCell(plan, cell);
        }))).ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        return [new GridSubmission(Name, cells.Select(c => c.Index).ToList(), DateTime.UtcNow, Jobs: jobs)];
    }

    public IReadOnlyDictionary<int, CellState> Queue(GridPlan plan)
    {
        if (workers is { IsFaulted: true }) throw new AggregateException("the local executor failed", workers.Exception!.InnerExceptions);
        return new Dictionary<int, CellState>(states);
    }

    void RunCell(GridPlan plan, GridCell cell)
    {
        try
        {
            Directory.CreateDirectory(plan.CellFolder(cell));
            Directory.CreateDirectory(Path.GetDirectoryName(plan.LogFile(cell))!);
            for (int attempt = 1; attempt <= GridPlan.MaxAttempts && !ct.IsCancellationRequested; attempt++)
            {
                states[cell.Index] = CellState.Running;
                CellAttempt.Append(plan.AttemptsFile(cell), attempt, "started", "local");
                int code = RunAttempt(plan, cell, attempt);
                CellAttempt.Append(plan.AttemptsFile(cell), attempt, $"exit {code}", "local");
                if (code == 0) break;
            }
        }
        finally { states.TryRemove(cell.Index, out _); }
    }

    int RunAttempt(GridPlan plan, GridCell cell, int attempt)
    {
        using var log = new StreamWriter(plan.LogFile(cell), append: true) { AutoFlush = true };
        log.WriteLine($"== attempt {attempt} of {GridPlan.MaxAttempts}: cell {cell.Name} on {Environment.MachineName}, " +
                      $"{ThreadsPerCell} libtorch thread(s), {DateTime.UtcNow:u}");
        var start = new ProcessStartInfo(launcher.Words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in launcher.Words.Skip(1).Concat(cell.TrainArgs)) start.ArgumentList.Add(word);
        start.Environment["MEDANOMALY_NUM_THREADS"] = ThreadsPerCell.ToString();
        if (!start.Environment.ContainsKey("NO_COLOR")) start.Environment["NO_COLOR"] = "1";   // a log file, not a terminal
        using var process = new Process { StartInfo = start };
        var gate = new Lock();
        void Write(string? line) { if (line is not null) lock (gate) log.WriteLine(line); }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        running[cell.Index] = process;
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();   // also waits for the output to be read to its end
        }
        finally { running.TryRemove(cell.Index, out _); }
        lock (gate) log.WriteLine($"== attempt {attempt}: exit code {process.ExitCode}");
        return process.ExitCode;
    }

    /// <summary>SIGINT to every running cell: it finishes its step, writes a checkpoint and stops (cancelled).</summary>
    void Interrupt()
    {
        foreach (var process in running.Values)
            try { if (!process.HasExited) _ = Kill(process.Id, SigInt); }
            catch (InvalidOperationException) { }   // it ended meanwhile
    }

    const int SigInt = 2;

    [DllImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
