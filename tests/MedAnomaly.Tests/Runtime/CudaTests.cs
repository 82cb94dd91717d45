using TorchSharp;
using static TorchSharp.torch;

using MedAnomaly.Tests.TestSupport;
using MedAnomaly.Checkpoints;
using MedAnomaly.Runtime;

namespace MedAnomaly.Tests.Runtime;

/// <summary>A fact that runs only where libtorch sees a CUDA device; skipped (and reported so) elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available()) Skip = "no CUDA device (libtorch reports torch.cuda.is_available() == false)";
    }
}

public class CudaTests
{
    [CudaFact]
    public void TensorsMoveToCudaAndBack()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(6, dtype: ScalarType.Float32).cuda();
        Assert.Equal(DeviceType.CUDA, x.device_type);
        Assert.Equal(new float[] { 0, 2, 4, 6, 8, 10 }, (x * 2).cpu().ToArray<float>());
    }

    [CudaFact]
    public void SeededRandomNumbersAreDeviceIndependent()
    {
        using var scope = torch.NewDisposeScope();
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        var cpu = torch.randn([5], generator: g1);
        var gpu = torch.randn([5], device: torch.CUDA, generator: g2);
        Assert.Equal(cpu.ToArray<float>(), gpu.cpu().ToArray<float>());
    }

    [CudaFact]
    public void ModuleTrainsOnCuda()
    {
        using var scope = torch.NewDisposeScope();
        using var conv = nn.Conv2d(1, 1, 3, padding: 1);
        conv.to(torch.CUDA);
        var x = torch.rand([2, 1, 8, 8], device: torch.CUDA);
        var loss = nn.functional.mse_loss(conv.forward(x), x);
        loss.backward();
        Assert.Equal(DeviceType.CUDA, conv.weight!.grad!.device_type);
    }
}
