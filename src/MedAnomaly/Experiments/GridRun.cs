namespace MedAnomaly.Experiments;

/// <summary>A finished cell and its run in the main store (after <see cref="GridRun.Merge"/>).</summary>
public sealed record GridCellRun(GridCell Cell, RunRecord Run);

/// <summary>
/// A grid from submission to results: which cells still need a run, submitting them, waiting with a progress report,
/// merging every cell's store into the main store, and finding each completed cell's run there.
/// </summary>
public static class GridRun
{
    /// <summary>Every cell's state. Slurm's queue is asked whenever the grid has Slurm submissions, whatever executor
    /// runs now, so that a resume never starts a second copy of a queued cell.</summary>
    public static IReadOnlyList<GridCellStatus> Status(GridPlan plan, IGridExecutor? executor = null)
    {
        var queued = new Dictionary<int, CellState>();
        if (plan.Submissions.Any(s => s.Executor == "slurm") && executor is not SlurmGridExecutor)
            foreach (var (cell, state) in SlurmGridExecutor.QueueOf(plan)) queued[cell] = state;
        if (executor is not null)
            foreach (var (cell, state) in executor.Queue(plan)) queued[cell] = state;
        return GridCellStatus.Of(plan, queued);
    }

    /// <summary>The cells to (re)submit: neither done, nor pending or running.</summary>
    public static IReadOnlyList<GridCell> Missing(IReadOnlyList<GridCellStatus> statuses) =>
        statuses.Where(s => s.State == CellState.Failed).Select(s => s.Cell).ToList();

    /// <summary>Submits the missing cells and records the submission(s) in grid.json; returns them (none when no cell was missing).</summary>
    public static IReadOnlyList<GridSubmission> SubmitMissing(GridPlan plan, IGridExecutor executor)
    {
        var missing = Missing(Status(plan, executor));
        plan.Save();   // the folders and grid.json exist before the first task starts
        if (missing.Count == 0) return [];
        var submissions = executor.Submit(plan, missing);
        plan.Submissions.AddRange(submissions);
        plan.Save();
        return submissions;
    }

    /// <summary>Polls until no cell is pending or running, calling <paramref name="report"/> with every cell's status at the
    /// start and whenever one changes. A few failed polls in a row (a busy Slurm controller) are waited out.</summary>
    public static IReadOnlyList<GridCellStatus> Wait(GridPlan plan, IGridExecutor executor, Action<IReadOnlyList<GridCellStatus>> report,
        TimeSpan poll, CancellationToken ct = default)
    {
        IReadOnlyList<GridCellStatus>? last = null;
        int failures = 0;
        while (true)
        {
            IReadOnlyList<GridCellStatus> now;
            try { now = Status(plan, executor); failures = 0; }
            catch (InvalidOperationException) when (++failures < 5) { Thread.Sleep(poll); continue; }
            if (last is null || !now.Select(Key).SequenceEqual(last.Select(Key))) report(now);
            last = now;
            if (now.All(s => s.State is CellState.Done or CellState.Failed)) return now;
            if (!ct.IsCancellationRequested) ct.WaitHandle.WaitOne(poll);
            else if (executor.Detached) ct.ThrowIfCancellationRequested();   // the cells go on without us
            else Thread.Sleep(poll);                                          // local cells were interrupted: wait for them to stop
        }
        static (CellState, int, int?) Key(GridCellStatus s) => (s.State, s.Attempts, s.LastExitCode);
    }

    /// <summary>Merges the store of every cell that has left the queue into <paramref name="store"/> (idempotent: a run merged
    /// before is not added again).</summary>
    public static IReadOnlyList<MergeResult> Merge(GridPlan plan, RunStore store, IReadOnlyList<GridCellStatus> statuses) =>
        statuses.Where(s => s.State is CellState.Done or CellState.Failed && File.Exists(plan.CellStore(s.Cell)))
            .Select(s => store.Merge(plan.CellStore(s.Cell)))
            .ToList();

    /// <summary>Each done cell's completed run (its store's last) as merged into <paramref name="store"/>.</summary>
    /// <exception cref="InvalidDataException">A done cell has no completed run, or it was not merged.</exception>
    public static IReadOnlyList<GridCellRun> CompletedRuns(GridPlan plan, RunStore store, IReadOnlyList<GridCellStatus> statuses) =>
        statuses.Where(s => s.State == CellState.Done).Select(s =>
        {
            string cellStore = plan.CellStore(s.Cell);
            var completed = File.Exists(cellStore)
                ? RunStore.OpenReadOnly(cellStore).ListRuns(RunFilter.Completed).LastOrDefault()
                : null;
            if (completed is null)
                throw new InvalidDataException($"cell {s.Cell.Name} ended with exit code 0 but {cellStore} holds no completed run; see {s.Log}");
            var merged = store.FindRun(completed.Uuid)
                ?? throw new InvalidDataException($"run {completed.Uuid} of cell {s.Cell.Name} is not in {store.Path}; `medanomaly runs merge {plan.Folder} --store {store.Path}` merges it");
            return new GridCellRun(s.Cell, merged);
        }).ToList();
}
