using System.Diagnostics;
using System.Globalization;

namespace MedAnomaly.Experiments;

/// <summary>
/// Runs a grid on Slurm: the cells go as one job array (<see cref="SlurmScript"/>; split in several when a cell index
/// would reach the cluster's <c>MaxArraySize</c>), submitted with <c>sbatch</c> from this machine; <c>squeue</c> tells
/// which are pending or running. Everything goes through Slurm's own commands, which must be on the PATH and find
/// the cluster (<c>SLURM_CONF</c> or the system's slurm.conf).
/// </summary>
public sealed class SlurmGridExecutor(CliLauncher launcher, SlurmOptions options) : IGridExecutor
{
    public string Name => "slurm";
    public bool Detached => true;

    int? maxArraySize;

    /// <summary>Validates the options and asks the controller for its MaxArraySize: a cluster that does not answer fails here.</summary>
    public void Prepare()
    {
        options.Validate();
        maxArraySize ??= MaxArraySize();
    }

    public IReadOnlyList<GridSubmission> Submit(GridPlan plan, IReadOnlyList<GridCell> cells)
    {
        Prepare();
        int maxArraySize = this.maxArraySize!.Value;
        var submissions = new List<GridSubmission>();
        foreach (var part in cells.GroupBy(c => c.Index / maxArraySize).OrderBy(g => g.Key))
        {
            int offset = part.Key * maxArraySize;
            var partCells = part.OrderBy(c => c.Index).ToList();
            string spec = SlurmScript.ArraySpec(partCells.Select(c => c.Index - offset), options.MaxRunning);
            string folder = Path.Combine(plan.Folder, "slurm");
            Directory.CreateDirectory(folder);
            Directory.CreateDirectory(Path.Combine(plan.Folder, "logs"));
            string script = Path.Combine(folder, $"submit-{plan.Submissions.Count + submissions.Count + 1}.sbatch");
            File.WriteAllText(script, SlurmScript.Text(plan, partCells, spec, offset, options, launcher, Environment.CurrentDirectory));
            string output = SlurmCommand.Run("sbatch", ["--parsable", script]).Trim();
            string jobId = output.Split(';')[0];   // "ID" or "ID;cluster"
            if (!long.TryParse(jobId, out _)) throw new InvalidOperationException($"sbatch {script} printed '{output}'; expected the job id");
            submissions.Add(new GridSubmission(Name, partCells.Select(c => c.Index).ToList(), DateTime.UtcNow, jobId, offset, Slurm: options));
        }
        return submissions;
    }

    public IReadOnlyDictionary<int, CellState> Queue(GridPlan plan) => QueueOf(plan);

    /// <summary>The grid's cells Slurm still holds: every array task of the grid's jobs that squeue lists, by cell index.</summary>
    public static IReadOnlyDictionary<int, CellState> QueueOf(GridPlan plan)
    {
        var offsets = plan.Submissions.Where(s => s.Executor == "slurm" && s.JobId is not null).ToDictionary(s => s.JobId!, s => s.Offset);
        var queued = new Dictionary<int, CellState>();
        if (offsets.Count == 0) return queued;
        string listing = SlurmCommand.Run("squeue", ["--noheader", "--array", "--name", SlurmScript.JobName(plan), "--format", "%F|%K|%T"]);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            if (fields.Length != 3 || !offsets.TryGetValue(fields[0], out int offset)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int task)) continue;
            if (StateOf(fields[2]) is { } state) queued[task + offset] = state;
        }
        return queued;
    }

    /// <summary>squeue's job state as a cell state; null for states that mean the task has left (or is leaving) the queue.</summary>
    public static CellState? StateOf(string slurmState) => slurmState switch
    {
        "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "CONFIGURING" or "RESV_DEL_HOLD" or "SUSPENDED" => CellState.Pending,
        "RUNNING" or "COMPLETING" or "STAGE_OUT" or "SIGNALING" or "RESIZING" => CellState.Running,
        _ => null,
    };

    /// <summary>The cluster's MaxArraySize (array indices stay below it); Slurm's default 1001 when the configuration does not say.</summary>
    static int MaxArraySize()
    {
        foreach (var line in SlurmCommand.Run("scontrol", ["show", "config"]).Split('\n'))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == "MaxArraySize" && int.TryParse(parts[1], out int size) && size > 0) return size;
        }
        return 1001;
    }
}

/// <summary>Runs one of Slurm's commands and returns its output; a missing command or a failure is an error that says so.</summary>
public static class SlurmCommand
{
    public static string Run(string tool, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool}: cannot run it ({e.Message}); --executor slurm needs Slurm's commands " +
                                                "(sbatch, squeue, scontrol) on this machine, e.g. a cluster's login node (docs/cluster.md)", e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
            {
                process.Kill();
                throw new TimeoutException($"{tool} {string.Join(" ", args)} did not answer in {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:0} s");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{tool} {string.Join(" ", args)} failed (exit code {process.ExitCode}): {error.Result.Trim()}");
            return output;
        }
    }
}
