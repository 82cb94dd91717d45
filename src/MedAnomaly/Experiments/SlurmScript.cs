using System.Text;
using System.Text.RegularExpressions;

namespace MedAnomaly.Experiments;

/// <summary>What each task of a grid's job array asks Slurm for (<c>compare --partition, --time, --cpus-per-task, --mem,
/// --sbatch</c>; <c>--device cuda</c> adds one GPU).</summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }
    /// <summary>Slurm's time format, e.g. <c>12:00:00</c> or <c>2-00:00:00</c>.</summary>
    public string? Time { get; init; }
    public int CpusPerTask { get; init; } = 1;
    /// <summary>Memory per node (<c>--mem</c>), e.g. <c>16G</c>.</summary>
    public string? Memory { get; init; }
    /// <summary>GPUs per task (<c>--gres=gpu:N</c>); 0 for none.</summary>
    public int Gpus { get; init; }
    /// <summary>At most this many tasks of the array at once (<c>--array=…%N</c>); null for no limit.</summary>
    public int? MaxRunning { get; init; }
    /// <summary>Further sbatch options, each as sbatch takes it (e.g. <c>--account=lab</c>, <c>--qos=short</c>).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    public void Validate()
    {
        if (CpusPerTask < 1) throw new ArgumentException($"--cpus-per-task must be at least 1, got {CpusPerTask}");
        if (Gpus < 0) throw new ArgumentException($"GPUs per task must be 0 or more, got {Gpus}");
        if (MaxRunning is < 1) throw new ArgumentException($"--max-running must be at least 1, got {MaxRunning}");
        foreach (var option in Extra)
            if (!option.StartsWith('-') || option.Contains('\n'))
                throw new ArgumentException($"--sbatch {option}: expected one sbatch option such as --account=lab or --qos=short");
    }
}

/// <summary>
/// The batch script of a grid's job array (docs/cluster.md). Task <c>i</c> runs cell <c>i + offset</c>: its
/// <c>medanomaly train</c> command, word for word the one its run records (<c>runs show</c>), with libtorch on
/// <c>SLURM_CPUS_PER_TASK</c> threads, its output appended to the cell's log and each attempt to the cell's
/// <c>attempts.tsv</c>. A failed attempt requeues the task (<c>scontrol requeue</c>; the script is submitted with
/// <c>--requeue</c>, so preemption and node failures requeue it too) until the <see cref="GridPlan.MaxAttempts"/>th;
/// every attempt resumes from the cell's last checkpoint.
/// </summary>
public static partial class SlurmScript
{
    public static string JobName(GridPlan plan) => $"medanomaly-{plan.Id}";

    public static string Text(GridPlan plan, IReadOnlyList<GridCell> cells, string arraySpec, int offset, SlurmOptions options,
                              CliLauncher launcher, string workingDirectory)
    {
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine($"# MedAnomaly grid {plan.Id}: one array task per cell, written by `medanomaly compare --executor slurm` (docs/cluster.md).");
        s.AppendLine("# Task i runs cell i + offset: its `medanomaly train` command, as `medanomaly runs show` prints it.");
        foreach (var line in Directives(plan, arraySpec, options)) s.AppendLine("#SBATCH " + line);
        s.AppendLine("set -u");
        s.AppendLine($"medanomaly() {{ {Join(launcher.Words)} \"$@\"; }}");
        s.AppendLine($"cd {Quote(workingDirectory)} || exit 1");
        s.AppendLine($"cell=$(( SLURM_ARRAY_TASK_ID + {offset} ))");
        s.AppendLine("case $cell in");
        foreach (var cell in cells)
            s.AppendLine($"  {cell.Index}) name={Quote(cell.Name)}; run() {{ medanomaly {Join(cell.TrainArgs)}; }} ;;");
        s.AppendLine("  *) echo \"cell $cell is not in this job's part of grid " + plan.Id + "\" >&2; exit 2 ;;");
        s.AppendLine("esac");
        s.AppendLine($"grid={Quote(plan.Folder)}");
        s.Append("""
            attempt=$(( ${SLURM_RESTART_COUNT:-0} + 1 ))
            task="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
            mkdir -p "$grid/cells/$name" "$grid/logs"
            exec >>"$grid/logs/$name.log" 2>&1
            note() { printf '%s\t%s\t%s\t%s\t%s\n' "$attempt" "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(hostname)" "$task" >>"$grid/cells/$name/attempts.tsv"; }
            echo "== attempt $attempt of MAX: cell $name, task $task on $(hostname), ${SLURM_CPUS_PER_TASK:-1} libtorch thread(s), $(date -u)"
            note started
            export MEDANOMALY_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
            export NO_COLOR=${NO_COLOR:-1}
            run
            code=$?
            note "exit $code"
            echo "== attempt $attempt: exit code $code"
            if [ "$code" -ne 0 ] && [ "$attempt" -lt MAX ]; then
              echo "== requeueing task $task: the next attempt resumes from the checkpoint"
              scontrol requeue "$task" || echo "== scontrol requeue $task failed"
            fi
            exit "$code"

            """.Replace("MAX", GridPlan.MaxAttempts.ToString()));
        return s.ToString();
    }

    static IEnumerable<string> Directives(GridPlan plan, string arraySpec, SlurmOptions options)
    {
        yield return $"--job-name={JobName(plan)}";
        yield return $"--array={arraySpec}";
        // Before the script redirects its output to the cell's log (and Slurm's own messages about the task).
        yield return $"--output={Path.Combine(plan.Folder, "logs", "slurm-%A_%a.out")}";
        yield return "--open-mode=append";
        yield return "--requeue";
        yield return "--ntasks=1";
        yield return $"--cpus-per-task={options.CpusPerTask}";
        if (options.Partition is { } partition) yield return $"--partition={partition}";
        if (options.Time is { } time) yield return $"--time={time}";
        if (options.Memory is { } memory) yield return $"--mem={memory}";
        if (options.Gpus > 0) yield return $"--gres=gpu:{options.Gpus}";
        foreach (var extra in options.Extra) yield return extra;
    }

    /// <summary>Indices as Slurm's array ranges, e.g. [0,1,2,5,7,8] → <c>0-2,5,7-8</c>, with <c>%N</c> for a limit.</summary>
    public static string ArraySpec(IEnumerable<int> indices, int? maxRunning = null)
    {
        var sorted = indices.Distinct().Order().ToList();
        if (sorted.Count == 0) throw new ArgumentException("no array index");
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts) + (maxRunning is { } n ? $"%{n}" : "");
    }

    /// <summary>A word for bash: as it is when it holds no special character, else in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && SafeWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";

    static string Join(IEnumerable<string> words) => string.Join(" ", words.Select(Quote));

    [GeneratedRegex(@"^[A-Za-z0-9_./=:,+@%-]+$")]
    private static partial Regex SafeWord();
}
