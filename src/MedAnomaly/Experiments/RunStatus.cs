namespace MedAnomaly.Experiments;

/// <summary>Where a run stands. A run starts <see cref="Running"/> and ends in exactly one of the other three.</summary>
public enum RunStatus
{
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>The lower-case words the <c>runs.status</c> column holds (its CHECK constraint lists the same four).</summary>
public static class RunStatusText
{
    public static string ToText(this RunStatus status) => status switch
    {
        RunStatus.Running => "running",
        RunStatus.Completed => "completed",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a RunStatus"),
    };

    public static RunStatus Parse(string text) => text switch
    {
        "running" => RunStatus.Running,
        "completed" => RunStatus.Completed,
        "failed" => RunStatus.Failed,
        "cancelled" => RunStatus.Cancelled,
        _ => throw new InvalidDataException($"run status '{text}' is not one of running, completed, failed, cancelled"),
    };
}
