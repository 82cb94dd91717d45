using System.Text.Json;
using System.Text.Json.Serialization;

namespace MedAnomaly.Experiments;

/// <summary>One cell of a grid: a method and a seed, run by the <c>medanomaly train</c> arguments
/// <paramref name="TrainArgs"/> (without the leading <c>medanomaly</c>), which write the cell's own run store.</summary>
public sealed record GridCell(int Index, string Method, ulong Seed, IReadOnlyList<string> TrainArgs)
{
    /// <summary>e.g. <c>ae-seed0</c>: the cell's folder under <c>cells/</c> and its log's name.</summary>
    public string Name => $"{Method}-seed{Seed}";
}

/// <summary>One start of some of a grid's cells: by which executor, which cells, and (Slurm) the job array's id; with the
/// executor's settings, which a resume reuses unless told otherwise.</summary>
/// <param name="Offset">Slurm: array index + offset = cell index (an array index must stay below MaxArraySize).</param>
/// <param name="Jobs">Local: cells at a time.</param>
/// <param name="Slurm">Slurm: what each task asked for.</param>
public sealed record GridSubmission(string Executor, IReadOnlyList<int> Cells, DateTime SubmittedUtc, string? JobId = null, int Offset = 0,
    int? Jobs = null, SlurmOptions? Slurm = null);

/// <summary>
/// A comparison grid as written to <c>GRID/grid.json</c> (docs/cluster.md): every method × seed cell with the
/// <c>medanomaly train</c> command that runs it, and every submission of cells. Each cell has its folder
/// <c>cells/NAME/</c> (its run store <c>runs.db</c>, checkpoints and model, and <c>attempts.tsv</c>) and its log
/// <c>logs/NAME.log</c>; the main store gets the cells' runs by <see cref="RunStore.Merge"/>.
/// </summary>
public sealed record GridPlan
{
    public const string FileName = "grid.json";

    /// <summary>Attempts per cell and submission: the third failure leaves the cell failed.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Names the grid's Slurm jobs (<c>medanomaly-ID</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The main run store (absolute path) the cells' stores are merged into.</summary>
    public required string Store { get; init; }

    /// <summary>The dataset (<c>--data</c>, absolute) and its data folder (<c>--root</c>), to score models for the figure.</summary>
    public required string Data { get; init; }
    public string? Root { get; init; }

    /// <summary>The methods in the order the tables list them.</summary>
    public required IReadOnlyList<string> Methods { get; init; }

    public required IReadOnlyList<GridCell> Cells { get; init; }

    public List<GridSubmission> Submissions { get; init; } = [];

    /// <summary>The grid's folder (absolute): where grid.json was read from or is written to.</summary>
    [JsonIgnore] public string Folder { get; init; } = "";

    public string CellFolder(GridCell cell) => System.IO.Path.Combine(Folder, "cells", cell.Name);
    public string CellStore(GridCell cell) => System.IO.Path.Combine(CellFolder(cell), "runs.db");
    public string AttemptsFile(GridCell cell) => System.IO.Path.Combine(CellFolder(cell), "attempts.tsv");
    public string LogFile(GridCell cell) => System.IO.Path.Combine(Folder, "logs", cell.Name + ".log");

    /// <summary>A new grid in <paramref name="folder"/>: one cell per seed × method (seed-major, as <see cref="Comparison.Run"/>
    /// runs them), each running <c>medanomaly train</c> with <paramref name="trainArgs"/> plus its own <c>--store</c>.</summary>
    /// <param name="trainArgs">The arguments after <c>train --method M --seed S</c> (data, preset, settings), without --store.</param>
    /// <exception cref="IOException">The folder holds a grid already.</exception>
    public static GridPlan Create(string folder, string store, string data, string? root, IReadOnlyList<string> methods,
        ulong firstSeed, int seeds, IReadOnlyList<string> trainArgs)
    {
        if (seeds < 1) throw new ArgumentException($"--seeds must be at least 1, got {seeds}");
        if (methods.Count == 0) throw new ArgumentException("no method given; expected e.g. --methods ae,dae");
        string full = System.IO.Path.GetFullPath(folder);
        if (File.Exists(System.IO.Path.Combine(full, FileName)))
            throw new IOException($"{full} holds a grid already ({FileName}); `medanomaly compare --resume {full}` continues it, or give another --out");
        var plan = new GridPlan
        {
            Id = Guid.NewGuid().ToString("N")[..8],
            Store = System.IO.Path.GetFullPath(store),
            Data = System.IO.Path.GetFullPath(data),
            Root = root is null ? null : System.IO.Path.GetFullPath(root),
            Methods = methods,
            Cells = [],
            Folder = full,
        };
        var cells = new List<GridCell>();
        for (ulong seed = firstSeed; seed < firstSeed + (ulong)seeds; seed++)
            foreach (var method in methods)
            {
                var cell = new GridCell(cells.Count, method, seed, []);
                cells.Add(cell with { TrainArgs = ["train", "--method", method, "--seed", seed.ToString(), .. trainArgs, "--store", plan.CellStore(cell)] });
            }
        return plan with { Cells = cells };
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes grid.json (through a temporary file, so a reader never sees half of it) and the cells' and logs' folders.</summary>
    public void Save()
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Folder, "logs"));
        foreach (var cell in Cells) Directory.CreateDirectory(CellFolder(cell));
        string path = System.IO.Path.Combine(Folder, FileName), temporary = path + ".new";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads <c>GRID/grid.json</c>; <paramref name="folder"/> may also name the file itself.</summary>
    public static GridPlan Load(string folder)
    {
        string full = System.IO.Path.GetFullPath(folder);
        if (File.Exists(full) && System.IO.Path.GetFileName(full) == FileName) full = System.IO.Path.GetDirectoryName(full)!;
        string path = System.IO.Path.Combine(full, FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"--resume {folder}: no {FileName} there; expected the --out folder of a `compare --jobs N` or `--executor slurm` run", path);
        try
        {
            var plan = JsonSerializer.Deserialize<GridPlan>(File.ReadAllText(path), Json)
                       ?? throw new InvalidDataException($"{path} is empty; expected a grid written by `medanomaly compare`");
            return plan with { Folder = full };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a grid file ({e.Message}); expected one written by `medanomaly compare`", e);
        }
    }
}
