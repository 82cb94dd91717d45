using System.Text.Json;
using System.Text.Json.Nodes;

namespace MedAnomaly.Data;

/// <summary>
/// An ordered list of <see cref="PreprocessStep"/>s. Volume-stage steps (clip, quantile_scale, foreground)
/// run on a whole volume or 2D image before slicing; slice-stage steps (resize, crop_or_pad) run on each
/// [H, W] slice afterwards, with masks resized by nearest neighbour. Serialises to a JSON array (as in
/// manifests' "preprocess").
/// </summary>
public sealed record PreprocessRecipe(IReadOnlyList<PreprocessStep> Steps)
{
    public static PreprocessRecipe Empty { get; } = new(Array.Empty<PreprocessStep>());

    /// <summary>DISYRE's recipe: quantile scaling (0, 0.98) after clipping below 0, then a 128×128 slice size.</summary>
    public static PreprocessRecipe Disyre(int size = 128) => new(new[]
    {
        PreprocessStep.QuantileScale(0, 0.98, 0), PreprocessStep.ForegroundThreshold(0), PreprocessStep.Resize(size, size, "bilinear"),
    });

    /// <summary>Threshold that defines the foreground mask (value &gt; threshold); 0 when no "foreground" step.</summary>
    public double ForegroundThreshold => Steps.LastOrDefault(s => s.Op == "foreground")?.Number("threshold", 0) ?? 0;

    /// <summary>Applies the volume-stage intensity steps in place to <paramref name="data"/> (any shape).</summary>
    public void ApplyToVolume(Span<float> data)
    {
        foreach (var s in Steps)
        {
            switch (s.Op)
            {
                case "clip": Intensity.Clip(data, s.Number("min", double.NegativeInfinity), s.Number("max", double.PositiveInfinity)); break;
                case "quantile_scale":
                    Intensity.QuantileScale(data, s.Number("low", 0), s.Number("high", 0.98), s.Number("clip_below", 0), s.Number("foreground_only", 0) != 0);
                    break;
            }
        }
    }

    /// <summary>Applies the slice-stage steps to an [h, w] slice; returns the new slice and its size.
    /// <paramref name="isMask"/> forces nearest-neighbour resizing (labels stay labels).</summary>
    public (float[] slice, int h, int w) ApplyToSlice(float[] slice, int h, int w, bool isMask = false)
    {
        foreach (var s in Steps)
        {
            switch (s.Op)
            {
                case "resize":
                    int rh = s.Int("height"), rw = s.Int("width");
                    var mode = isMask ? ResizeMode.Nearest : MedAnomaly.Data.Resize.ParseMode(s.Text("mode", "bilinear"));
                    slice = MedAnomaly.Data.Resize.Image2D(slice, h, w, rh, rw, mode); (h, w) = (rh, rw);
                    break;
                case "crop_or_pad":
                    int ch = s.Int("height"), cw = s.Int("width");
                    slice = CropOrPad.Center2D(slice, h, w, ch, cw, isMask ? 0 : (float)s.Number("value", 0)); (h, w) = (ch, cw);
                    break;
            }
        }
        return (slice, h, w);
    }

    /// <summary>The output [H, W] of a slice of size [h, w] after the slice-stage steps.</summary>
    public (int h, int w) OutputSize(int h, int w)
    {
        foreach (var s in Steps)
            if (s.Op is "resize" or "crop_or_pad") (h, w) = (s.Int("height"), s.Int("width"));
        return (h, w);
    }

    public JsonArray ToJson() => new(Steps.Select(s => (JsonNode)s.ToJson()).ToArray());

    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Parses a JSON array of steps; errors name <paramref name="path"/> and the step index.</summary>
    public static PreprocessRecipe Parse(JsonElement e, string path = "preprocess")
    {
        if (e.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{path}: expected an array of steps, got {e.ValueKind}");
        var steps = new List<PreprocessStep>();
        int i = 0;
        foreach (var item in e.EnumerateArray()) steps.Add(PreprocessStep.Parse(item, $"{path}[{i++}]"));
        return new PreprocessRecipe(steps);
    }

    public static PreprocessRecipe Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Parse(doc.RootElement);
    }
}
