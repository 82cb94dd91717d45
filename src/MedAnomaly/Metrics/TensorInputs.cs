using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Metrics;

/// <summary>Thin tensor overloads: detectors return maps as tensors; the metrics work on arrays.</summary>
public static class TensorInputs
{
    /// <summary>
    /// A <see cref="MetricsInput"/> from anomaly maps [N,1,H,W] (or [N,H,W]) and lesion masks of the same shape
    /// (non-zero = lesion), with an optional foreground mask and volume ids. Tensors may live on any device.
    /// </summary>
    public static MetricsInput FromTensors(Tensor maps, Tensor masks, Tensor? foreground = null, int[]? volumeIds = null)
    {
        var shape = maps.shape;
        bool ok = shape.Length == 3 || (shape.Length == 4 && shape[1] == 1);
        if (!ok) throw new ArgumentException($"maps have shape [{string.Join(", ", shape)}]; expected [N,1,H,W] or [N,H,W]");
        CheckSameShape(maps, masks, "masks");
        if (foreground is not null) CheckSameShape(maps, foreground, "foreground");
        return new MetricsInput
        {
            ImageCount = checked((int)shape[0]),
            Height = checked((int)shape[^2]),
            Width = checked((int)shape[^1]),
            Maps = ToFloats(maps),
            Masks = ToBools(masks),
            Foreground = foreground is null ? null : ToBools(foreground),
            VolumeIds = volumeIds,
        };
    }

    /// <summary>Exact AUROC of per-pixel (or per-image) scores against binary labels, as scikit-learn's roc_auc_score.</summary>
    public static double Auroc(Tensor scores, Tensor labels) => Roc.Auroc(ToFloats(scores), ToBools(labels));

    /// <summary>Step-wise average precision, as scikit-learn's average_precision_score.</summary>
    public static double AveragePrecision(Tensor scores, Tensor labels) => Precision.AveragePrecision(ToFloats(scores), ToBools(labels));

    static void CheckSameShape(Tensor maps, Tensor other, string name)
    {
        if (!other.shape.SequenceEqual(maps.shape))
            throw new ArgumentException($"{name} have shape [{string.Join(", ", other.shape)}]; expected [{string.Join(", ", maps.shape)}] like the maps");
    }

    static float[] ToFloats(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.to(ScalarType.Float32).cpu().data<float>().ToArray();
    }

    static bool[] ToBools(Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        return t.ne(0).cpu().data<bool>().ToArray();
    }
}
