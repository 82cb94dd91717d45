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

    /// <summary>Guided diffusion's zero_module layers (AnoDDPM's UNet.py: ResBlock's last conv, AttentionBlock's proj_out,
    /// the output conv) start at zero, every other parameter as seeded, so the untrained network predicts ε = 0.</summary>
    [Fact]
    public void ZeroInitOutputsZeroesExactlyTheOutputLayers()
    {
        using var scope = torch.NewDisposeScope();
        var config = new UNet2dConfig { Channels = [32, 64], AttentionLevels = [1], LayersPerBlock = 2 };
        torch.manual_seed(0);
        using var seeded = new UNet2d(config);
        torch.manual_seed(0);
        using var zeroed = new UNet2d(config with { ZeroInitOutputs = true });
        var before = seeded.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var zeroedNames = new List<string>();
        foreach (var (name, parameter) in zeroed.named_parameters())
        {
            if (parameter.count_nonzero().item<long>() == 0 && before[name].count_nonzero().item<long>() > 0) zeroedNames.Add(name);
            else Assert.True(parameter.allclose(before[name], rtol: 0, atol: 0), $"{name} differs from the seeded initialisation");
        }
        Assert.All(zeroedNames, name => Assert.Matches(@"(\.conv2\.|\.proj\.|^conv_out\.)", name));
        int residualBlocks = 2 * 2 + 2 + 3 * 2, attentions = 2 + 1 + 3;   // down, middle, up (LayersPerBlock + 1 per level)
        Assert.Equal(2 * (residualBlocks + attentions + 1), zeroedNames.Count);   // weight and bias of each (GroupNorm biases start at 0 anyway)

        using var noGrad = torch.no_grad();
        var y = zeroed.forward(Golden.Wave([2, 1, 32, 32], 0.013, 0.2, ScalarType.Float32), torch.tensor(new long[] { 3, 500 }));
        Assert.Equal(0, y.count_nonzero().item<long>());
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
