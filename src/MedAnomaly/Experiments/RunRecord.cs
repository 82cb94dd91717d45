namespace MedAnomaly.Experiments;

/// <summary>A run as stored: what it was (<see cref="Info"/>), how it ended, what it measured and wrote.</summary>
/// <param name="Uuid">Unique across stores (32 hex digits): what merging stores (<see cref="RunStore.Merge"/>) matches
/// runs by, since ids are per store.</param>
/// <param name="Owner">The process that began it; null for runs recorded before schema version 2.</param>
/// <param name="EndedUtc">When it completed, failed or was cancelled; null while running.</param>
/// <param name="Error">Why it failed or was cancelled; null otherwise.</param>
public sealed record RunRecord(
    long Id,
    string Uuid,
    RunInfo Info,
    RunStatus Status,
    DateTime StartedUtc,
    DateTime? EndedUtc,
    string? Error,
    RunOwner? Owner,
    IReadOnlyList<MetricValue> Metrics,
    IReadOnlyList<ArtifactRecord> Artifacts);

/// <summary>Which runs to read; null fields match anything.</summary>
public sealed record RunFilter(string? Method = null, string? Dataset = null, RunStatus? Status = null, long? Seed = null)
{
    /// <summary>Every run, whatever its status.</summary>
    public static RunFilter All { get; } = new();

    /// <summary>Completed runs only: the default for results, so a crashed run's partial numbers never reach a table.</summary>
    public static RunFilter Completed { get; } = new(Status: RunStatus.Completed);
}
