using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Data;

/// <summary>A <see cref="Batch"/> as tensors on a device: images [N,C,H,W], lesion and brain masks [N,1,H,W] (float32).</summary>
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
        torch.tensor(batch.Masks, batch.PlaneShape, device: device),
        torch.tensor(batch.Foreground, batch.PlaneShape, device: device),
        batch.Labels);
}
