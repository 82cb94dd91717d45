namespace MedAnomaly.Experiments;

/// <summary>One number a run measured, e.g. <c>("test", "pixel_auroc", 0.97, "pixel AUROC inside the brain mask")</c>.
/// <paramref name="Value"/> may be NaN for "not defined" (e.g. AUROC with one class); it is stored as NULL and read
/// back as missing, never as zero.</summary>
/// <param name="Split">The data split it was measured on (<c>train</c>, <c>val</c>, <c>test</c>…).</param>
/// <param name="Name">The metric's name, unique per run and split.</param>
/// <param name="Definition">One line saying exactly what was computed, so a table can be read without the code.</param>
public sealed record MetricValue(string Split, string Name, double Value, string? Definition = null);

/// <summary>A file a run wrote (checkpoint, figure, residual maps), with the SHA-256 of its bytes when recorded.</summary>
/// <param name="Kind">What it is: <c>checkpoint</c>, <c>figure</c>, <c>residuals</c>…</param>
/// <param name="Path">The path as given to <see cref="RunStore.RecordArtifact"/> (relative paths stay relative).</param>
/// <param name="Sha256">Lower-case hex.</param>
public sealed record ArtifactRecord(string Kind, string Path, string Sha256);
