using System.CommandLine;
using System.Diagnostics;
using MedAnomaly.Experiments;

namespace MedAnomaly.Cli.Commands;

/// <summary>
/// `compare` as a grid (docs/cluster.md): every method × seed cell is its own `medanomaly train` process with its own
/// run store under the --out folder, run by this machine's cores (--jobs N) or as one Slurm job array (--executor
/// slurm); then the cells' stores are merged into --store and the tables, figure and report are made from it.
/// Exit code 3: the outputs were written but some cells are missing (each reported with its log).
/// </summary>
public static class CompareGrid
{
    public const int MissingCellsExitCode = 3;

    public sealed class Options
    {
        public Option<string> Executor { get; } = new("--executor") { Description = "where the cells run: local (this machine) or slurm (one job array)", DefaultValueFactory = _ => "local" };
        public Option<int?> Jobs { get; } = new("--jobs") { Description = "local: cells at a time, each a process with libtorch on cores/N threads (default: every cell in this process, one after another)" };
        public Option<string?> Resume { get; } = new("--resume") { Description = "continue the grid in this folder (a former --out): submit only the cells that have not completed, wait, merge, tabulate" };
        public Option<bool> NoWait { get; } = new("--no-wait") { Description = "slurm: return once the job array is submitted (`compare --resume GRID` later waits, merges and tabulates)" };
        public Option<string?> Partition { get; } = new("--partition") { Description = "slurm: the partition of every task" };
        public Option<string?> Time { get; } = new("--time") { Description = "slurm: time limit per task, e.g. 12:00:00 (a task that reaches it stops at a checkpoint; --resume continues it)" };
        public Option<int?> CpusPerTask { get; } = new("--cpus-per-task") { Description = "slurm: CPUs per task, also libtorch's threads (default 1)" };
        public Option<string?> Memory { get; } = new("--mem") { Description = "slurm: memory per task, e.g. 16G" };
        public Option<int?> MaxRunning { get; } = new("--max-running") { Description = "slurm: at most N tasks of the array at once" };
        public Option<string[]> Sbatch { get; } = new("--sbatch") { Description = "slurm: a further sbatch option, passed as it is (repeatable), e.g. --sbatch=--account=lab", AllowMultipleArgumentsPerToken = false };

        Option[] All => [Executor, Jobs, Resume, NoWait, Partition, Time, CpusPerTask, Memory, MaxRunning, Sbatch];
        Option[] SlurmOnly => [NoWait, Partition, Time, CpusPerTask, Memory, MaxRunning, Sbatch];

        public void AddTo(Command command) { foreach (var option in All) command.Options.Add(option); }

        /// <summary>Where and how cells run, as opposed to what the grid is: a resume may change these.</summary>
        public bool IsExecutorSetting(Option option) => option != Resume && All.Contains(option);

        public bool IsGrid(ParseResult parse) => parse.GetValue(Jobs) is not null || ExecutorName(parse) == "slurm";

        public string ExecutorName(ParseResult parse) => parse.GetValue(Executor) switch
        {
            "local" => "local",
            "slurm" => "slurm",
            var other => throw new ArgumentException($"--executor {other}: expected local or slurm"),
        };

        /// <summary>The in-process default takes none of the grid's options.</summary>
        public void RefuseGridOnlyOptions(ParseResult parse)
        {
            foreach (var option in SlurmOnly)
                if (Given(parse, option)) throw new ArgumentException($"{option.Name} applies to --executor slurm; add it, or drop {option.Name}");
        }
    }

    static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>A new grid in --out: planned, saved, submitted, waited for, merged and tabulated.</summary>
    public static int Start(ParseResult parse, WorkflowOptions shared, Options grid, IGridExecutor executor, ExperimentData data, RunStore store,
        ComparisonOptions options, CancellationToken ct)
    {
        var plan = GridPlan.Create(options.OutputDirectory, store.Path, parse.GetValue(shared.Data)!, parse.GetValue(shared.Root),
            options.Methods, options.FirstSeed, options.Seeds, shared.TrainArguments(parse));
        return Drive(parse, grid, plan, executor, data, store, options, ct);
    }

