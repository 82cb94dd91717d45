using MedAnomaly.Metrics;

namespace MedAnomaly.Experiments;

/// <summary>
/// How an experiment turns maps into metrics, the same for every method: the image score and the map post-processings
/// (<see cref="MapPostProcessing"/>). Each post-processing is evaluated on the same maps; the first is the run's main
/// result (split "test"), the others are stored as split "test[name]" and shown as rows of their own.
/// </summary>
public sealed record EvaluationSettings
{
    public ImageScoring ImageScore { get; init; } = ImageScoring.Default;
    public IReadOnlyList<MapPostProcessing> PostProcessing { get; init; } = [MapPostProcessing.None, MapPostProcessing.ForegroundWeighted];

    public static EvaluationSettings Default { get; } = new();

    /// <summary>The store's split name of the metrics under <paramref name="post"/>.</summary>
    public string SplitOf(MapPostProcessing post) =>
        post == PostProcessing[0] ? MetricRows.Split : $"{MetricRows.Split}[{post.Name}]";

    /// <summary>The post-processing name in a split written by <see cref="SplitOf"/> (null for the main split "test").</summary>
    public static string? PostProcessingOf(string split) =>
        split.StartsWith(MetricRows.Split + "[", StringComparison.Ordinal) && split.EndsWith(']') ? split[(MetricRows.Split.Length + 1)..^1] : null;

    /// <summary>Refuses an empty or repeated list of post-processings.</summary>
    public void Validate()
    {
        if (PostProcessing.Count == 0) throw new ArgumentException("give at least one map post-processing (e.g. none)");
        var twice = PostProcessing.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"post-processing '{twice.Key}' is listed twice");
    }

    /// <summary>"image score mean; post-processing none, fg-weight".</summary>
    public override string ToString() => $"image score {ImageScore}; post-processing {string.Join(", ", PostProcessing.Select(p => p.Name))}";
}
