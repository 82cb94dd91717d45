using MedAnomaly.Networks;
using MedAnomaly.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace MedAnomaly.Tests.Networks;

/// <summary>The C# UNet equals its PyTorch twin (tests/MedAnomaly.Benchmarks/peers/unet_torch.py) layer for layer.</summary>
[Collection(GlobalTorchStateCollection.Name)]
public class UNet2dTests
{
    [Fact]
    public void SeededUNetMatchesPyTorchTwin()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        using var model = new UNet2d();
        Assert.Equal(TorchGolden.UNetParameterNames, model.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal((long)TorchGolden.UNetParameterCount, model.parameters().Sum(p => p.numel()));

        using var noGrad = torch.no_grad();
        var x = Golden.Wave([2, 1, 64, 64], 0.013, 0.2, ScalarType.Float32);
        var y = model.forward(x, torch.tensor(new long[] { 3, 500 }));
        Assert.Equal(new long[] { 2, 1, 64, 64 }, y.shape);
        var sum = y.to(ScalarType.Float64).sum().item<double>();
        var absSum = y.to(ScalarType.Float64).abs().sum().item<double>();
        Assert.Equal(TorchGolden.UNetOutSum, sum, TorchGolden.UNetOutAbsSum * 1e-5);
        Assert.Equal(TorchGolden.UNetOutAbsSum, absSum, TorchGolden.UNetOutAbsSum * 1e-5);
        Golden.AssertClose(TorchGolden.UNetOutFirst, y.flatten()[..8], rtol: 1e-4, atol: 1e-5);
    }

    [Fact]
    public void RejectsInputsItCannotHandle()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new UNet2d();
        var e = Assert.Throws<ArgumentException>(() => model.forward(torch.zeros(1, 1, 30, 30), torch.zeros([1], ScalarType.Int64)));
        Assert.Contains("divisible by 4", e.Message);
    }
}
