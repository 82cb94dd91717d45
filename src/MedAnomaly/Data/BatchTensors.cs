using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Data;

/// <summary>A <see cref="Batch"/> as tensors [N,1,H,W] (float32) on a device.</summary>
public sealed record BatchTensors(Tensor Images, Tensor Masks, Tensor Foreground, int[] Labels) : IDisposable
{
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
        Foreground.Dispose();
    }
}

public static class BatchTensorExtensions
{
    /// <summary>Copies the batch's arrays into tensors (registered in the current dispose scope, if any).</summary>
    public static BatchTensors ToTensors(this Batch batch, Device? device = null) => new(
        torch.tensor(batch.Images, batch.Shape, device: device),
        torch.tensor(batch.Masks, batch.Shape, device: device),
        torch.tensor(batch.Foreground, batch.Shape, device: device),
        batch.Labels);
}