    /// <summary>`compare --resume GRID`: the grid as planned; the executor and its settings of the last submission unless given.</summary>
    public static int Resume(ParseResult parse, Options grid, string folder, CancellationToken ct)
    {
        var plan = GridPlan.Load(folder);
        foreach (var option in parse.CommandResult.Command.Options)
            if (option != grid.Resume && !grid.IsExecutorSetting(option) && option != CliErrors.Verbose && Given(parse, option))
                throw new ArgumentException($"--resume {folder} continues the grid as planned in {GridPlan.FileName}; drop {option.Name} (a new grid needs another --out)");
        var last = plan.Submissions.LastOrDefault();
        string executorName = Given(parse, grid.Executor) ? grid.ExecutorName(parse) : last?.Executor ?? "local";
        string? Planned(string option) => plan.Cells[0].TrainArgs.SkipWhile(a => a != option).Skip(1).FirstOrDefault();
        var executor = CreateExecutor(parse, grid, executorName, last, Planned("--device"), ct);
        var data = ExperimentData.Load(plan.Data, plan.Root, Planned("--channels"), Planned("--test-split") ?? "test");
        var store = RunStore.Open(plan.Store);
        var options = new ComparisonOptions { Methods = plan.Methods, OutputDirectory = plan.Folder };
        return Drive(parse, grid, plan, executor, data, store, options, ct);
    }

    /// <summary>The executor the options ask for, checked (options valid, Slurm answering) before anything is read or written.</summary>
    /// <param name="last">The grid's last submission, whose settings a resume keeps unless given again.</param>
    public static IGridExecutor CreateExecutor(ParseResult parse, Options grid, string name, GridSubmission? last, string? device, CancellationToken ct)
    {
        IGridExecutor executor;
        if (name == "local")
        {
            grid.RefuseGridOnlyOptions(parse);
            int jobs = parse.GetValue(grid.Jobs) ?? (last?.Executor == "local" ? last.Jobs : null) ?? 1;
            executor = new LocalGridExecutor(CliLauncher.Current(), jobs, ct);
        }
        else
        {
            if (Given(parse, grid.Jobs)) throw new ArgumentException("--jobs applies to --executor local; Slurm runs as many tasks as it has room for (--max-running limits them)");
            var previous = last?.Executor == "slurm" ? last.Slurm : null;
            var slurm = (previous ?? new SlurmOptions()) with
            {
                Partition = parse.GetValue(grid.Partition) ?? previous?.Partition,
                Time = parse.GetValue(grid.Time) ?? previous?.Time,
                CpusPerTask = parse.GetValue(grid.CpusPerTask) ?? previous?.CpusPerTask ?? 1,
                Memory = parse.GetValue(grid.Memory) ?? previous?.Memory,
                MaxRunning = parse.GetValue(grid.MaxRunning) ?? previous?.MaxRunning,
                Extra = Given(parse, grid.Sbatch) ? parse.GetValue(grid.Sbatch)! : previous?.Extra ?? [],
                Gpus = device is not null && device.StartsWith("cuda", StringComparison.Ordinal) ? 1 : 0,
            };
            executor = new SlurmGridExecutor(CliLauncher.Current(), slurm);
        }
        if (parse.GetValue(grid.NoWait) && !executor.Detached) throw new ArgumentException("--no-wait needs --executor slurm: local cells run inside this command");
        executor.Prepare();
        return executor;
    }

