namespace MedAnomaly.Experiments;

/// <summary>Runs a grid's cells somewhere: each cell is its <c>medanomaly train</c> command (<see cref="GridCell.TrainArgs"/>)
/// started through <c>launcher</c>, writing the cell's own store, log and attempts file (<see cref="GridPlan"/>).</summary>
public interface IGridExecutor
{
    /// <summary><c>local</c> or <c>slurm</c>, as recorded in <see cref="GridSubmission.Executor"/>.</summary>
    string Name { get; }

    /// <summary>Whether the cells go on running after this process ends (<c>compare --no-wait</c>).</summary>
    bool Detached { get; }

    /// <summary>Checks that cells can be started (Slurm: its commands answer), before anything is written.</summary>
    void Prepare();

    /// <summary>Starts (or queues) <paramref name="cells"/> and returns what to record in grid.json.</summary>
    IReadOnlyList<GridSubmission> Submit(GridPlan plan, IReadOnlyList<GridCell> cells);

    /// <summary>The cells this executor still holds, by index: pending or running. A cell absent here has left the queue,
    /// and its attempts file tells how it ended.</summary>
    IReadOnlyDictionary<int, CellState> Queue(GridPlan plan);
}

/// <summary>How a cell's command is started: the program and its first arguments, e.g. <c>dotnet /path/MedAnomaly.Cli.dll</c>
/// or a self-contained <c>/shared/medanomaly/MedAnomaly.Cli</c>.</summary>
public sealed record CliLauncher(IReadOnlyList<string> Words)
{
    /// <summary>How this process was started: <c>dotnet</c> plus the entry assembly, or the app host itself.</summary>
    public static CliLauncher Current()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown; cannot start cells");
        string entry = System.Reflection.Assembly.GetEntryAssembly()?.Location ?? "";
        bool host = Path.GetFileNameWithoutExtension(process) == "dotnet";
        return new CliLauncher(host ? [process, entry] : [process]);
    }
}
