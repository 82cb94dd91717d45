using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.TestSupport;

static class TensorTestExtensions
{
    /// <summary>The elements of a tensor on any device, copied to a managed array (row-major).</summary>
    public static T[] ToArray<T>(this Tensor t) where T : unmanaged
    {
        using var scope = torch.NewDisposeScope();
        return t.cpu().contiguous().data<T>().ToArray();
    }
}
