using System.Globalization;

namespace MedAnomaly.Metrics;

/// <summary>
/// Post-processing of anomaly maps before any metric: one named setting of an evaluation, applied to every method alike
/// and recorded with each run, never hidden inside a method. Steps, each optional:
/// <list type="bullet">
/// <item><b>fg-weight</b>: each slice's map × the fraction of its pixels inside the brain (DISYRE's released pipeline,
/// <c>DISYREPipeline.__call__</c> with <c>weight_foreground=True</c>); damps slices with little brain.</item>
/// <item><b>medianK</b>: a K×K median filter of each slice (<see cref="PostProcess.MedianFilter"/>; Behrendt et al. 2023 use 5).</item>
/// <item><b>ccN</b>: 8-connected components smaller than N pixels dropped from the thresholded prediction, for the metrics at
/// a threshold (<see cref="PostProcess.RemoveSmallComponents"/>).</item>
/// </list>
/// Names join steps with '+', e.g. "fg-weight+median5"; "none" is the identity.
/// </summary>
public sealed record MapPostProcessing
{
    public bool ForegroundWeighting { get; init; }
    public int MedianFilter { get; init; }
    public int MinComponentSize { get; init; }

    public static MapPostProcessing None { get; } = new();
    public static MapPostProcessing ForegroundWeighted { get; } = new() { ForegroundWeighting = true };

    public string Name
    {
        get
        {
            var steps = new List<string>();
            if (ForegroundWeighting) steps.Add("fg-weight");
            if (MedianFilter > 1) steps.Add($"median{MedianFilter}");
            if (MinComponentSize > 0) steps.Add($"cc{MinComponentSize}");
            return steps.Count == 0 ? "none" : string.Join("+", steps);
        }
    }

    public override string ToString() => Name;

    /// <summary>What a report prints: "none", or each step spelled out.</summary>
    public string Description
    {
        get
        {
            var steps = new List<string>();
            if (ForegroundWeighting) steps.Add("each slice's map × its brain fraction (fg-weight)");
            if (MedianFilter > 1) steps.Add($"median filter {MedianFilter}x{MedianFilter} (reflect borders)");
            if (MinComponentSize > 0) steps.Add($"drop 8-connected components < {MinComponentSize} px from the thresholded prediction");
            return steps.Count == 0 ? "none" : string.Join("; ", steps);
        }
    }

    /// <summary>Parses <see cref="Name"/>'s form.</summary>
    public static MapPostProcessing Parse(string name)
    {
        var result = None;
        if (name.Trim() == "none") return result;
        foreach (var step in name.Split('+', StringSplitOptions.TrimEntries))
            result = step switch
            {
                "fg-weight" => result with { ForegroundWeighting = true },
                _ when Number(step, "median") is int k && k % 2 == 1 => result with { MedianFilter = k },
                _ when Number(step, "cc") is int n => result with { MinComponentSize = n },
                _ => throw new ArgumentException($"post-processing '{name}': unknown step '{step}'; expected none, or steps joined by '+' from fg-weight, medianK (K odd, e.g. median5), ccN (e.g. cc8)"),
            };
        return result;
    }

    static int? Number(string step, string prefix) =>
        step.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(step.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : null;

    /// <summary>The maps [N,H,W] after the map steps (foreground weighting, median filter); a new array, or the input
    /// itself when there is none.</summary>
    /// <param name="foreground">[N,H,W] brain masks (needed for the foreground weighting).</param>
    public float[] Apply(float[] maps, int imageCount, int height, int width, bool[]? foreground)
    {
        var result = maps;
        if (ForegroundWeighting) result = WeightByForeground(result, imageCount, foreground ?? throw new ArgumentException("fg-weight post-processing needs the foreground masks"));
        if (MedianFilter > 1) result = PostProcess.MedianFilter(result, imageCount, height, width, MedianFilter);
        return result;
    }

    static float[] WeightByForeground(float[] maps, int imageCount, bool[] foreground)
    {
        if (foreground.Length != maps.Length) throw new ArgumentException($"foreground holds {foreground.Length} values, the maps {maps.Length}");
        int plane = maps.Length / imageCount;
        var weighted = new float[maps.Length];
        for (int i = 0; i < imageCount; i++)
        {
            int inside = 0;
            for (int p = i * plane; p < (i + 1) * plane; p++) if (foreground[p]) inside++;
            float fraction = (float)inside / plane;
            for (int p = i * plane; p < (i + 1) * plane; p++) weighted[p] = maps[p] * fraction;
        }
        return weighted;
    }
}