    static int Drive(ParseResult parse, Options grid, GridPlan plan, IGridExecutor executor, ExperimentData data, RunStore store,
        ComparisonOptions options, CancellationToken ct)
    {
        bool noWait = parse.GetValue(grid.NoWait);
        var clock = Stopwatch.StartNew();
        var submitted = GridRun.SubmitMissing(plan, executor);
        Console.WriteLine(Submitted(plan, executor, submitted));
        if (noWait)
        {
            Console.WriteLine($"not waiting (--no-wait); `medanomaly compare --resume {plan.Folder}` waits for the cells, merges them into {store.Path} and writes the tables");
            return 0;
        }
        var printer = new GridProgress(clock);
        IReadOnlyList<GridCellStatus> statuses;
        try { statuses = GridRun.Wait(plan, executor, printer.Report, executor.Detached ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(0.5), ct); }
        catch (OperationCanceledException)
        {
            throw new OperationCanceledException($"stopped waiting; the job array goes on. `medanomaly compare --resume {plan.Folder}` waits again");
        }
        var merged = GridRun.Merge(plan, store, statuses);
        Console.WriteLine($"merged {merged.Count} cell store(s) into {store.Path}: {merged.Sum(m => m.Added)} run(s) added, " +
                          $"{merged.Sum(m => m.AlreadyPresent)} already there" + (merged.Sum(m => m.StillRunning) is > 0 and var r ? $", {r} left running by killed attempts not merged" : ""));
        if (ct.IsCancellationRequested)
            throw new OperationCanceledException($"the cells were interrupted (each wrote a checkpoint); `medanomaly compare --resume {plan.Folder}` continues them");
        var runs = GridRun.CompletedRuns(plan, store, statuses);
        var missing = statuses.Where(s => s.State != CellState.Done).ToList();
        if (runs.Count == 0)
            throw new InvalidOperationException($"no cell of {plan.Folder} completed; {missing[0].Cell.Name}: {missing[0].Describe()}");
        var result = Comparison.FromStore(data, options, runs.Select(r => r.Run).ToList(), missing.Select(m => (m.Cell.Method, m.Cell.Seed)).ToList());
        Console.WriteLine();
        CompareCommand.PrintResult(result, clock.Elapsed);
        if (missing.Count == 0) return 0;
        Console.WriteLine($"{missing.Count} of {statuses.Count} cells missing (no values in the tables for them); `medanomaly compare --resume {plan.Folder}` runs them again:");
        foreach (var m in missing) Console.WriteLine($"  {m.Cell.Name}: {m.Describe()}");
        return MissingCellsExitCode;
    }

    static string Submitted(GridPlan plan, IGridExecutor executor, IReadOnlyList<GridSubmission> submissions)
    {
        if (submissions.Count == 0) return $"grid {plan.Folder}: no cell to submit (every cell is done, pending or running)";
        string where = executor switch
        {
            SlurmGridExecutor => "Slurm job array " + string.Join(", ", submissions.Select(s => s.JobId)) + $" (script in {Path.Combine(plan.Folder, "slurm")})",
            LocalGridExecutor local => $"this machine, {submissions[^1].Jobs} at a time, {local.ThreadsPerCell} libtorch thread(s) each",
            _ => executor.Name,
        };
        return $"grid {plan.Folder}: {submissions.Sum(s => s.Cells.Count)} of {plan.Cells.Count} cells submitted to {where}; logs in {Path.Combine(plan.Folder, "logs")}";
    }
}

/// <summary>The grid's progress as lines (they read well in a terminal, a log file and a Slurm job's output alike): a
/// line per cell whose state changed, then the counts.</summary>
sealed class GridProgress(Stopwatch clock)
{
    readonly Dictionary<int, GridCellStatus> last = [];

    public void Report(IReadOnlyList<GridCellStatus> now)
    {
        string time = $"[{clock.Elapsed:hh\\:mm\\:ss}]";
        foreach (var s in now)
        {
            if (last.TryGetValue(s.Cell.Index, out var before) && before == s) continue;
            if (before is not null || s.State != CellState.Pending) Console.WriteLine($"{time} {s.Cell.Name}: {Line(s)}");
            last[s.Cell.Index] = s;
        }
        int Count(CellState state) => now.Count(s => s.State == state);
        Console.WriteLine($"{time} grid: {Count(CellState.Pending)} pending, {Count(CellState.Running)} running, {Count(CellState.Done)} done, " +
                          $"{Count(CellState.Failed)} failed, of {now.Count}");
    }

    static string Line(GridCellStatus s) => s.State switch
    {
        CellState.Running => $"running (attempt {Math.Max(1, s.Attempts)})",
        CellState.Pending when s.LastExitCode is { } code => $"pending: attempt {s.Attempts + 1} queued after exit code {code}",
        CellState.Done => $"done after {s.Attempts} attempt(s)",
        _ => s.Describe(),
    };
}
